import type { DatasetConfig } from '../../config/dataset';
import type { ConfigPath, ReportIssue } from '../../config/issues';
import type { ColumnType } from './column-types';
import { mysqlColumnType, parseColumnType, redshiftColumnType } from './column-types';

/**
 * The statements that create a dataset's table in its source databases, derived from the
 * dataset's columns as the Glue table is: every column in order, the primary key, nothing else.
 * Each statement can run again without effect (`IF NOT EXISTS`), and every identifier is quoted,
 * since dataset columns such as `default` are reserved words in MySQL, MariaDB and Redshift.
 *
 * The MySQL statements keep to what MySQL 8.4 and MariaDB 10.11 read alike: no collation (their
 * utf8mb4 defaults differ), no integer display widths, an explicit NULL on every column that may
 * be null (so that a TIMESTAMP never gets MySQL's automatic defaults).
 */

/** A MySQL identifier in backticks, as MySQL and MariaDB read it. */
export function quoteMySql(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}

/** A Redshift identifier in double quotes. */
export function quoteRedshift(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** `` `database`.`table` ``: the dataset's MySQL table. */
export function mysqlTableName(dataset: DatasetConfig): string {
  return `${quoteMySql(dataset.mysqlDatabase)}.${quoteMySql(dataset.name)}`;
}

/** `"schema"."table"`: the dataset's Redshift table. */
export function redshiftTableName(dataset: DatasetConfig): string {
  return `${quoteRedshift(dataset.redshiftSchema)}.${quoteRedshift(dataset.name)}`;
}

/** MySQL's CHAR holds at most 255 characters. */
const MYSQL_MAX_CHAR = 255;
/** A utf8mb4 VARCHAR holds at most 65,535 bytes, 16,383 characters of four bytes. */
const MYSQL_MAX_VARCHAR = 16_383;
/** Redshift (and Glue) decimals have at most 38 digits; MySQL's have at most 30 after the point. */
const MAX_DECIMAL_PRECISION = 38;
const MYSQL_MAX_DECIMAL_SCALE = 30;
/** InnoDB's longest index key (16 KB pages, DYNAMIC rows), in bytes. */
const INNODB_MAX_KEY_BYTES = 3072;

/**
 * Reports every reason a dataset's table cannot be created in MySQL or Redshift as declared,
 * with `path` leading to the dataset in the configuration.
 */
export function checkDatasetTable(
  dataset: DatasetConfig,
  path: ConfigPath,
  report: ReportIssue,
): void {
  dataset.columns.forEach((column, index) => {
    const at = [...path, 'columns', index, 'type'];
    const type = parseColumnType(column.type);
    if ((type.kind === 'char' || type.kind === 'varchar') && type.length < 1) {
      report(at, `${column.type} has no room for a character`);
    }
    if (type.kind === 'char' && type.length > MYSQL_MAX_CHAR) {
      report(at, `MySQL's CHAR holds at most ${MYSQL_MAX_CHAR} characters: use varchar(n)`);
    }
    if (type.kind === 'varchar' && type.length > MYSQL_MAX_VARCHAR) {
      report(at, `MySQL's utf8mb4 VARCHAR holds at most ${MYSQL_MAX_VARCHAR} characters: use text`);
    }
    if (type.kind === 'decimal') {
      if (type.precision < 1 || type.precision > MAX_DECIMAL_PRECISION) {
        report(at, `a decimal has 1 to ${MAX_DECIMAL_PRECISION} digits in Redshift and Glue`);
      }
      if (type.scale > type.precision) {
        report(at, `a decimal's scale (${type.scale}) cannot exceed its precision`);
      } else if (type.scale > MYSQL_MAX_DECIMAL_SCALE) {
        report(
          at,
          `MySQL's decimals have at most ${MYSQL_MAX_DECIMAL_SCALE} digits after the point`,
        );
      }
    }
  });
  let keyBytes = 0;
  dataset.primaryKey.forEach((key, index) => {
    const column = dataset.columns.find((candidate) => candidate.name === key);
    if (!column) return; // reported by the dataset schema
    const type = parseColumnType(column.type);
    if (type.kind === 'text') {
      report(
        [...path, 'primaryKey', index],
        `"${key}" is a text column, which MySQL cannot index whole: declare it varchar(n)`,
      );
    }
    keyBytes += mysqlKeyBytes(type);
  });
  if (keyBytes > INNODB_MAX_KEY_BYTES) {
    report(
      [...path, 'primaryKey'],
      `the primary key takes up to ${keyBytes} bytes in MySQL (utf8mb4), more than InnoDB's ${INNODB_MAX_KEY_BYTES}`,
    );
  }
}

/** The most bytes a key column takes in an InnoDB index (an upper bound for decimals). */
function mysqlKeyBytes(type: ColumnType): number {
  switch (type.kind) {
    case 'integer':
      return { tinyint: 1, smallint: 2, int: 4, bigint: 8 }[type.name];
    case 'boolean':
      return 1;
    case 'float':
      return type.double ? 8 : 4;
    case 'decimal':
      return Math.ceil(type.precision / 9) * 4 + 4;
    case 'char':
    case 'varchar':
      return type.length * 4;
    case 'date':
      return 3;
    case 'datetime':
      return 8;
    case 'timestamp':
      return 4;
    default:
      return 0;
  }
}

/** Throws one error listing every problem of the dataset's table. */
export function assertDatasetTable(dataset: DatasetConfig): void {
  const problems: string[] = [];
  checkDatasetTable(dataset, [], (path, message) => problems.push(`${path.join('.')}: ${message}`));
  if (problems.length > 0) {
    throw new Error(
      `The table of dataset "${dataset.name}" cannot be created: ${problems.join('; ')}.`,
    );
  }
}

/** Options of the CREATE TABLE statements. */
export interface CreateTableOptions {
  /**
   * The table's comment, plain text without quotes or backslashes.
   * @default no comment
   */
  readonly comment?: string;
}

/** A string literal for a comment: the text must need no escaping in either engine. */
export function commentLiteral(comment: string): string {
  if (!/^[\w .,:;()%+=/-]*$/.test(comment)) {
    throw new Error(
      `A table comment may hold only letters, digits and plain punctuation: "${comment}"`,
    );
  }
  return `'${comment}'`;
}

/** The column definitions of a table, one per line; key columns are NOT NULL. */
function columnDefinitions(
  dataset: DatasetConfig,
  quote: (identifier: string) => string,
  columnType: (type: ColumnType) => string,
): string[] {
  const keys = new Set(dataset.primaryKey);
  return dataset.columns.map(
    (column) =>
      `  ${quote(column.name)} ${columnType(parseColumnType(column.type))} ${keys.has(column.name) ? 'NOT NULL' : 'NULL'}`,
  );
}

/** The statements that create the dataset's MySQL database and table, in order. */
export function mysqlTableStatements(
  dataset: DatasetConfig,
  options: CreateTableOptions = {},
): string[] {
  assertDatasetTable(dataset);
  const key = dataset.primaryKey.map(quoteMySql).join(', ');
  const comment =
    options.comment === undefined ? '' : ` COMMENT=${commentLiteral(options.comment)}`;
  return [
    `CREATE DATABASE IF NOT EXISTS ${quoteMySql(dataset.mysqlDatabase)} DEFAULT CHARACTER SET utf8mb4`,
    [
      `CREATE TABLE IF NOT EXISTS ${mysqlTableName(dataset)} (`,
      [...columnDefinitions(dataset, quoteMySql, mysqlColumnType), `  PRIMARY KEY (${key})`].join(
        ',\n',
      ),
      `) ENGINE=InnoDB DEFAULT CHARACTER SET utf8mb4${comment}`,
    ].join('\n'),
  ];
}

/** The Redshift column definitions of the dataset, without constraints. */
export function redshiftColumnDefinitions(dataset: DatasetConfig): string[] {
  return columnDefinitions(dataset, quoteRedshift, redshiftColumnType);
}

/**
 * The statements that create the dataset's Redshift schema and table, in order. Redshift
 * records the primary key but does not enforce it.
 */
export function redshiftTableStatements(
  dataset: DatasetConfig,
  options: CreateTableOptions = {},
): string[] {
  assertDatasetTable(dataset);
  const key = dataset.primaryKey.map(quoteRedshift).join(', ');
  const statements = [
    `CREATE SCHEMA IF NOT EXISTS ${quoteRedshift(dataset.redshiftSchema)}`,
    [
      `CREATE TABLE IF NOT EXISTS ${redshiftTableName(dataset)} (`,
      [...redshiftColumnDefinitions(dataset), `  PRIMARY KEY (${key})`].join(',\n'),
      ')',
    ].join('\n'),
  ];
  if (options.comment !== undefined) {
    statements.push(
      `COMMENT ON TABLE ${redshiftTableName(dataset)} IS ${commentLiteral(options.comment)}`,
    );
  }
  return statements;
}
