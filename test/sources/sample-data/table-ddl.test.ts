import { BANKING_DATASET, datasetSchema } from '../../../lib/config/dataset';
import {
  mysqlColumnType,
  parseColumnType,
  redshiftColumnType,
  valueProblem,
} from '../../../lib/sources/sample-data/column-types';
import {
  checkDatasetTable,
  commentLiteral,
  mysqlTableStatements,
  quoteMySql,
  quoteRedshift,
  redshiftTableStatements,
} from '../../../lib/sources/sample-data/table-ddl';

const BANKING = datasetSchema.parse(BANKING_DATASET);

describe('column types', () => {
  // Redshift: "Data types" (c_Supported_data_types) lists no TINYINT and makes FLOAT a FLOAT8;
  // "Character types" (r_Character_types): VARCHAR lengths are bytes, at most 65535, and TEXT is
  // a VARCHAR(256); "federated-data-types" maps MySQL FLOAT to REAL and TINYINT(1) to BOOLEAN.
  test.each([
    ['tinyint', 'TINYINT', 'SMALLINT'],
    ['smallint', 'SMALLINT', 'SMALLINT'],
    ['int', 'INT', 'INTEGER'],
    ['integer', 'INT', 'INTEGER'],
    ['bigint', 'BIGINT', 'BIGINT'],
    ['boolean', 'BOOLEAN', 'BOOLEAN'],
    ['bool', 'BOOLEAN', 'BOOLEAN'],
    ['float', 'FLOAT', 'REAL'],
    ['real', 'DOUBLE', 'DOUBLE PRECISION'],
    ['double', 'DOUBLE', 'DOUBLE PRECISION'],
    ['decimal(10,2)', 'DECIMAL(10,2)', 'DECIMAL(10,2)'],
    ['numeric(6, 3)', 'DECIMAL(6,3)', 'DECIMAL(6,3)'],
    ['char(3)', 'CHAR(3)', 'CHAR(3)'],
    ['varchar(32)', 'VARCHAR(32)', 'VARCHAR(128)'],
    ['VARCHAR(16383)', 'VARCHAR(16383)', 'VARCHAR(65532)'],
    ['varchar(16384)', 'VARCHAR(16384)', 'VARCHAR(65535)'],
    ['text', 'TEXT', 'VARCHAR(65535)'],
    ['date', 'DATE', 'DATE'],
    ['datetime', 'DATETIME', 'TIMESTAMP'],
    ['timestamp', 'TIMESTAMP', 'TIMESTAMP'],
  ])('%s is %s in MySQL and %s in Redshift', (sqlType, mysql, redshift) => {
    const type = parseColumnType(sqlType);
    expect(mysqlColumnType(type)).toBe(mysql);
    expect(redshiftColumnType(type)).toBe(redshift);
  });

  test('an unknown type is refused by name', () => {
    expect(() => parseColumnType('geometry')).toThrow(
      'no table column type for the SQL type "geometry"',
    );
    expect(() => parseColumnType('varchar(3,1)')).toThrow('"varchar(3,1)"');
  });

  test.each([
    ['int', 2_147_483_648, '2147483648 is not a whole number from -2147483648 to 2147483647 (int)'],
    ['tinyint', 1.5, '1.5 is not a whole number from -128 to 127 (tinyint)'],
    ['boolean', 1, '1 is not a boolean'],
    ['double', Number.NaN, 'null is not a finite number'],
    ['decimal(4,1)', 1.1, '1.1 is not a decimal(4,1) written as a string'],
    ['decimal(4,1)', '1234.5', '"1234.5" is not a decimal(4,1) written as a string'],
    ['decimal(4,1)', '1.25', '"1.25" is not a decimal(4,1) written as a string'],
    ['varchar(3)', 'abcd', '"abcd" is longer than varchar(3)'],
    ['varchar(3)', 'a\\b', '"a\\\\b" holds a control character or a backslash'],
    ['varchar(3)', 'a\nb', '"a\\nb" holds a control character or a backslash'],
    ['char(2)', 'é', '"é" has multibyte characters, which a Redshift CHAR cannot hold'],
    ['date', '2024-1-1', '"2024-1-1" is not a date (YYYY-MM-DD)'],
    ['timestamp', '2024-01-01T00:00:00Z', 'is not a timestamp (YYYY-MM-DD hh:mm:ss)'],
  ])('a %s refuses %p', (sqlType, value, problem) => {
    expect(valueProblem(parseColumnType(sqlType), value)).toContain(problem);
  });

  test.each([
    ['decimal(4,1)', '-123.4'],
    ['decimal(3,3)', '0.125'],
    ['decimal(5,3)', '0.634'],
    ['varchar(4)', 'Ünï€'],
    ['text', "it's"],
    ['int', null],
    ['datetime', '2024-02-29 12:34:56.123456'],
  ])('a %s takes %p', (sqlType, value) => {
    expect(valueProblem(parseColumnType(sqlType), value)).toBeUndefined();
  });
});

describe('MySQL DDL', () => {
  test('creates the database and the table if they do not exist, every identifier quoted', () => {
    const [database, table] = mysqlTableStatements(BANKING);
    expect(database).toBe('CREATE DATABASE IF NOT EXISTS `banking` DEFAULT CHARACTER SET utf8mb4');
    expect(table.split('\n')).toEqual([
      'CREATE TABLE IF NOT EXISTS `banking`.`banking` (',
      '  `id` BIGINT NOT NULL,',
      '  `age` INT NULL,',
      '  `job` VARCHAR(32) NULL,',
      '  `marital` VARCHAR(32) NULL,',
      '  `education` VARCHAR(32) NULL,',
      '  `default` VARCHAR(32) NULL,',
      '  `housing` VARCHAR(32) NULL,',
      '  `loan` VARCHAR(32) NULL,',
      '  `contact` VARCHAR(32) NULL,',
      '  `month` VARCHAR(32) NULL,',
      '  `day_of_week` VARCHAR(32) NULL,',
      '  `duration` INT NULL,',
      '  `campaign` INT NULL,',
      '  `pdays` INT NULL,',
      '  `previous` INT NULL,',
      '  `poutcome` VARCHAR(32) NULL,',
      '  `emp_var_rate` DECIMAL(4,1) NULL,',
      '  `cons_price_idx` DECIMAL(6,3) NULL,',
      '  `cons_conf_idx` DECIMAL(4,1) NULL,',
      '  `euribor3m` DECIMAL(5,3) NULL,',
      '  `nr_employed` DECIMAL(6,1) NULL,',
      '  `y` BOOLEAN NULL,',
      '  PRIMARY KEY (`id`)',
      ') ENGINE=InnoDB DEFAULT CHARACTER SET utf8mb4',
    ]);
  });

  test('avoids what MySQL 8.4 and MariaDB 10.11 read differently', () => {
    const ddl = mysqlTableStatements(BANKING).join('\n');
    expect(ddl).not.toMatch(/COLLATE|utf8mb4_0900|INT\(\d+\)/i);
  });

  test('carries a comment when asked', () => {
    const [, table] = mysqlTableStatements(BANKING, { comment: 'Synthetic rows: not real' });
    expect(table).toMatch(/ DEFAULT CHARACTER SET utf8mb4 COMMENT='Synthetic rows: not real'$/);
  });

  test('quotes identifiers with embedded quotes doubled', () => {
    expect(quoteMySql('a`b')).toBe('`a``b`');
    expect(quoteRedshift('a"b')).toBe('"a""b"');
  });
});

describe('Redshift DDL', () => {
  test('creates the schema and the table if they do not exist, every identifier quoted', () => {
    const [schema, table, ...rest] = redshiftTableStatements(BANKING);
    expect(schema).toBe('CREATE SCHEMA IF NOT EXISTS "public"');
    expect(table).toMatch(
      /^CREATE TABLE IF NOT EXISTS "public"\."banking" \(\n {2}"id" BIGINT NOT NULL,\n/,
    );
    expect(table).toContain('\n  "default" VARCHAR(128) NULL,\n');
    expect(table).toContain('\n  "emp_var_rate" DECIMAL(4,1) NULL,\n');
    expect(table).toMatch(/\n {2}"y" BOOLEAN NULL,\n {2}PRIMARY KEY \("id"\)\n\)$/);
    expect(rest).toEqual([]);
  });

  test('comments on the table when asked', () => {
    expect(redshiftTableStatements(BANKING, { comment: 'Synthetic' })[2]).toBe(
      `COMMENT ON TABLE "public"."banking" IS 'Synthetic'`,
    );
  });
});

describe('table checks', () => {
  const dataset = (columns: Array<{ name: string; type: string }>, primaryKey = ['id']) =>
    datasetSchema.parse({ name: 't', mysqlDatabase: 'd', primaryKey, columns });

  test('the default datasets have none', () => {
    const report = jest.fn();
    checkDatasetTable(BANKING, ['datasets', 0], report);
    expect(report).not.toHaveBeenCalled();
  });

  test('report every type neither engine can create, with its path', () => {
    const report = jest.fn();
    checkDatasetTable(
      dataset([
        { name: 'id', type: 'int' },
        { name: 'a', type: 'char(300)' },
        { name: 'b', type: 'varchar(20000)' },
        { name: 'c', type: 'decimal(40,2)' },
        { name: 'd', type: 'decimal(5,6)' },
        { name: 'e', type: 'decimal(38,31)' },
        { name: 'f', type: 'varchar(0)' },
      ]),
      ['datasets', 2],
      report,
    );
    expect(report.mock.calls).toEqual([
      [
        ['datasets', 2, 'columns', 1, 'type'],
        "MySQL's CHAR holds at most 255 characters: use varchar(n)",
      ],
      [
        ['datasets', 2, 'columns', 2, 'type'],
        "MySQL's utf8mb4 VARCHAR holds at most 16383 characters: use text",
      ],
      [['datasets', 2, 'columns', 3, 'type'], 'a decimal has 1 to 38 digits in Redshift and Glue'],
      [['datasets', 2, 'columns', 4, 'type'], "a decimal's scale (6) cannot exceed its precision"],
      [
        ['datasets', 2, 'columns', 5, 'type'],
        "MySQL's decimals have at most 30 digits after the point",
      ],
      [['datasets', 2, 'columns', 6, 'type'], 'varchar(0) has no room for a character'],
    ]);
  });

  test('report a primary key MySQL cannot index', () => {
    const report = jest.fn();
    checkDatasetTable(
      dataset(
        [
          { name: 'id', type: 'text' },
          { name: 'a', type: 'varchar(500)' },
          { name: 'b', type: 'varchar(300)' },
        ],
        ['id', 'a', 'b'],
      ),
      [],
      report,
    );
    expect(report.mock.calls).toEqual([
      [
        ['primaryKey', 0],
        '"id" is a text column, which MySQL cannot index whole: declare it varchar(n)',
      ],
      [
        ['primaryKey'],
        "the primary key takes up to 3200 bytes in MySQL (utf8mb4), more than InnoDB's 3072",
      ],
    ]);
  });

  test('the DDL refuses such a dataset with one error listing every problem', () => {
    const bad = dataset([
      { name: 'id', type: 'int' },
      { name: 'a', type: 'char(300)' },
      { name: 'b', type: 'decimal(40,2)' },
    ]);
    const message =
      'The table of dataset "t" cannot be created: columns.1.type: MySQL\'s CHAR holds at most 255 characters: use varchar(n); columns.2.type: a decimal has 1 to 38 digits in Redshift and Glue.';
    expect(() => mysqlTableStatements(bad)).toThrow(message);
    expect(() => redshiftTableStatements(bad)).toThrow(message);
  });

  test('a comment must need no escaping', () => {
    expect(() => commentLiteral("it's")).toThrow('A table comment may hold only letters');
    expect(() => commentLiteral('back\\slash')).toThrow('A table comment may hold only letters');
    expect(commentLiteral('Synthetic (4000 rows, seed 1): not real')).toBe(
      "'Synthetic (4000 rows, seed 1): not real'",
    );
  });
});
