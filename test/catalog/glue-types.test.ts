import { glueColumnType } from '../../lib/catalog/glue-types';

/*
 * Each dataset SQL type (lib/config/dataset.ts) through DMS's two mappings to the type Athena
 * must declare for the Parquet column DMS writes. Athena reads a Parquet column only as the
 * type it is stored with.
 * - MySQL to DMS: "Source data types for MySQL",
 *   https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.MySQL.html#CHAP_Source.MySQL.DataTypes
 * - DMS to Parquet: "Target data types for S3 Parquet",
 *   https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html#CHAP_Target.S3.DataTypes
 * - MySQL's own synonyms: https://dev.mysql.com/doc/refman/8.4/en/numeric-type-syntax.html
 */
describe('glueColumnType', () => {
  test.each([
    // MySQL TINYINT -> DMS INT1 -> Parquet INT8.
    ['tinyint', 'tinyint'],
    // MySQL SMALLINT -> DMS INT2 -> Parquet INT16.
    ['smallint', 'smallint'],
    // MySQL INT -> DMS INT4 -> Parquet INT32.
    ['int', 'int'],
    // MySQL INTEGER is a synonym for INT -> DMS INT4 -> Parquet INT32.
    ['integer', 'int'],
    // MySQL BIGINT -> DMS INT8 -> Parquet INT64.
    ['bigint', 'bigint'],
    // MySQL BOOLEAN and BOOL are synonyms for TINYINT(1) -> DMS INT1; the table mapping's
    // change-data-type rule makes it DMS BOOLEAN -> Parquet BOOL. (That the rule accepts a
    // TINYINT(1) source is not spelled out in the guide: the first task run shows it, as a
    // Parquet INT8 under a Glue boolean fails every query.)
    ['boolean', 'boolean'],
    ['bool', 'boolean'],
    // MySQL FLOAT -> DMS "REAL(DOUBLE)" -> Parquet DOUBLE (DMS REAL8). A Glue float over a
    // Parquet double fails in Athena.
    ['float', 'double'],
    // MySQL REAL is a synonym for DOUBLE (without the REAL_AS_FLOAT SQL mode) -> DMS REAL8 ->
    // Parquet DOUBLE.
    ['real', 'double'],
    // MySQL DOUBLE -> DMS REAL8 -> Parquet DOUBLE.
    ['double', 'double'],
    // MySQL DECIMAL(p,s) -> DMS NUMERIC(p,s) ("DECIMAL(10) -> NUMERIC (10,0)") -> Parquet DECIMAL.
    ['decimal(10,2)', 'decimal(10,2)'],
    // MySQL NUMERIC is DECIMAL.
    ['numeric(6, 3)', 'decimal(6,3)'],
    ['decimal(38,0)', 'decimal(38,0)'],
    // MySQL CHAR -> DMS WSTRING -> Parquet STRING.
    ['char(3)', 'string'],
    // MySQL VARCHAR(n) -> DMS WSTRING(n) -> Parquet STRING.
    ['VARCHAR(64)', 'string'],
    // MySQL TEXT -> DMS WSTRING -> Parquet STRING.
    ['text', 'string'],
    // MySQL DATE -> DMS DATE -> Parquet DATE32.
    ['date', 'date'],
    // MySQL DATETIME -> DMS DATETIME ("the time remains the same on the target. It is not
    // converted to UTC") -> Parquet TIMESTAMP, in milliseconds with ParquetTimestampInMillisecond.
    ['datetime', 'timestamp'],
    // MySQL TIMESTAMP -> DMS DATETIME ("the time is converted to UTC on the target") -> Parquet
    // TIMESTAMP.
    ['timestamp', 'timestamp'],
  ])('%s is read as %s', (sqlType, glueType) => {
    expect(glueColumnType(sqlType)).toBe(glueType);
  });

  test('an unknown type is refused by name', () => {
    expect(() => glueColumnType('geometry')).toThrow('no Glue type for the SQL type "geometry"');
  });

  test.each(['decimal(39,2)', 'decimal(65,30)', 'decimal(0,0)', 'decimal(4,5)'])(
    // MySQL allows DECIMAL precision up to 65; Athena's decimal holds at most 38 digits
    // (https://docs.aws.amazon.com/athena/latest/ug/data-types.html).
    'a decimal Athena cannot read is refused: %s',
    (sqlType) => {
      expect(() => glueColumnType(sqlType)).toThrow(
        `no Glue type for the SQL type "${sqlType}": a decimal has a precision from 1 to 38 and a scale no larger than its precision`,
      );
    },
  );
});
