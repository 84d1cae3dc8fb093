/**
 * The Glue (Hive) type of a dataset column, as Athena reads it from the Parquet files DMS
 * writes for a MySQL column of that SQL type. Athena reads a Parquet column only as the type it
 * is stored with, so each type follows DMS's two mappings, MySQL to DMS and DMS to Parquet:
 * - integers keep their width; MySQL's `float` and `real` are both written as doubles (DMS reads
 *   FLOAT as `REAL(DOUBLE)`; MySQL stores REAL as DOUBLE);
 * - `boolean` columns are written as Parquet booleans (the table mapping pins their DMS type);
 * - decimals keep precision and scale, up to Athena's precision of 38;
 * - `datetime` and `timestamp` become Parquet timestamps in milliseconds
 *   (`ParquetTimestampInMillisecond`), the precision Athena reads; a `datetime` keeps the
 *   source's wall-clock time, a `timestamp` is in UTC;
 * - character types are strings: Parquet does not keep their length.
 */
export function glueColumnType(sqlType: string): string {
  const type = sqlType.replace(/\s+/g, '').toLowerCase();
  const decimal = /^(?:decimal|numeric)\((\d+),(\d+)\)$/.exec(type);
  if (decimal) return decimalType(sqlType, Number(decimal[1]), Number(decimal[2]));
  if (/^(?:char|varchar)\(\d+\)$/.test(type)) return 'string';
  const glueType = SIMPLE_TYPES[type];
  if (!glueType) throw new Error(`no Glue type for the SQL type "${sqlType}"`);
  return glueType;
}

/** The largest decimal precision Athena reads. */
const MAX_DECIMAL_PRECISION = 38;

function decimalType(sqlType: string, precision: number, scale: number): string {
  if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale > precision) {
    throw new Error(
      `no Glue type for the SQL type "${sqlType}": a decimal has a precision from 1 to ${MAX_DECIMAL_PRECISION} and a scale no larger than its precision`,
    );
  }
  return `decimal(${precision},${scale})`;
}

const SIMPLE_TYPES: Readonly<Record<string, string>> = {
  tinyint: 'tinyint',
  smallint: 'smallint',
  int: 'int',
  integer: 'int',
  bigint: 'bigint',
  boolean: 'boolean',
  bool: 'boolean',
  float: 'double',
  real: 'double',
  double: 'double',
  date: 'date',
  datetime: 'timestamp',
  timestamp: 'timestamp',
  text: 'string',
};
