import type { DatasetConfig } from '../../config/dataset';
import type { ColumnType, SqlValue } from './column-types';
import { parseColumnType, valueProblem } from './column-types';
import { mysqlTableName, quoteMySql, quoteRedshift } from './table-ddl';

/**
 * Multi-row INSERT statements for a dataset's rows, cut into pieces each engine accepts:
 * - MySQL: `?` placeholders for mysql2 (server-side prepared statements with `execute`, or
 *   client-side escaping with `query`);
 * - Redshift: literal values, for the Data API. Its named parameters cannot carry NULL or an
 *   empty string, and the Data API documentation says only ExecuteStatement takes them (the
 *   current API model lets BatchExecuteStatement share one parameter list across the whole
 *   batch); the values are checked against their column types before they are written out.
 * The statements only insert: making a load idempotent is up to the caller (see
 * `mysql-table-setup.ts` and `redshift-table-batch.ts`).
 */

type Row = Readonly<Record<string, SqlValue>>;

/** A statement with `?` placeholders and the values that fill them, in order. */
export interface ParameterizedStatement {
  readonly sql: string;
  readonly values: SqlValue[];
}

/**
 * The most placeholders in one MySQL prepared statement: the binary protocol counts them in two
 * bytes (MySQL's error 1390, ER_PS_MANY_PARAM; MariaDB's too).
 */
export const MYSQL_MAX_PLACEHOLDERS = 65_535;
/** Rows per MySQL INSERT unless asked otherwise. */
export const MYSQL_DEFAULT_ROWS_PER_INSERT = 1000;
/**
 * Bytes of values per MySQL INSERT unless asked otherwise: a quarter of the smallest default
 * `max_allowed_packet` among the servers the statements run on (16 MiB in MariaDB 10.11; 64 MiB
 * in MySQL 8.4).
 */
export const MYSQL_DEFAULT_BYTES_PER_INSERT = 4 * 1024 * 1024;

/**
 * The most SQL statements in one BatchExecuteStatement call.
 * Source: Redshift Data API model (botocore `redshift-data` 2019-12-20), `SqlList` max 40.
 */
export const REDSHIFT_DATA_API_MAX_STATEMENTS = 40;
/**
 * The longest statement the Data API takes: "The maximum query statement size is 100 KB"
 * (Amazon Redshift Management Guide, "Considerations when calling the Amazon Redshift Data
 * API"). The guide does not say whether a KB is 1,000 or 1,024 bytes; this is the smaller.
 */
export const REDSHIFT_DATA_API_MAX_STATEMENT_BYTES = 100_000;

/** Limits of the MySQL INSERT statements. */
export interface MySqlInsertLimits {
  /**
   * The most rows per statement (capped so that no statement has more than 65,535 placeholders).
   * @default MYSQL_DEFAULT_ROWS_PER_INSERT
   */
  readonly maxRows?: number;
  /**
   * The most bytes of values per statement, estimated generously.
   * @default MYSQL_DEFAULT_BYTES_PER_INSERT
   */
  readonly maxBytes?: number;
}

/** Checks every value of every row against its column type, failing on the first misfit. */
function checkedValues(dataset: DatasetConfig, rows: readonly Row[]): SqlValue[][] {
  const types = dataset.columns.map((column) => parseColumnType(column.type));
  return rows.map((row, index) =>
    dataset.columns.map((column, columnIndex) => {
      if (!Object.hasOwn(row, column.name)) {
        throw new Error(`Row ${index + 1} of "${dataset.name}" has no value for "${column.name}".`);
      }
      const value = row[column.name];
      const problem = valueProblem(types[columnIndex], value);
      if (problem) {
        throw new Error(
          `Row ${index + 1} of "${dataset.name}", column "${column.name}": ${problem}.`,
        );
      }
      return value;
    }),
  );
}

/** Cuts `items` into runs of at most `maxItems` and at most `maxBytes` by `bytes`. */
function chunk<T>(
  items: readonly T[],
  maxItems: number,
  maxBytes: number,
  bytes: (item: T) => number,
  tooLarge: (item: T, index: number) => Error,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  items.forEach((item, index) => {
    const itemBytes = bytes(item);
    if (itemBytes > maxBytes) throw tooLarge(item, index);
    if (current.length === maxItems || size + itemBytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += itemBytes;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** An upper bound of a value's size in the binary protocol (type, length and data). */
function mysqlValueBytes(value: SqlValue): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') + 11 : 11;
}

/** INSERT statements with `?` placeholders that together insert `rows` into the dataset's table. */
export function mysqlInsertStatements(
  dataset: DatasetConfig,
  rows: readonly Row[],
  limits: MySqlInsertLimits = {},
): ParameterizedStatement[] {
  const columns = dataset.columns.map((column) => quoteMySql(column.name)).join(', ');
  const placeholders = `(${dataset.columns.map(() => '?').join(', ')})`;
  const maxRows = Math.min(
    limits.maxRows ?? MYSQL_DEFAULT_ROWS_PER_INSERT,
    Math.floor(MYSQL_MAX_PLACEHOLDERS / dataset.columns.length),
  );
  const maxBytes = limits.maxBytes ?? MYSQL_DEFAULT_BYTES_PER_INSERT;
  const chunks = chunk(
    checkedValues(dataset, rows),
    maxRows,
    maxBytes,
    (values) => values.reduce((sum: number, value) => sum + mysqlValueBytes(value), 0),
    (_values, index) =>
      new Error(`Row ${index + 1} of "${dataset.name}" is larger than ${maxBytes} bytes.`),
  );
  return chunks.map((values) => ({
    sql: `INSERT INTO ${mysqlTableName(dataset)} (${columns}) VALUES ${values.map(() => placeholders).join(', ')}`,
    values: values.flat(),
  }));
}

/**
 * A Redshift literal for a value of a column type. The value must fit the type (see
 * `valueProblem`, which also refuses backslashes and control characters in strings, so that a
 * quote doubled is the only escape a string needs).
 */
export function redshiftLiteral(type: ColumnType, value: SqlValue): string {
  const problem = valueProblem(type, value);
  if (problem) throw new Error(problem);
  if (value === null) return 'NULL';
  switch (type.kind) {
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'integer':
    case 'float':
    case 'decimal':
      return String(value);
    default:
      return `'${String(value).replace(/'/g, "''")}'`;
  }
}

/**
 * INSERT statements with literal values that together insert `rows` into `table` (quoted),
 * which has the dataset's columns; each statement is at most `maxStatementBytes` long.
 */
export function redshiftInsertStatements(
  table: string,
  dataset: DatasetConfig,
  rows: readonly Row[],
  maxStatementBytes = REDSHIFT_DATA_API_MAX_STATEMENT_BYTES,
): string[] {
  const types = dataset.columns.map((column) => parseColumnType(column.type));
  const head = `INSERT INTO ${table} (${dataset.columns.map((column) => quoteRedshift(column.name)).join(', ')}) VALUES\n`;
  const separator = ',\n';
  const tuples = checkedValues(dataset, rows).map(
    (values) =>
      `(${values.map((value, index) => redshiftLiteral(types[index], value)).join(', ')})`,
  );
  const room = maxStatementBytes - Buffer.byteLength(head, 'utf8');
  const chunks = chunk(
    tuples,
    Number.MAX_SAFE_INTEGER,
    room,
    (tuple) => Buffer.byteLength(tuple, 'utf8') + separator.length,
    (_tuple, index) =>
      new Error(
        `Row ${index + 1} of "${dataset.name}" does not fit a Redshift Data API statement of ${maxStatementBytes} bytes.`,
      ),
  );
  return chunks.map((chunkTuples) => head + chunkTuples.join(separator));
}
