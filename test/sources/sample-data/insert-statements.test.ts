/**
 * The INSERT statements and the Redshift batch. No Redshift engine runs here, so the Redshift
 * side is tested as SQL text and chunking against the Data API's documented limits, and the
 * batch's logic (the staging table, the load-when-empty guard, the literals) is run on DuckDB, a
 * PostgreSQL-dialect engine. DuckDB proves that the statements parse in that dialect and that the
 * guard loads once and only into an empty table; it cannot prove that Redshift accepts them
 * (type names, COMMENT ON, temporary tables inside a Data API transaction) or how Redshift's
 * serializable isolation treats two concurrent loads.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DuckDBInstance as Instance } from '@duckdb/node-api';
import { BANKING_DATASET, datasetSchema } from '../../../lib/config/dataset';
import { parseColumnType } from '../../../lib/sources/sample-data/column-types';
import {
  MYSQL_MAX_PLACEHOLDERS,
  REDSHIFT_DATA_API_MAX_STATEMENT_BYTES,
  REDSHIFT_DATA_API_MAX_STATEMENTS,
  mysqlInsertStatements,
  redshiftInsertStatements,
  redshiftLiteral,
} from '../../../lib/sources/sample-data/insert-statements';
import { redshiftTableBatch } from '../../../lib/sources/sample-data/redshift-table-batch';
import type { DatasetSample } from '../../../lib/sources/sample-data/samples';
import { sampleFor } from '../../../lib/sources/sample-data/samples';
import { BANKING_SAMPLE_DIGEST, digestOf } from './banking-sample-digest';

const BANKING = datasetSchema.parse(BANKING_DATASET);
const SAMPLE = sampleFor(BANKING) as DatasetSample;
const bytes = (sql: string) => Buffer.byteLength(sql, 'utf8');

describe('MySQL INSERT statements', () => {
  test('insert the sample in statements of 1,000 rows with one ? per value', () => {
    const statements = mysqlInsertStatements(BANKING, SAMPLE.rows);
    expect(statements).toHaveLength(4);
    for (const { sql, values } of statements) {
      expect(sql).toMatch(
        /^INSERT INTO `banking`\.`banking` \(`id`, `age`, `job`, .*`default`.*, `y`\) VALUES \(\?(, \?){21}\)(, \(\?(, \?){21}\)){999}$/,
      );
      expect(sql.match(/\?/g)).toHaveLength(values.length);
      expect(values).toHaveLength(1000 * 22);
    }
    expect(statements.flatMap(({ values }) => values)).toEqual(
      SAMPLE.rows.flatMap((row) => BANKING.columns.map((column) => row[column.name])),
    );
  });

  test('never exceed 65,535 placeholders, however many rows are asked for', () => {
    // MySQL error 1390 (ER_PS_MANY_PARAM); the real-server test shows the limit.
    const statements = mysqlInsertStatements(BANKING, SAMPLE.rows, { maxRows: 1_000_000 });
    expect(statements.map(({ values }) => values.length / 22)).toEqual([2978, 1022]);
    expect(statements.every(({ values }) => values.length <= MYSQL_MAX_PLACEHOLDERS)).toBe(true);
  });

  test('cut by size when rows are large', () => {
    const statements = mysqlInsertStatements(BANKING, SAMPLE.rows, { maxBytes: 10_000 });
    expect(statements.length).toBeGreaterThan(40);
    expect(statements.flatMap(({ values }) => values)).toHaveLength(4000 * 22);
    expect(() => mysqlInsertStatements(BANKING, SAMPLE.rows, { maxBytes: 100 })).toThrow(
      'Row 1 of "banking" is larger than 100 bytes.',
    );
  });
});

describe('Redshift literals', () => {
  test.each([
    ['varchar(32)', "it's", "'it''s'"],
    ['varchar(32)', null, 'NULL'],
    ['boolean', true, 'TRUE'],
    ['boolean', false, 'FALSE'],
    ['decimal(4,1)', '-3.4', '-3.4'],
    ['int', 999, '999'],
    ['double', 0.25, '0.25'],
    ['date', '2024-02-29', "'2024-02-29'"],
    ['timestamp', '2024-02-29 12:34:56', "'2024-02-29 12:34:56'"],
  ])('a %s %p is written %s', (sqlType, value, literal) => {
    expect(redshiftLiteral(parseColumnType(sqlType), value)).toBe(literal);
  });

  test('a value that would need more than a doubled quote is refused', () => {
    expect(() => redshiftLiteral(parseColumnType('text'), 'C:\\temp')).toThrow(
      'holds a control character or a backslash',
    );
    expect(() => redshiftLiteral(parseColumnType('decimal(4,1)'), '1; DROP TABLE x')).toThrow(
      'is not a decimal(4,1)',
    );
  });
});

describe('the Redshift batch', () => {
  const batch = redshiftTableBatch(BANKING, { sample: SAMPLE });

  test('fits one BatchExecuteStatement call: at most 40 statements of at most 100 KB', () => {
    // botocore redshift-data 2019-12-20: BatchExecuteStatementInput.Sqls is a SqlList of 1 to 40.
    // Amazon Redshift Management Guide, "Considerations when calling the Amazon Redshift Data
    // API": "The maximum query statement size is 100 KB" (read here as 100,000 bytes).
    expect(REDSHIFT_DATA_API_MAX_STATEMENTS).toBe(40);
    expect(REDSHIFT_DATA_API_MAX_STATEMENT_BYTES).toBe(100_000);
    expect(batch.length).toBeLessThanOrEqual(40);
    expect(Math.max(...batch.map(bytes))).toBeLessThanOrEqual(100_000);
    expect(batch).toHaveLength(13);
  });

  test('creates the table, labels it, stages the rows and copies them only into an empty table', () => {
    expect(batch.slice(0, 3)).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "public"',
      expect.stringMatching(/^CREATE TABLE IF NOT EXISTS "public"\."banking" \(/),
      `COMMENT ON TABLE "public"."banking" IS '${SAMPLE.comment}'`,
    ]);
    expect(batch[3]).toMatch(
      /^CREATE TEMPORARY TABLE "sample_load_banking" \(\n {2}"id" BIGINT NOT NULL,/,
    );
    const inserts = batch.slice(4, -2);
    expect(inserts).toHaveLength(7);
    for (const insert of inserts) {
      expect(insert).toMatch(
        /^INSERT INTO "sample_load_banking" \("id", "age", .*"default".*, "y"\) VALUES\n\(/,
      );
    }
    expect(inserts.reduce((sum, insert) => sum + insert.split('\n').length - 1, 0)).toBe(4000);
    expect(batch.at(-2)).toBe(
      [
        `INSERT INTO "public"."banking" (${BANKING.columns.map((column) => `"${column.name}"`).join(', ')})`,
        `SELECT ${BANKING.columns.map((column) => `"${column.name}"`).join(', ')} FROM "sample_load_banking"`,
        'WHERE NOT EXISTS (SELECT 1 FROM "public"."banking")',
      ].join('\n'),
    );
    expect(batch.at(-1)).toBe('DROP TABLE "sample_load_banking"');
  });

  test('without a sample is only the schema and the table', () => {
    expect(redshiftTableBatch(BANKING)).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "public"',
      expect.stringMatching(/^CREATE TABLE IF NOT EXISTS "public"\."banking"/),
    ]);
  });

  test('a sample that does not fit one transaction is refused, not split', () => {
    expect(() =>
      redshiftTableBatch(BANKING, { sample: SAMPLE, maxStatementBytes: 10_000 }),
    ).toThrow(
      /^The Redshift load of dataset "banking" needs \d+ statements, more than the 40 of one Data API batch \(one transaction\): load fewer rows\.$/,
    );
    expect(() => redshiftInsertStatements('"t"', BANKING, SAMPLE.rows, 200)).toThrow(
      'Row 1 of "banking" does not fit a Redshift Data API statement of 200 bytes.',
    );
  });

  describe('run on DuckDB (PostgreSQL dialect) as one transaction, as the Data API runs it', () => {
    let instance: DuckDBInstance;
    let connection: DuckDBConnection;

    async function runBatch(statements: readonly string[]): Promise<void> {
      await connection.run('BEGIN TRANSACTION');
      try {
        for (const sql of statements) await connection.run(sql);
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK');
        throw error;
      }
    }

    async function tableRows(): Promise<Record<string, unknown>[]> {
      const reader = await connection.runAndReadAll(
        'SELECT * FROM "public"."banking" ORDER BY "id"',
      );
      // DuckDB's JSON has BIGINT as a string; DECIMAL is a string in both.
      return reader.getRowObjectsJson().map((row) => ({ ...row, id: Number(row.id) }));
    }

    beforeEach(async () => {
      instance = await Instance.create(':memory:');
      connection = await instance.connect();
    });

    afterEach(() => {
      connection.closeSync();
      instance.closeSync();
    });

    test('loads the sample once: every row, value for value; a rerun adds nothing', async () => {
      await runBatch(batch);
      const loaded = await tableRows();
      expect(loaded).toEqual(SAMPLE.rows);
      expect(digestOf(loaded)).toBe(BANKING_SAMPLE_DIGEST);
      await runBatch(batch);
      expect(await tableRows()).toHaveLength(4000);
    });

    test('a batch that fails part-way leaves nothing, and the retry loads every row', async () => {
      // The failure comes after the copy into the table: the transaction takes that back too.
      const failing = [...batch.slice(0, -1), 'SELECT "no_such_column" FROM "sample_load_banking"'];
      await expect(runBatch(failing)).rejects.toThrow(/no_such_column/);
      const tables = await connection.runAndReadAll(
        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'banking'",
      );
      expect(tables.getRowsJson()).toEqual([['0']]);
      await runBatch(batch);
      expect(await tableRows()).toHaveLength(4000);
    });

    test('a table that already has rows is left as it is', async () => {
      await runBatch(redshiftTableBatch(BANKING));
      await connection.run(
        `INSERT INTO "public"."banking" ("id", "job") VALUES (42, 'someone''s')`,
      );
      await runBatch(batch);
      const [only, ...others] = await tableRows();
      expect(others).toEqual([]);
      expect(only).toMatchObject({ id: 42, job: "someone's", y: null });
    });
  });
});
