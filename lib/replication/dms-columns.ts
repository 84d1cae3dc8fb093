/**
 * Columns that DMS adds to every row it writes to the data lake, named as the Glue catalog and
 * Athena see them. Every table's history is read through these.
 */
export const DMS_COLUMNS = {
  /** The operation: `I` insert (full-load rows too), `U` update, `D` delete. DMS writes it first. */
  operation: 'op',
  /** Commit time of the change in the source (task start time for full-load rows). */
  commitTimestamp: 'commit_ts',
  /**
   * The source's change sequence (`$AR_H_CHANGE_SEQ`), unique and increasing; it orders
   * changes committed in the same instant. Empty for full-load rows.
   */
  changeSequence: 'change_seq',
} as const;
