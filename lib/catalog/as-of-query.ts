import type { DatasetConfig } from '../config/dataset';
import { GENERATION_COLUMN } from '../replication/data-lake-layout';
import { beforeImageColumn, DMS_COLUMNS } from '../replication/dms-columns';

/**
 * The "table as of time T" query over a DMS change history.
 *
 * DMS writes one row per change: the operation (`I`, `U`, `D`; full-load rows are `I`), the
 * commit time, the source's change sequence, the before-image of the primary key (`bi_<key>`),
 * then the row's columns. Each replication generation writes its own folder, which the Glue
 * table reads as the `generation` partition (`lib/replication/data-lake-layout.ts`). The table
 * as it was at T is, for every primary key, the latest change committed at or before T in the
 * generation that T falls in, unless that change is a delete. The SQL is portable: it runs on
 * Athena (Trino) and on DuckDB, and its parameter form has one `?`, in a `WHERE` clause, as
 * Athena's prepared statements require.
 *
 * Time and ordering:
 * - Commit times are compared at whole seconds, the precision of a MySQL source: the binlog
 *   stamps events in seconds, while full-load rows carry the task's start time in microseconds
 *   (`UseTaskStartTimeForFullLoadTimestamp`). A change committed in the second of T is part of
 *   the table as of T, whatever T's fraction of a second. The commit time may be DMS's string
 *   (`yyyy-MM-dd HH:mm:ss.SSSSSS`) or a timestamp.
 * - The changes of one key are ranked, latest first, by: commit second; then change rows above
 *   full-load rows (a change captured in the second of the load was made after the load began:
 *   the capture starts with the task); then change sequence, highest first; then operation,
 *   delete before update before insert (only full-load rows, which have no sequence, get here);
 *   then the returned columns, so that even exact ties (a change DMS wrote twice) pick the same
 *   row on every run and every engine.
 * - An update that changes a primary key is one `U` row under the new key, whose before-image
 *   holds the old key: the query reads it also as a delete of the old key, ranked as that
 *   change. History written without the before-image columns (NULL) cannot say this, and there
 *   the old key stays in the table.
 *
 * Generations: a replacement task (a new generation) loads every table again into its own
 * folder and captures from then on; deletes made between the two tasks exist only as keys
 * missing from the new load, and change sequences of two tasks cannot be compared. So the query
 * never mixes generations: it reads only the newest generation with a change or load committed
 * at or before T. As of a time before the new generation's load, the table reads as it did
 * before the replacement. (DMS writes no folder for a table that is empty at a load, so such a
 * table has no rows in the new generation and reads from the previous one until its first
 * change; a truncation mark at the new generation's start makes it read empty.)
 *
 * Truncations: DMS does not pass a `TRUNCATE` or `DROP TABLE` on to the S3 target (the task
 * settings turn that off, as it would delete the table's files). No document says what DMS
 * writes for it then, and the query assumes nothing: no row deletes. So, unmarked, a truncated
 * table reads as of any later time with every row it had before the truncate, next to the rows
 * changed since: the history shows too much, never too little.
 * A user records a truncate (or a drop) as a row of the truncation marks table
 * ({@link TRUNCATIONS_TABLE}, `table_name`, `truncated_at` in UTC):
 *
 * ```sql
 * INSERT INTO history_truncations VALUES ('banking', TIMESTAMP '2024-03-01 10:20:00')
 * ```
 *
 * As of any T, the latest mark M at or before T drops every change committed before M, commit
 * times counted in whole seconds: the table holds only the rows changed at or after M. With M
 * on a whole second, the changes of that second stay; mark the next second to drop the changes
 * of the truncate's own second too.
 *
 * Times are UTC, at millisecond precision (a JavaScript `Date`).
 */

/** The truncation marks of the change table: which relation holds them, and its table's name there. */
export interface TruncationMarks {
  /**
   * The relation of marks, inserted into the SQL as it is: a qualified name made with
   * {@link qualifiedTableName}, or a DuckDB expression such as `read_csv(...)`. Pass only
   * trusted text.
   */
  readonly tableReference: string;
  /** The name of the change table in the marks' `table_name` column: the dataset's name. */
  readonly tableName: string;
}

/** The change table of one source table, and which of its columns to return. */
export interface AsOfTableSpec {
  /**
   * The relation that holds the change rows, inserted into the SQL as it is: a qualified name
   * made with {@link qualifiedTableName} (`"ml_foundation"."banking"`), or an expression such
   * as DuckDB's `read_parquet('/data/banking/*.parquet')`. Pass only trusted text. Besides the
   * DMS columns it has the `generation` column and a `bi_<key>` column per primary key column.
   */
  readonly tableReference: string;
  /** The columns that identify a row of the source table; at least one. */
  readonly primaryKey: readonly string[];
  /** The source columns to return, in order; the primary key columns among them. */
  readonly columns: readonly string[];
  /** The truncation marks that apply to the table. */
  readonly truncations: TruncationMarks;
}

/**
 * The Glue table of truncation marks, one per catalog database: a row per truncate (or drop)
 * of a replicated source table.
 */
export const TRUNCATIONS_TABLE = {
  /** Name of the Glue table. */
  name: 'history_truncations',
  /** The dataset's (and change table's) name, a string. */
  tableColumn: 'table_name',
  /** When the truncate committed, UTC: a timestamp, or a string such as `2024-03-01 10:20:00`. */
  timeColumn: 'truncated_at',
} as const;

/**
 * The moment to read the table at: a fixed time, or a single `?` placeholder for an Athena
 * prepared statement or parameterized query (`EXECUTE stmt USING TIMESTAMP '...'`; see
 * {@link timestampLiteral}).
 */
export type AsOfTime = { readonly at: Date } | { readonly parameter: true };

/** Thrown when a table spec or a time cannot make a valid query; lists every problem. */
export class AsOfQueryError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Cannot build the as-of query: ${problems.join('; ')}`);
    this.name = 'AsOfQueryError';
  }
}

/** Names the query gives to what it computes; no source column may have them. */
const NAMES = {
  commitTime: 'as_of_commit_time',
  eventTime: 'as_of_event_time',
  time: 'as_of_time',
  generation: 'as_of_generation',
  truncatedAt: 'as_of_truncated_at',
  image: 'as_of_image',
  rank: 'as_of_rank',
} as const;
const RESERVED_COLUMNS: ReadonlySet<string> = new Set([
  ...Object.values(DMS_COLUMNS),
  GENERATION_COLUMN,
  ...Object.values(NAMES),
]);
const MAX_IDENTIFIER_LENGTH = 255;

/** The identifier in double quotes, with embedded double quotes doubled, as Trino and DuckDB read it. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"database"."table"`, quoted. */
export function qualifiedTableName(database: string, table: string): string {
  const problems = [
    ...identifierProblems('database name', database),
    ...identifierProblems('table name', table),
  ];
  if (problems.length > 0) throw new AsOfQueryError(problems);
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}

/** The time as a SQL timestamp literal in UTC: `TIMESTAMP '2024-03-01 10:00:00.000'`. */
export function timestampLiteral(at: Date): string {
  const problems = timeProblems(at);
  if (problems.length > 0) throw new AsOfQueryError(problems);
  return `TIMESTAMP '${at.toISOString().replace('T', ' ').replace('Z', '')}'`;
}

/**
 * The spec of a replicated dataset's change table in a Glue database: the table named like the
 * dataset, all its columns, and the database's truncation marks.
 */
export function replicatedTableSpec(
  databaseName: string,
  dataset: Pick<DatasetConfig, 'name' | 'primaryKey' | 'columns'>,
): AsOfTableSpec {
  return {
    tableReference: qualifiedTableName(databaseName, dataset.name),
    primaryKey: dataset.primaryKey,
    columns: dataset.columns.map((column) => column.name),
    truncations: {
      tableReference: qualifiedTableName(databaseName, TRUNCATIONS_TABLE.name),
      tableName: dataset.name,
    },
  };
}

/**
 * The SQL that returns `spec`'s table as it was at `time`: the `columns` of the latest change
 * of each key at or before that time, in the generation of that time and after the latest
 * truncation mark, leaving out keys whose latest change is a delete. The rows come in no
 * particular order. Throws {@link AsOfQueryError} for an invalid spec or time.
 */
export function asOfQuery(spec: AsOfTableSpec, time: AsOfTime): string {
  const problems = [...specProblems(spec), ...('at' in time ? timeProblems(time.at) : [])];
  if (problems.length > 0) throw new AsOfQueryError(problems);

  const { operation, commitTimestamp, changeSequence } = DMS_COLUMNS;
  const q = quoteIdentifier;
  const n = (name: keyof typeof NAMES) => q(NAMES[name]);
  const keys = new Set(spec.primaryKey);
  const columns = spec.columns.map(q);
  const beforeImages = spec.primaryKey.map((key) => q(beforeImageColumn(key)));
  const bound = 'at' in time ? timestampLiteral(time.at) : '?';

  // A `U` row whose before-image key differs from its key is also the delete of the old key:
  // the second image of such a row carries the before-image key and the operation `D`.
  const keyChanged = [
    ...spec.primaryKey.map((key) => `h.${q(beforeImageColumn(key))} IS NOT NULL`),
    `(${spec.primaryKey.map((key) => `h.${q(beforeImageColumn(key))} <> h.${q(key)}`).join(' OR ')})`,
  ].join(' AND ');
  const imageColumns = spec.columns.map((column) =>
    keys.has(column)
      ? `CASE ${n('image')} WHEN 1 THEN h.${q(column)} ELSE h.${q(beforeImageColumn(column))} END AS ${q(column)}`
      : `h.${q(column)}`,
  );
  const order = [
    `${n('commitTime')} DESC`,
    `NULLIF(${q(changeSequence)}, '') DESC NULLS LAST`,
    `CASE ${q(operation)} WHEN 'D' THEN 0 WHEN 'U' THEN 1 ELSE 2 END`,
    columns.map((column) => `${column} ASC NULLS LAST`).join(', '),
  ];
  const marks = spec.truncations;
  return [
    // Commit times at whole seconds, the precision of the source's commit times.
    `WITH "as_of_history" AS (`,
    `  SELECT ${[...columns, ...beforeImages, q(operation), q(changeSequence), q(GENERATION_COLUMN)].join(', ')},`,
    `    CAST(substr(CAST(${q(commitTimestamp)} AS VARCHAR), 1, 19) AS TIMESTAMP) AS ${n('commitTime')}`,
    `  FROM ${spec.tableReference.trim()}`,
    '),',
    `"as_of_truncations" AS (`,
    `  SELECT CAST(${q(TRUNCATIONS_TABLE.timeColumn)} AS TIMESTAMP) AS ${n('truncatedAt')}`,
    `  FROM ${marks.tableReference.trim()}`,
    `  WHERE ${q(TRUNCATIONS_TABLE.tableColumn)} = ${stringLiteral(marks.tableName)}`,
    '),',
    // The only use of the time: the latest event at or before it, which every later step
    // compares with, and the newest generation with a change or load by then.
    `"as_of_bound" AS (`,
    `  SELECT MAX(${n('eventTime')}) AS ${n('time')}, MAX(${q(GENERATION_COLUMN)}) AS ${n('generation')}`,
    '  FROM (',
    `    SELECT ${n('commitTime')} AS ${n('eventTime')}, ${q(GENERATION_COLUMN)} FROM "as_of_history"`,
    '    UNION ALL',
    `    SELECT ${n('truncatedAt')}, NULL FROM "as_of_truncations"`,
    `  ) AS "as_of_events"`,
    `  WHERE ${n('eventTime')} <= ${bound}`,
    '),',
    `"as_of_cut" AS (`,
    `  SELECT MAX(t.${n('truncatedAt')}) AS ${n('truncatedAt')}`,
    `  FROM "as_of_truncations" AS t CROSS JOIN "as_of_bound" AS b`,
    `  WHERE t.${n('truncatedAt')} <= b.${n('time')}`,
    '),',
    `"as_of_changes" AS (`,
    `  SELECT ${imageColumns.join(', ')},`,
    `    CASE ${n('image')} WHEN 1 THEN h.${q(operation)} ELSE 'D' END AS ${q(operation)},`,
    `    h.${q(changeSequence)}, h.${n('commitTime')}`,
    `  FROM "as_of_history" AS h`,
    `  CROSS JOIN "as_of_bound" AS b`,
    `  CROSS JOIN "as_of_cut" AS c`,
    `  CROSS JOIN (VALUES (1), (2)) AS "as_of_images" (${n('image')})`,
    `  WHERE h.${q(GENERATION_COLUMN)} = b.${n('generation')}`,
    `    AND h.${n('commitTime')} <= b.${n('time')}`,
    `    AND (c.${n('truncatedAt')} IS NULL OR h.${n('commitTime')} >= c.${n('truncatedAt')})`,
    `    AND (${n('image')} = 1 OR (h.${q(operation)} = 'U' AND ${keyChanged}))`,
    '),',
    `"as_of_ranked" AS (`,
    `  SELECT ${[...columns, q(operation)].join(', ')},`,
    '    ROW_NUMBER() OVER (',
    `      PARTITION BY ${spec.primaryKey.map(q).join(', ')}`,
    '      ORDER BY',
    `        ${order.join(',\n        ')}`,
    `    ) AS ${n('rank')}`,
    `  FROM "as_of_changes"`,
    ')',
    `SELECT ${columns.join(', ')}`,
    `FROM "as_of_ranked"`,
    // Full-load rows written without IncludeOpForFullLoad have no operation: they are inserts.
    `WHERE ${n('rank')} = 1 AND COALESCE(${q(operation)}, 'I') <> 'D'`,
  ].join('\n');
}

/** The text as a SQL string literal, with embedded single quotes doubled. */
function stringLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function identifierProblems(what: string, name: string): string[] {
  if (typeof name !== 'string' || name.length === 0) return [`${what} must not be empty`];
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    return [`${what} "${name.slice(0, 40)}..." is longer than ${MAX_IDENTIFIER_LENGTH} characters`];
  }
  if (hasControlCharacter(name)) return [`${what} ${JSON.stringify(name)} has a control character`];
  if (name.trim() !== name) return [`${what} "${name}" starts or ends with white space`];
  return [];
}

function specProblems(spec: AsOfTableSpec): string[] {
  const problems: string[] = [];
  if (!spec.tableReference || spec.tableReference.trim() === '') {
    problems.push('the table reference must not be empty');
  }
  if (spec.columns.length === 0) problems.push('at least one column is needed');
  if (spec.primaryKey.length === 0) problems.push('at least one primary key column is needed');

  const beforeImages = new Map(spec.primaryKey.map((key) => [beforeImageColumn(key), key]));
  const seen = new Set<string>();
  for (const column of spec.columns) {
    problems.push(...identifierProblems('column name', column));
    if (seen.has(column)) problems.push(`column "${column}" is listed twice`);
    seen.add(column);
    if (RESERVED_COLUMNS.has(column)) {
      problems.push(`column "${column}" clashes with a column of the change table`);
    }
    const key = beforeImages.get(column);
    if (key !== undefined) {
      problems.push(
        `column "${column}" clashes with the before-image column of primary key column "${key}"`,
      );
    }
  }
  const keys = new Set<string>();
  for (const key of spec.primaryKey) {
    if (keys.has(key)) problems.push(`primary key column "${key}" is listed twice`);
    keys.add(key);
    if (!seen.has(key)) problems.push(`primary key column "${key}" is not one of the columns`);
  }

  const marks = spec.truncations;
  if (!marks.tableReference || marks.tableReference.trim() === '') {
    problems.push('the truncation marks reference must not be empty');
  }
  problems.push(...identifierProblems('truncation marks table name', marks.tableName));
  return problems;
}

function timeProblems(at: Date): string[] {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) return ['the time is not a valid date'];
  const year = at.getUTCFullYear();
  if (year < 1 || year > 9999) {
    return [`the time ${at.toISOString()} is outside the years 0001 to 9999`];
  }
  return [];
}
