/**
 * The MySQL table DDL and the sample load, run against a real MySQL-compatible server: MariaDB
 * 10.11 from Debian's `mariadb-server` package, started here in a temporary folder on a unix
 * socket (no port, nothing else running) with MySQL 8.4's default sql_mode, and stopped after.
 *
 * What this server proves, for statements the app sends to RDS for MySQL 8.4 as well:
 * - `CREATE DATABASE IF NOT EXISTS … DEFAULT CHARACTER SET utf8mb4`;
 * - `CREATE TABLE IF NOT EXISTS` with backticked identifiers (reserved words such as `default`,
 *   `order`, `select`), every column type a dataset may declare, `NULL`/`NOT NULL`, the
 *   primary key, `ENGINE=InnoDB`, the character set without a collation, and a table comment;
 * - multi-row `INSERT … VALUES (?, …), …` as server-side prepared statements (mysql2
 *   `execute`), up to 65,535 placeholders, under strict mode (STRICT_TRANS_TABLES);
 * - the load's transaction: `START TRANSACTION`, `SELECT 1 … LIMIT 1`, `COMMIT`, `ROLLBACK`.
 * MySQL 8.4 and MariaDB 10.11 read all of these alike.
 *
 * What it cannot prove (MySQL 8.4 only, or different in MariaDB):
 * - authentication: `caching_sha2_password` (MariaDB has none), `IDENTIFIED WITH
 *   mysql_native_password BY …` (MariaDB's `IDENTIFIED WITH … BY` semantics differ),
 *   `authentication_policy`, and TLS (`REQUIRE SSL`, `require_secure_transport`);
 * - RDS procedures such as `mysql.rds_set_configuration`;
 * - words MySQL 8.x reserves and MariaDB does not (for example `rank`, `qualify`, `lateral`): the
 *   DDL quotes every identifier, and the reserved-word test uses names reserved here too;
 * - MySQL 8.4's utf8mb4 default collation (utf8mb4_0900_ai_ci), which the DDL leaves to the
 *   server; and how Amazon ML reads a BOOLEAN (a TINYINT(1) holding 0 or 1 in both servers).
 */
import { createHash } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { DatasetConfig } from '../../../lib/config/dataset';
import { BANKING_DATASET, datasetSchema } from '../../../lib/config/dataset';
import {
  BANKING_RANGES,
  BANKING_VALUE_SETS,
  NOT_PREVIOUSLY_CONTACTED,
} from '../../../lib/sources/sample-data/banking-sample';
import type { SqlValue } from '../../../lib/sources/sample-data/column-types';
import { mysqlInsertStatements } from '../../../lib/sources/sample-data/insert-statements';
import type { MySqlSession } from '../../../lib/sources/sample-data/mysql-table-setup';
import { setUpMySqlTable } from '../../../lib/sources/sample-data/mysql-table-setup';
import type { DatasetSample } from '../../../lib/sources/sample-data/samples';
import { sampleFor } from '../../../lib/sources/sample-data/samples';
import type { MariaDbServer } from '../../support/mariadb-server';
import { startMariaDb } from '../../support/mariadb-server';
import { BANKING_SAMPLE_DIGEST, digestOf } from './banking-sample-digest';

const BANKING = datasetSchema.parse(BANKING_DATASET);
const SAMPLE = sampleFor(BANKING) as DatasetSample;

/** The banking dataset in another database, so that a test starts from no table. */
function bankingIn(database: string): DatasetConfig {
  return { ...BANKING, mysqlDatabase: database };
}

let server: MariaDbServer;
let connection: Connection;
const session = (): MySqlSession => connection;

async function rows<T = RowDataPacket>(sql: string, values: SqlValue[] = []): Promise<T[]> {
  const [result] = await connection.query<RowDataPacket[]>(sql, values);
  return result as T[];
}

async function count(database: string, table = 'banking'): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(
    `SELECT COUNT(*) AS n FROM \`${database}\`.\`${table}\``,
  );
  return Number(n);
}

beforeAll(async () => {
  server = await startMariaDb();
  connection = await server.connect();
  await setUpMySqlTable(session(), BANKING, { sample: SAMPLE });
}, 60_000);

afterAll(async () => {
  await connection?.end();
  await server?.stop();
});

describe('the banking table on a MySQL-compatible server', () => {
  test('has the dataset columns in order, with their declared types, and id as its primary key', async () => {
    const columns = await rows(
      `SELECT COLUMN_NAME AS name, DATA_TYPE AS type, NUMERIC_PRECISION AS p, NUMERIC_SCALE AS s,
              CHARACTER_MAXIMUM_LENGTH AS length, IS_NULLABLE AS nullable
         FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = 'banking' AND TABLE_NAME = 'banking' ORDER BY ORDINAL_POSITION`,
    );
    const varchar32 = { type: 'varchar', length: 32, nullable: 'YES' };
    const int = { type: 'int', nullable: 'YES' };
    const decimal = (p: number, s: number) => ({ type: 'decimal', p, s, nullable: 'YES' });
    // DATA_TYPE and the lengths, not COLUMN_TYPE: MariaDB writes int(11) where MySQL 8.4 writes int.
    expect(columns).toMatchObject([
      { name: 'id', type: 'bigint', nullable: 'NO' },
      { name: 'age', ...int },
      { name: 'job', ...varchar32 },
      { name: 'marital', ...varchar32 },
      { name: 'education', ...varchar32 },
      { name: 'default', ...varchar32 },
      { name: 'housing', ...varchar32 },
      { name: 'loan', ...varchar32 },
      { name: 'contact', ...varchar32 },
      { name: 'month', ...varchar32 },
      { name: 'day_of_week', ...varchar32 },
      { name: 'duration', ...int },
      { name: 'campaign', ...int },
      { name: 'pdays', ...int },
      { name: 'previous', ...int },
      { name: 'poutcome', ...varchar32 },
      { name: 'emp_var_rate', ...decimal(4, 1) },
      { name: 'cons_price_idx', ...decimal(6, 3) },
      { name: 'cons_conf_idx', ...decimal(4, 1) },
      { name: 'euribor3m', ...decimal(5, 3) },
      { name: 'nr_employed', ...decimal(6, 1) },
      // BOOLEAN is TINYINT(1) in MySQL and MariaDB.
      { name: 'y', type: 'tinyint', p: 3, nullable: 'YES' },
    ]);
    expect(columns).toHaveLength(BANKING.columns.length);

    const key = await rows<{ name: string }>(
      `SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE
        WHERE TABLE_SCHEMA = 'banking' AND TABLE_NAME = 'banking' AND CONSTRAINT_NAME = 'PRIMARY'
        ORDER BY ORDINAL_POSITION`,
    );
    expect(key.map(({ name }) => name)).toEqual(['id']);
  });

  test('is an InnoDB utf8mb4 table whose comment says its rows are synthetic', async () => {
    const [table] = await rows(
      `SELECT ENGINE AS engine, TABLE_COLLATION AS collation, TABLE_COMMENT AS comment
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'banking' AND TABLE_NAME = 'banking'`,
    );
    expect(table.engine).toBe('InnoDB');
    expect(table.collation).toMatch(/^utf8mb4_/);
    expect(table.comment).toBe(SAMPLE.comment);
    expect(table.comment).toMatch(/^Synthetic sample \(4000 generated rows, seed \d+\).*not real/);
  });

  test('holds exactly the generated rows, value for value, with the pinned digest', async () => {
    expect(await count('banking')).toBe(SAMPLE.rows.length);
    expect(SAMPLE.rows).toHaveLength(4000);
    const stored = await rows('SELECT * FROM `banking`.`banking` ORDER BY `id`');
    // mysql2 returns DECIMAL as strings (exact) and BOOLEAN as 0 or 1.
    const read = stored.map((row) => ({ ...row, y: row.y === 1 }));
    expect(read).toEqual(SAMPLE.rows);
    expect(digestOf(read)).toBe(BANKING_SAMPLE_DIGEST);
  });

  test('a second run creates nothing and inserts nothing', async () => {
    const before = createHash('sha256')
      .update(JSON.stringify(await rows('SELECT * FROM `banking`.`banking` ORDER BY `id`')))
      .digest('hex');
    await expect(setUpMySqlTable(session(), BANKING, { sample: SAMPLE })).resolves.toEqual({
      table: '`banking`.`banking`',
      insertedRows: 0,
      skipped: 'table-not-empty',
    });
    expect(await count('banking')).toBe(4000);
    const after = createHash('sha256')
      .update(JSON.stringify(await rows('SELECT * FROM `banking`.`banking` ORDER BY `id`')))
      .digest('hex');
    expect(after).toBe(before);
  });

  test('the sample has the designed distributions', async () => {
    const [stats] = await rows(
      `SELECT AVG(\`y\`) AS positive,
              AVG(CASE WHEN \`duration\` >= 400 THEN \`y\` END) AS positiveLong,
              AVG(CASE WHEN \`duration\` < 200 THEN \`y\` END) AS positiveShort,
              AVG(CASE WHEN \`poutcome\` = 'success' THEN \`y\` END) AS positiveAfterSuccess,
              SUM((\`previous\` = 0) <> (\`poutcome\` = 'nonexistent')) AS inconsistentPrevious,
              SUM(\`poutcome\` = 'nonexistent' AND \`pdays\` <> ${NOT_PREVIOUSLY_CONTACTED}) AS inconsistentPdays
         FROM \`banking\`.\`banking\``,
    );
    // The source's rate is 11.3 % (4,640 of 41,188 calls); a 4,000-row sample stays near it.
    expect(Number(stats.positive)).toBeGreaterThan(0.09);
    expect(Number(stats.positive)).toBeLessThan(0.135);
    expect(Number(stats.positiveLong)).toBeGreaterThan(3 * Number(stats.positiveShort));
    expect(Number(stats.positiveAfterSuccess)).toBeGreaterThan(2 * Number(stats.positive));
    expect(Number(stats.inconsistentPrevious)).toBe(0);
    expect(Number(stats.inconsistentPdays)).toBe(0);

    const months = await rows<{ month: string; n: number }>(
      'SELECT `month`, COUNT(*) AS n FROM `banking`.`banking` GROUP BY `month` ORDER BY n DESC, `month`',
    );
    expect(months[0].month).toBe('may');
  });

  test.each(Object.entries(BANKING_VALUE_SETS))(
    'every %s is one of the source value set',
    async (column, values) => {
      const found = await rows<{ value: string }>(
        `SELECT DISTINCT \`${column}\` AS value FROM \`banking\`.\`banking\``,
      );
      expect(found.length).toBeGreaterThan(1);
      expect(values).toEqual(expect.arrayContaining(found.map(({ value }) => value)));
    },
  );

  test.each(Object.entries(BANKING_RANGES))(
    'every %s lies within the source range',
    async (column, [min, max]) => {
      const [found] = await rows(
        `SELECT MIN(\`${column}\`) AS low, MAX(\`${column}\`) AS high FROM \`banking\`.\`banking\``,
      );
      expect(Number(found.low)).toBeGreaterThanOrEqual(min);
      expect(Number(found.high)).toBeLessThanOrEqual(max);
      expect(Number(found.low)).toBeLessThan(Number(found.high));
    },
  );
});

describe('loading the sample', () => {
  test('a load that fails part-way leaves no row, and the retry loads every row', async () => {
    const dataset = bankingIn('banking_retry');
    let executed = 0;
    const failing: MySqlSession = {
      query: (sql) => session().query(sql),
      execute: async (sql, values) => {
        if (++executed === 3)
          throw Object.assign(new Error('lost'), { code: 'PROTOCOL_CONNECTION_LOST' });
        return session().execute(sql, values);
      },
    };
    await expect(setUpMySqlTable(failing, dataset, { sample: SAMPLE })).rejects.toThrow('lost');
    expect(await count('banking_retry')).toBe(0);

    await expect(setUpMySqlTable(session(), dataset, { sample: SAMPLE })).resolves.toMatchObject({
      insertedRows: 4000,
    });
    expect(await count('banking_retry')).toBe(4000);
  });

  test('a table that already has rows is left as it is', async () => {
    const dataset = bankingIn('banking_existing');
    await setUpMySqlTable(session(), dataset);
    await connection.query(
      "INSERT INTO `banking_existing`.`banking` (`id`, `job`) VALUES (42, 'someone else''s row')",
    );
    await expect(setUpMySqlTable(session(), dataset, { sample: SAMPLE })).resolves.toEqual({
      table: '`banking_existing`.`banking`',
      insertedRows: 0,
      skipped: 'table-not-empty',
    });
    expect(await rows('SELECT `id`, `job` FROM `banking_existing`.`banking`')).toEqual([
      { id: 42, job: "someone else's row" },
    ]);
  });

  test('a table without a sample gets no rows and no comment', async () => {
    const dataset = bankingIn('banking_empty');
    await expect(setUpMySqlTable(session(), dataset)).resolves.toEqual({
      table: '`banking_empty`.`banking`',
      insertedRows: 0,
    });
    expect(await count('banking_empty')).toBe(0);
    const [table] = await rows(
      "SELECT TABLE_COMMENT AS comment FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'banking_empty'",
    );
    expect(table.comment).toBe('');
  });

  test('statements of up to 65,535 placeholders run; one more is refused by the server', async () => {
    // MySQL error 1390 ER_PS_MANY_PARAM: a prepared statement counts its placeholders in two bytes.
    const dataset = bankingIn('banking_wide');
    await setUpMySqlTable(session(), dataset);
    const statements = mysqlInsertStatements(dataset, SAMPLE.rows, { maxRows: 10_000 });
    expect(statements.map(({ values }) => values.length)).toEqual([2978 * 22, (4000 - 2978) * 22]);
    for (const { sql, values } of statements) await connection.execute(sql, values);
    expect(await count('banking_wide')).toBe(4000);

    const tooMany = Array.from({ length: 65_536 }, () => 1);
    await expect(
      connection.execute(
        `SELECT 1 FROM DUAL WHERE 1 IN (${tooMany.map(() => '?').join(',')})`,
        tooMany,
      ),
    ).rejects.toMatchObject({ code: 'ER_PS_MANY_PARAM' });
  });
});

describe('tables of other datasets', () => {
  test('reserved words work as table and column names because every identifier is quoted', async () => {
    const dataset = datasetSchema.parse({
      name: 'order',
      mysqlDatabase: 'reserved',
      primaryKey: ['select', 'key'],
      columns: [
        { name: 'select', type: 'int' },
        { name: 'key', type: 'varchar(8)' },
        { name: 'default', type: 'boolean' },
        { name: 'table', type: 'decimal(3,2)' },
      ],
    });
    // The names are reserved on this server: unquoted, the DDL would fail.
    await expect(connection.query('CREATE TABLE `reserved_probe`.x (default INT)')).rejects.toThrow(
      /syntax/,
    );
    await setUpMySqlTable(session(), dataset);
    const row = { select: 1, key: 'k', default: true, table: '9.99' };
    for (const { sql, values } of mysqlInsertStatements(dataset, [row])) {
      await connection.execute(sql, values);
    }
    expect(await rows('SELECT * FROM `reserved`.`order`')).toEqual([{ ...row, default: 1 }]);
  });

  test('every column type a dataset may declare becomes a column that holds its values exactly', async () => {
    const dataset = datasetSchema.parse({
      name: 'every_type',
      mysqlDatabase: 'types',
      primaryKey: ['a_bigint', 'a_char'],
      columns: [
        { name: 'a_tinyint', type: 'tinyint' },
        { name: 'a_smallint', type: 'smallint' },
        { name: 'an_int', type: 'int' },
        { name: 'an_integer', type: 'integer' },
        { name: 'a_bigint', type: 'bigint' },
        { name: 'a_boolean', type: 'boolean' },
        { name: 'a_bool', type: 'bool' },
        { name: 'a_float', type: 'float' },
        { name: 'a_real', type: 'real' },
        { name: 'a_double', type: 'double' },
        { name: 'a_decimal', type: 'decimal(10,2)' },
        { name: 'a_numeric', type: 'numeric(38,0)' },
        { name: 'a_char', type: 'char(3)' },
        { name: 'a_varchar', type: 'varchar(4)' },
        { name: 'a_text', type: 'text' },
        { name: 'a_date', type: 'date' },
        { name: 'a_datetime', type: 'datetime' },
        { name: 'a_timestamp', type: 'timestamp' },
      ],
    });
    await setUpMySqlTable(session(), dataset);
    const types = await rows<{ name: string; type: string }>(
      `SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = 'types' AND TABLE_NAME = 'every_type' ORDER BY ORDINAL_POSITION`,
    );
    expect(Object.fromEntries(types.map(({ name, type }) => [name, type]))).toEqual({
      a_tinyint: 'tinyint',
      a_smallint: 'smallint',
      an_int: 'int',
      an_integer: 'int',
      a_bigint: 'bigint',
      a_boolean: 'tinyint',
      a_bool: 'tinyint',
      a_float: 'float',
      a_real: 'double',
      a_double: 'double',
      a_decimal: 'decimal',
      a_numeric: 'decimal',
      a_char: 'char',
      a_varchar: 'varchar',
      a_text: 'text',
      a_date: 'date',
      a_datetime: 'datetime',
      a_timestamp: 'timestamp',
    });

    const extremes: Record<string, SqlValue> = {
      a_tinyint: -128,
      a_smallint: 32_767,
      an_int: -2_147_483_648,
      an_integer: 2_147_483_647,
      a_bigint: Number.MAX_SAFE_INTEGER,
      a_boolean: true,
      a_bool: false,
      a_float: 0.5,
      a_real: 0.1,
      a_double: -1e300,
      a_decimal: '-99999999.99',
      a_numeric: '99999999999999999999999999999999999999',
      a_char: 'abc',
      a_varchar: 'Ünï€', // four characters, nine bytes
      a_text: "it's text, with a quote",
      a_date: '2038-01-19',
      a_datetime: '1999-12-31 23:59:59',
      a_timestamp: '2024-02-29 12:34:56',
    };
    const nulls = Object.fromEntries(Object.keys(extremes).map((name) => [name, null]));
    const allNull = { ...nulls, a_bigint: 1, a_char: 'n' };
    for (const { sql, values } of mysqlInsertStatements(dataset, [extremes, allNull])) {
      await connection.execute(sql, values);
    }
    const [stored, storedNulls] = await rows(
      'SELECT * FROM `types`.`every_type` ORDER BY `a_bigint` DESC',
    );
    expect(stored).toEqual({ ...extremes, a_boolean: 1, a_bool: 0 });
    expect(storedNulls).toEqual(allNull);
  });

  test('a value the column cannot hold is refused before anything is sent', () => {
    const dataset = datasetSchema.parse({
      name: 'narrow',
      mysqlDatabase: 'types',
      primaryKey: ['id'],
      columns: [
        { name: 'id', type: 'int' },
        { name: 'code', type: 'varchar(2)' },
        { name: 'amount', type: 'decimal(4,2)' },
      ],
    });
    expect(() => mysqlInsertStatements(dataset, [{ id: 1, code: 'abc', amount: '1.00' }])).toThrow(
      'Row 1 of "narrow", column "code": "abc" is longer than varchar(2).',
    );
    expect(() => mysqlInsertStatements(dataset, [{ id: 1, code: 'ab', amount: '1.005' }])).toThrow(
      'column "amount": "1.005" is not a decimal(4,2)',
    );
    expect(() => mysqlInsertStatements(dataset, [{ id: 1, code: 'ab' }])).toThrow(
      'Row 1 of "narrow" has no value for "amount".',
    );
  });
});
