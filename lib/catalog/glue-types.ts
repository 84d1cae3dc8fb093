/**
 * The Glue (Hive) type of a dataset column, as Athena reads it from the Parquet files DMS
 * writes for a MySQL column of that SQL type:
 * - integers keep their width; MySQL's `real` is a double;
 * - `boolean` columns are written as Parquet booleans (the table mapping pins their DMS type);
 * - `datetime` and `timestamp` become Parquet timestamps in milliseconds
 *   (`ParquetTimestampInMillisecond`), the precision Athena reads;
 * - character types are strings: Parquet does not keep their length.
 */
export function glueColumnType(sqlType: string): string {
  const type = sqlType.replace(/\s+/g, '').toLowerCase();
  const decimal = /^(?:decimal|numeric)\((\d+),(\d+)\)$/.exec(type);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  if (/^(?:char|varchar)\(\d+\)$/.test(type)) return 'string';
  const glueType = SIMPLE_TYPES[type];
  if (!glueType) throw new Error(`no Glue type for the SQL type "${sqlType}"`);
  return glueType;
}

const SIMPLE_TYPES: Readonly<Record<string, string>> = {
  tinyint: 'tinyint',
  smallint: 'smallint',
  int: 'int',
  integer: 'int',
  bigint: 'bigint',
  boolean: 'boolean',
  bool: 'boolean',
  float: 'float',
  real: 'double',
  double: 'double',
  date: 'date',
  datetime: 'timestamp',
  timestamp: 'timestamp',
  text: 'string',
};
