import type { DatasetConfig } from '../../config/dataset';
import type { SqlValue } from './column-types';
import type { MySqlInsertLimits } from './insert-statements';
import { mysqlInsertStatements } from './insert-statements';
import type { DatasetSample } from './samples';
import { mysqlTableName, mysqlTableStatements } from './table-ddl';

/** The part of a `mysql2/promise` connection that the setup uses. */
export interface MySqlSession {
  query(sql: string): Promise<[unknown, unknown]>;
  execute(sql: string, values: SqlValue[]): Promise<[unknown, unknown]>;
}

/** Options of a dataset's MySQL table setup. */
export interface MySqlTableSetupOptions {
  /**
   * Rows to load when the table is empty; the table comment then labels them.
   * @default no rows are loaded
   */
  readonly sample?: DatasetSample;
  /**
   * Limits of the INSERT statements.
   * @default the defaults of `mysqlInsertStatements`
   */
  readonly limits?: MySqlInsertLimits;
}

/** What the setup did. */
export interface MySqlTableSetupResult {
  /** The table, quoted. */
  readonly table: string;
  /** The rows inserted: the sample's size, or 0. */
  readonly insertedRows: number;
  /** Why a sample was not loaded: the table already had rows. */
  readonly skipped?: 'table-not-empty';
}

function affectedRows(result: unknown): number {
  const count = (result as { affectedRows?: unknown } | undefined)?.affectedRows;
  return typeof count === 'number' ? count : 0;
}

/**
 * Creates the dataset's database and table and, given a sample, loads it only when the table is
 * empty, in one transaction: a rerun inserts nothing, a retry after a failure finds the table as
 * it was, and a table that already holds rows is left as it is. The DDL runs first because MySQL
 * commits implicitly around it. A concurrent second load fails on the primary key instead of
 * adding rows, and a load that inserts fewer rows than the sample is rolled back.
 */
export async function setUpMySqlTable(
  session: MySqlSession,
  dataset: DatasetConfig,
  options: MySqlTableSetupOptions = {},
): Promise<MySqlTableSetupResult> {
  const { sample } = options;
  const table = mysqlTableName(dataset);
  for (const sql of mysqlTableStatements(dataset, { comment: sample?.comment })) {
    await session.query(sql);
  }
  if (!sample) return { table, insertedRows: 0 };

  const inserts = mysqlInsertStatements(dataset, sample.rows, options.limits);
  await session.query('START TRANSACTION');
  try {
    const [existing] = await session.query(`SELECT 1 FROM ${table} LIMIT 1`);
    if (Array.isArray(existing) && existing.length > 0) {
      await session.query('ROLLBACK');
      return { table, insertedRows: 0, skipped: 'table-not-empty' };
    }
    let inserted = 0;
    for (const statement of inserts) {
      const [result] = await session.execute(statement.sql, statement.values);
      inserted += affectedRows(result);
    }
    if (inserted !== sample.rows.length) {
      throw new Error(
        `Loading the sample into ${table} inserted ${inserted} rows instead of ${sample.rows.length}; the load was rolled back.`,
      );
    }
    await session.query('COMMIT');
    return { table, insertedRows: inserted };
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
