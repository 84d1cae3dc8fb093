import type { DatasetConfig } from '../../config/dataset';
import {
  REDSHIFT_DATA_API_MAX_STATEMENT_BYTES,
  REDSHIFT_DATA_API_MAX_STATEMENTS,
  redshiftInsertStatements,
} from './insert-statements';
import type { DatasetSample } from './samples';
import {
  quoteRedshift,
  redshiftColumnDefinitions,
  redshiftTableName,
  redshiftTableStatements,
} from './table-ddl';

/** Options of a dataset's Redshift batch. */
export interface RedshiftTableBatchOptions {
  /**
   * Rows to load when the table is empty.
   * @default no rows are loaded
   */
  readonly sample?: DatasetSample;
  /**
   * The longest statement, in bytes.
   * @default REDSHIFT_DATA_API_MAX_STATEMENT_BYTES
   */
  readonly maxStatementBytes?: number;
}

/**
 * The SQL statements of one Redshift Data API BatchExecuteStatement call that creates the
 * dataset's schema and table and, given a sample, loads it only when the table is empty.
 *
 * The Data API runs a batch's statements serially "as a single transaction" and rolls all of
 * them back if one fails (BatchExecuteStatement, Amazon Redshift Data API Reference), and
 * Redshift has no INSERT IGNORE. So the rows go first into a temporary table, which lives only
 * in the batch's session, and one INSERT ... SELECT copies them when the target has no row. Run
 * again, the batch inserts nothing; a retry after a failure finds the table as it was. A table
 * that already holds rows, the app's or anyone's, is left as it is. A concurrent second load
 * fails with Redshift's serializable isolation error rather than adding rows.
 *
 * The whole load must fit one call, since the guard needs one transaction: a sample larger than
 * 40 statements of the longest size is refused.
 */
export function redshiftTableBatch(
  dataset: DatasetConfig,
  options: RedshiftTableBatchOptions = {},
): string[] {
  const { sample } = options;
  const maxBytes = options.maxStatementBytes ?? REDSHIFT_DATA_API_MAX_STATEMENT_BYTES;
  const statements = redshiftTableStatements(dataset, { comment: sample?.comment });
  if (sample) {
    const table = redshiftTableName(dataset);
    const staging = quoteRedshift(`sample_load_${dataset.name}`);
    const columns = dataset.columns.map((column) => quoteRedshift(column.name)).join(', ');
    statements.push(
      `CREATE TEMPORARY TABLE ${staging} (\n${redshiftColumnDefinitions(dataset).join(',\n')}\n)`,
      ...redshiftInsertStatements(staging, dataset, sample.rows, maxBytes),
      `INSERT INTO ${table} (${columns})\nSELECT ${columns} FROM ${staging}\nWHERE NOT EXISTS (SELECT 1 FROM ${table})`,
      `DROP TABLE ${staging}`,
    );
  }
  const tooLong = statements.filter((sql) => Buffer.byteLength(sql, 'utf8') > maxBytes);
  if (tooLong.length > 0) {
    throw new Error(
      `The Redshift statements of dataset "${dataset.name}" include ${tooLong.length} longer than the Data API's ${maxBytes} bytes.`,
    );
  }
  if (statements.length > REDSHIFT_DATA_API_MAX_STATEMENTS) {
    throw new Error(
      `The Redshift load of dataset "${dataset.name}" needs ${statements.length} statements, more than the ${REDSHIFT_DATA_API_MAX_STATEMENTS} of one Data API batch (one transaction): load fewer rows.`,
    );
  }
  return statements;
}
