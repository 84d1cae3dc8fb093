/**
 * Columns that DMS adds to every row it writes to the data lake, named as the Glue catalog and
 * Athena see them. Every table's history is read through these.
 */
export const DMS_COLUMNS = {
  /** The operation: `I` insert (full-load rows too), `U` update, `D` delete. DMS writes it first. */
  operation: 'op',
  /**
   * Commit time of the change in the source, `yyyy-MM-dd HH:mm:ss.SSSSSS` UTC; for full-load
   * rows, the task's start time. A MySQL source's commit times have whole seconds (the binlog
   * stamps events in seconds); the task start time has microseconds.
   */
  commitTimestamp: 'commit_ts',
  /**
   * The source's change sequence (`$AR_H_CHANGE_SEQ`), unique and increasing within one task;
   * it orders changes committed in the same second. Empty for full-load rows. The sequences of
   * two tasks (two replication generations) cannot be compared.
   */
  changeSequence: 'change_seq',
} as const;

/**
 * Prefix of the before-image columns: for each primary key column `k`, DMS writes the key's
 * value before the change to `bi_k` (the `add-before-image-columns` rule with `pk-only`, see
 * `table-mappings.ts`). An update that changes a primary key is a single `U` row with the new
 * key; only its before-image says which key stopped existing. Lower case, as Glue and Athena
 * name columns.
 */
export const BEFORE_IMAGE_PREFIX = 'bi_';

/** The before-image column of a primary key column. */
export function beforeImageColumn(keyColumn: string): string {
  return `${BEFORE_IMAGE_PREFIX}${keyColumn}`;
}
