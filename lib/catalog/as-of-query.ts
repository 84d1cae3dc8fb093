import { DMS_COLUMNS } from '../replication/dms-columns';

/**
 * The "table as of time T" query over a DMS change history.
 *
 * DMS writes one row per change: the operation (`I`, `U`, `D`; full-load rows are `I`), the
 * commit time, the source's change sequence, then the row's columns. The table as it was at T is,
 * for every primary key, the latest change committed at or before T, unless that change is a
 * delete. The SQL is portable: it runs on Athena (Trino) and on DuckDB.
 *
 * Ordering of the changes of one key, latest first:
 * 1. commit time, latest first. The column is read with `CAST(... AS TIMESTAMP)` for the
 *    comparison with T, so that it may be a timestamp or DMS's own string form
 *    (`yyyy-MM-dd HH:mm:ss.SSSSSS`, which DMS writes to Parquet as a string); it is ordered as
 *    stored, which for both forms is chronological at full precision.
 * 2. change sequence, highest first, empty or NULL (full-load rows) last: a change captured in
 *    the same instant as a full-load row was made after the load read the row.
 * 3. operation, delete before update before insert. Only changes without a sequence get here;
 *    in a row's life an update follows an insert and a delete follows either, so that order
 *    names the last of them.
 * 4. the returned columns, so that even exact ties (a change DMS wrote twice) pick the same row
 *    on every run and every engine.
 *
 * Full-load rows carry the task's start time (the replication sets
 * `UseTaskStartTimeForFullLoadTimestamp`), which is before any change captured during the load,
 * so a change to a row that the load had already read wins over the loaded image. Were full-load
 * rows stamped with their transfer time instead, such a change would be hidden behind the older
 * image until the next change to that row.
 *
 * Times are UTC, at millisecond precision (a JavaScript `Date`). Athena reads timestamps at
 * millisecond precision too; DuckDB keeps microseconds, so there a change 0.4 ms after T is
 * after T, while Athena may round it to T.
 */

/** The change table of one source table, and which of its columns to return. */
export interface AsOfTableSpec {
  /**
   * The relation that holds the change rows, inserted into the SQL as it is: a qualified name
   * made with {@link qualifiedTableName} (`"ml_foundation"."banking"`), or an expression such
   * as DuckDB's `read_parquet('/data/banking/*.parquet')`. Pass only trusted text.
   */
  readonly tableReference: string;
  /** The columns that identify a row of the source table; at least one. */
  readonly primaryKey: readonly string[];
  /** The source columns to return, in order; the primary key columns among them. */
  readonly columns: readonly string[];
}

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

/** Column of the inner query that ranks the changes of one key, 1 for the latest. */
const RANK_COLUMN = 'as_of_rank';
const RESERVED_COLUMNS: ReadonlySet<string> = new Set([...Object.values(DMS_COLUMNS), RANK_COLUMN]);
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
 * The SQL that returns `spec`'s table as it was at `time`: the `columns` of the latest change
 * of each key at or before that time, leaving out keys whose latest change is a delete. The
 * rows come in no particular order. Throws {@link AsOfQueryError} for an invalid spec or time.
 */
export function asOfQuery(spec: AsOfTableSpec, time: AsOfTime): string {
  const problems = [...specProblems(spec), ...('at' in time ? timeProblems(time.at) : [])];
  if (problems.length > 0) throw new AsOfQueryError(problems);

  const { operation, commitTimestamp, changeSequence } = DMS_COLUMNS;
  const q = quoteIdentifier;
  const columns = spec.columns.map(q);
  const bound = 'at' in time ? timestampLiteral(time.at) : '?';
  const order = [
    `${q(commitTimestamp)} DESC`,
    `NULLIF(${q(changeSequence)}, '') DESC NULLS LAST`,
    `CASE ${q(operation)} WHEN 'D' THEN 0 WHEN 'U' THEN 1 ELSE 2 END`,
    columns.map((column) => `${column} ASC NULLS LAST`).join(', '),
  ];
  return [
    `SELECT ${columns.join(', ')}`,
    'FROM (',
    `  SELECT ${[...columns, q(operation)].join(', ')},`,
    '    ROW_NUMBER() OVER (',
    `      PARTITION BY ${spec.primaryKey.map(q).join(', ')}`,
    '      ORDER BY',
    `        ${order.join(',\n        ')}`,
    `    ) AS ${q(RANK_COLUMN)}`,
    `  FROM ${spec.tableReference.trim()}`,
    `  WHERE CAST(${q(commitTimestamp)} AS TIMESTAMP) <= ${bound}`,
    `) AS ${q('latest_change')}`,
    // Full-load rows written without IncludeOpForFullLoad have no operation: they are inserts.
    `WHERE ${q(RANK_COLUMN)} = 1 AND COALESCE(${q(operation)}, 'I') <> 'D'`,
  ].join('\n');
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

  const seen = new Set<string>();
  for (const column of spec.columns) {
    problems.push(...identifierProblems('column name', column));
    if (seen.has(column)) problems.push(`column "${column}" is listed twice`);
    seen.add(column);
    if (RESERVED_COLUMNS.has(column)) {
      problems.push(`column "${column}" clashes with a column of the change table`);
    }
  }
  const keys = new Set<string>();
  for (const key of spec.primaryKey) {
    if (keys.has(key)) problems.push(`primary key column "${key}" is listed twice`);
    keys.add(key);
    if (!seen.has(key)) problems.push(`primary key column "${key}" is not one of the columns`);
  }
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
