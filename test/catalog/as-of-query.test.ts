import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DuckDBInstance as Instance, timestampValue } from '@duckdb/node-api';
import type { AsOfTableSpec, AsOfTime } from '../../lib/catalog/as-of-query';
import { problemsThrownBy } from '../support/problems';
import {
  AsOfQueryError,
  asOfQuery,
  qualifiedTableName,
  quoteIdentifier,
  timestampLiteral,
} from '../../lib/catalog/as-of-query';

/** One DMS change row: op, commit_ts, change_seq, then the source columns. */
type Change = readonly [
  op: string | null,
  commitTs: string,
  changeSeq: string | null,
  ...values: (string | number)[],
];

const T0 = '2024-03-01 10:00:00.000000'; // full load
const T1 = '2024-03-01 10:05:00.000000';
const T2 = '2024-03-01 10:10:00.000000';
const T3 = '2024-03-01 10:15:00.250000'; // several changes in one instant
const T4 = '2024-03-01 10:30:00.000000';

/** `$AR_H_CHANGE_SEQ`: fixed-width digits, so that string order is numeric order. */
const seq = (n: number) => `20240301${String(n).padStart(27, '0')}`;

/**
 * The `accounts` history, file by file as DMS writes it: two full-load files (one written
 * without the operation column's value, as with IncludeOpForFullLoad off) and CDC files. The
 * files are not in change order, and one change is delivered twice.
 */
const ACCOUNT_FILES: Record<string, Change[]> = {
  'LOAD00000001.parquet': [
    ['I', T0, '', 1, 'alice', '100.00', 'n'],
    ['I', T0, '', 2, 'bob', '200.00', 'n'],
  ],
  'LOAD00000002.parquet': [[null, T0, null, 3, 'carol', '300.00', 'y']],
  '20240301-100000000.parquet': [['U', T0, seq(1), 2, 'bob', '205.00', 'n']],
  '20240301-100500000.parquet': [
    ['U', T1, seq(2), 1, 'alice', '110.00', 'n'],
    ['I', T1, seq(3), 4, 'dave', '400.00', 'n'],
  ],
  '20240301-101000000.parquet': [
    ['D', T2, seq(4), 2, 'bob', '205.00', 'n'],
    ['U', T1, seq(2), 1, 'alice', '110.00', 'n'],
  ],
  '20240301-101500250-a.parquet': [
    ['U', T3, seq(11), 1, 'alice', '130.00', 'n'],
    ['U', T3, seq(5), 3, 'carol', '310.00', 'y'],
    ['U', T3, seq(6), 3, 'carol', '320.00', 'y'],
    ['I', T3, seq(7), 2, 'bob', '250.00', 'y'],
  ],
  '20240301-101500250-b.parquet': [
    ['U', T3, seq(10), 1, 'alice', '120.00', 'n'],
    ['D', T3, seq(8), 4, 'dave', '400.00', 'n'],
    ['I', T3, seq(9), 5, 'erin', '500.00', 'n'],
    ['D', T3, seq(12), 5, 'erin', '500.00', 'n'],
  ],
  '20240301-103000000.parquet': [
    ['D', T4, seq(13), 1, 'alice', '130.00', 'n'],
    ['U', T4, seq(14), 3, 'carol', '330.00', 'n'],
    ['I', T4, seq(15), 5, 'erin', '550.00', 'y'],
  ],
};

const ACCOUNT_COLUMNS = ['id', 'name', 'balance', 'default'];

type Account = [id: string, name: string, balance: string, flag: string];
const LOADED: Account[] = [
  ['1', 'alice', '100.00', 'n'],
  ['2', 'bob', '205.00', 'n'],
  ['3', 'carol', '300.00', 'y'],
];
const AFTER_T1: Account[] = [
  ['1', 'alice', '110.00', 'n'],
  ['2', 'bob', '205.00', 'n'],
  ['3', 'carol', '300.00', 'y'],
  ['4', 'dave', '400.00', 'n'],
];
const AFTER_T2: Account[] = [
  ['1', 'alice', '110.00', 'n'],
  ['3', 'carol', '300.00', 'y'],
  ['4', 'dave', '400.00', 'n'],
];
const AFTER_T3: Account[] = [
  ['1', 'alice', '130.00', 'n'],
  ['2', 'bob', '250.00', 'y'],
  ['3', 'carol', '320.00', 'y'],
];
const AFTER_T4: Account[] = [
  ['2', 'bob', '250.00', 'y'],
  ['3', 'carol', '330.00', 'n'],
  ['5', 'erin', '550.00', 'y'],
];

const ACCOUNT_CASES: ReadonlyArray<[string, string, Account[]]> = [
  ['before the full load', '2024-03-01T09:59:59.999Z', []],
  ['at the full load, where a change in the same instant wins', '2024-03-01T10:00:00.000Z', LOADED],
  ['between the load and the first change', '2024-03-01T10:02:00.000Z', LOADED],
  ['a millisecond before an update', '2024-03-01T10:04:59.999Z', LOADED],
  ['at an update and an insert', '2024-03-01T10:05:00.000Z', AFTER_T1],
  ['after a delete', '2024-03-01T10:12:00.000Z', AFTER_T2],
  ['a millisecond before the instant with several changes', '2024-03-01T10:15:00.249Z', AFTER_T2],
  [
    'in the instant with several changes (update twice, re-insert, delete, insert and delete)',
    '2024-03-01T10:15:00.250Z',
    AFTER_T3,
  ],
  ['after every change', '2024-03-02T00:00:00.000Z', AFTER_T4],
];

let instance: DuckDBInstance;
let connection: DuckDBConnection;
let dataDir: string;

function sqlLiteral(value: string | number | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

/** Writes change rows to a Parquet file with DuckDB, typed as DMS types them. */
async function writeParquet(
  file: string,
  changes: readonly Change[],
  columns: string,
  select: string,
): Promise<void> {
  const values = changes.map((change) => `(${change.map(sqlLiteral).join(', ')})`).join(',\n');
  await connection.run(
    `COPY (SELECT ${select} FROM (VALUES ${values}) AS t(${columns})) TO ${sqlLiteral(file)} (FORMAT PARQUET)`,
  );
}

async function snapshot(sql: string, orderBy: string): Promise<string[][]> {
  const reader = await connection.runAndReadAll(`SELECT * FROM (${sql}) AS s ORDER BY ${orderBy}`);
  return reader.getRowsJson() as string[][];
}

async function snapshotWithParameter(sql: string, at: Date, orderBy: string): Promise<string[][]> {
  const prepared = await connection.prepare(`SELECT * FROM (${sql}) AS s ORDER BY ${orderBy}`);
  prepared.bindTimestamp(1, timestampValue(BigInt(at.getTime()) * 1000n));
  const reader = await prepared.runAndReadAll();
  return reader.getRowsJson() as string[][];
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'as-of-query-'));
  instance = await Instance.create(':memory:');
  connection = await instance.connect();

  fs.mkdirSync(path.join(dataDir, 'accounts'));
  for (const [file, changes] of Object.entries(ACCOUNT_FILES)) {
    await writeParquet(
      path.join(dataDir, 'accounts', file),
      changes,
      'op, commit_ts, change_seq, id, name, balance, "default"',
      'op, commit_ts, change_seq, CAST(id AS BIGINT) AS id, name, CAST(balance AS DECIMAL(10,2)) AS balance, "default"',
    );
  }

  // A composite key, the commit time as a Parquet timestamp rather than a string, and ties
  // that no change sequence breaks: an update and a delete in the load's instant, and a key
  // loaded twice with different values.
  fs.mkdirSync(path.join(dataDir, 'holdings'));
  await writeParquet(
    path.join(dataDir, 'holdings', 'LOAD00000001.parquet'),
    [
      ['I', T0, null, 'a1', 'EUR', 10],
      ['I', T0, null, 'a1', 'USD', 20],
      ['U', T0, null, 'a2', 'EUR', 35],
      ['I', T0, null, 'a2', 'EUR', 30],
      ['I', T0, null, 'a3', 'GBP', 40],
      ['D', T0, null, 'a3', 'GBP', 40],
      ['I', T0, null, 'a4', 'JPY', 70],
      ['I', T0, null, 'a4', 'JPY', 60],
    ],
    'op, commit_ts, change_seq, account, currency, amount',
    'op, CAST(commit_ts AS TIMESTAMP) AS commit_ts, change_seq, account, currency, amount',
  );
  await writeParquet(
    path.join(dataDir, 'holdings', '20240301-101000000.parquet'),
    [
      ['U', T1, seq(1), 'a1', 'USD', 25],
      ['D', T1, seq(2), 'a1', 'EUR', 10],
      ['I', T2, seq(3), 'a1', 'EUR', 15],
    ],
    'op, commit_ts, change_seq, account, currency, amount',
    'op, CAST(commit_ts AS TIMESTAMP) AS commit_ts, change_seq, account, currency, amount',
  );
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('asOfQuery on DuckDB over DMS-shaped Parquet files', () => {
  const accounts = (): AsOfTableSpec => ({
    tableReference: `read_parquet('${dataDir}/accounts/*.parquet')`,
    primaryKey: ['id'],
    columns: ACCOUNT_COLUMNS,
  });

  test.each(ACCOUNT_CASES)('%s', async (_name, time, expected) => {
    const at = new Date(time);
    expect(await snapshot(asOfQuery(accounts(), { at }), 'id')).toEqual(expected);
  });

  test.each(ACCOUNT_CASES)('%s, as a prepared statement', async (_name, time, expected) => {
    const at = new Date(time);
    const sql = asOfQuery(accounts(), { parameter: true });
    expect(await snapshotWithParameter(sql, at, 'id')).toEqual(expected);
  });

  test('returns only the requested columns, in their order', async () => {
    const sql = asOfQuery(
      { ...accounts(), columns: ['name', 'id'] },
      { at: new Date('2024-03-02T00:00:00Z') },
    );
    const reader = await connection.runAndReadAll(sql);
    expect(reader.columnNames()).toEqual(['name', 'id']);
    expect(reader.currentRowCount).toBe(3);
  });

  test.each<[string, string, string[][]]>([
    ['before the load', '2024-03-01T09:00:00Z', []],
    [
      'at the load, where delete beats update beats insert and equal changes pick the lowest values',
      '2024-03-01T10:00:00Z',
      [
        ['a1', 'EUR', '10'],
        ['a1', 'USD', '20'],
        ['a2', 'EUR', '35'],
        ['a4', 'JPY', '60'],
      ],
    ],
    [
      'after an update and a delete in one instant',
      '2024-03-01T10:05:00Z',
      [
        ['a1', 'USD', '25'],
        ['a2', 'EUR', '35'],
        ['a4', 'JPY', '60'],
      ],
    ],
    [
      'after a re-insert under a composite key',
      '2024-03-01T10:10:00Z',
      [
        ['a1', 'EUR', '15'],
        ['a1', 'USD', '25'],
        ['a2', 'EUR', '35'],
        ['a4', 'JPY', '60'],
      ],
    ],
  ])('composite keys and a timestamp-typed commit time: %s', async (_name, time, expected) => {
    const spec: AsOfTableSpec = {
      tableReference: `read_parquet('${dataDir}/holdings/*.parquet')`,
      primaryKey: ['account', 'currency'],
      columns: ['account', 'currency', 'amount'],
    };
    const rows = await snapshot(asOfQuery(spec, { at: new Date(time) }), 'account, currency');
    expect(rows.map((row) => row.map(String))).toEqual(expected);
  });
});

describe('asOfQuery text', () => {
  const spec: AsOfTableSpec = {
    tableReference: qualifiedTableName('ml_foundation', 'banking'),
    primaryKey: ['id'],
    columns: ['id', 'default', 'odd"name'],
  };

  test('quotes every identifier, reserved words and embedded quotes included', () => {
    const sql = asOfQuery(spec, { at: new Date('2024-03-01T10:00:00Z') });
    expect(sql).toContain('SELECT "id", "default", "odd""name"\nFROM (');
    expect(sql).toContain('FROM "ml_foundation"."banking"');
    expect(sql).toContain('PARTITION BY "id"');
    expect(sql).toContain(
      [
        '      ORDER BY',
        '        "commit_ts" DESC,',
        `        NULLIF("change_seq", '') DESC NULLS LAST,`,
        `        CASE "op" WHEN 'D' THEN 0 WHEN 'U' THEN 1 ELSE 2 END,`,
        '        "id" ASC NULLS LAST, "default" ASC NULLS LAST, "odd""name" ASC NULLS LAST',
        '    ) AS "as_of_rank"',
      ].join('\n'),
    );
    expect(sql).toContain(
      `WHERE CAST("commit_ts" AS TIMESTAMP) <= TIMESTAMP '2024-03-01 10:00:00.000'`,
    );
    expect(sql).toMatch(/WHERE "as_of_rank" = 1 AND COALESCE\("op", 'I'\) <> 'D'$/);
  });

  test('the parameter form has exactly one placeholder, for the time', () => {
    const sql = asOfQuery(spec, { parameter: true });
    expect(sql.match(/\?/g)).toHaveLength(1);
    expect(sql).toContain('WHERE CAST("commit_ts" AS TIMESTAMP) <= ?');
  });

  test('timestamps are written in UTC with milliseconds', () => {
    expect(timestampLiteral(new Date('2024-03-01T11:00:00.5+01:00'))).toBe(
      "TIMESTAMP '2024-03-01 10:00:00.500'",
    );
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
  });

  const at: AsOfTime = { at: new Date('2024-01-01T00:00:00Z') };

  test.each<[string, Partial<AsOfTableSpec>, string]>([
    ['no primary key', { primaryKey: [] }, 'at least one primary key column is needed'],
    ['no columns', { columns: [], primaryKey: [] }, 'at least one column is needed'],
    [
      'a key that is not a column',
      { primaryKey: ['nope'] },
      'primary key column "nope" is not one of the columns',
    ],
    ['a key listed twice', { primaryKey: ['id', 'id'] }, 'primary key column "id" is listed twice'],
    ['a column listed twice', { columns: ['id', 'id'] }, 'column "id" is listed twice'],
    ['an empty column name', { columns: ['id', ''] }, 'column name must not be empty'],
    [
      'a control character',
      { columns: ['id', 'a\nb'] },
      'column name "a\\nb" has a control character',
    ],
    [
      'surrounding spaces',
      { columns: ['id', ' a'] },
      'column name " a" starts or ends with white space',
    ],
    [
      'a column named like a DMS column',
      { columns: ['id', 'op'] },
      'column "op" clashes with a column of the change table',
    ],
    ['an empty table reference', { tableReference: '  ' }, 'the table reference must not be empty'],
  ])('rejects %s', (_name, override, problem) => {
    expect(
      problemsThrownBy(AsOfQueryError, () => asOfQuery({ ...spec, ...override }, at)),
    ).toContain(problem);
  });

  test('reports every problem at once', () => {
    const problems = problemsThrownBy(AsOfQueryError, () =>
      asOfQuery({ tableReference: '', primaryKey: ['x'], columns: ['commit_ts'] }, at),
    );
    expect(problems).toEqual([
      'the table reference must not be empty',
      'column "commit_ts" clashes with a column of the change table',
      'primary key column "x" is not one of the columns',
    ]);
  });

  test.each([
    ['an invalid date', new Date('nope'), 'the time is not a valid date'],
    [
      'a year past 9999',
      new Date(Date.UTC(10000, 0, 1)),
      'the time +010000-01-01T00:00:00.000Z is outside the years 0001 to 9999',
    ],
  ])('rejects %s', (_name, date, problem) => {
    expect(problemsThrownBy(AsOfQueryError, () => asOfQuery(spec, { at: date }))).toEqual([
      problem,
    ]);
    expect(() => timestampLiteral(date)).toThrow(problem);
  });

  test('rejects an invalid database or table name', () => {
    expect(problemsThrownBy(AsOfQueryError, () => qualifiedTableName('', 'a\tb'))).toEqual([
      'database name must not be empty',
      'table name "a\\tb" has a control character',
    ]);
  });
});
