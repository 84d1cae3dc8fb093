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
  replicatedTableSpec,
  timestampLiteral,
  TRUNCATIONS_TABLE,
} from '../../lib/catalog/as-of-query';
import {
  generationBucketFolder,
  tableKeyPrefix,
  tableLocationTemplate,
  truncationsKeyPrefix,
} from '../../lib/replication/data-lake-layout';

/*
 * The as-of query run on DuckDB over Parquet files laid out and typed as DMS writes them: one
 * folder per replication generation (data-lake-layout.ts), `op`, `commit_ts` as DMS's string
 * `yyyy-MM-dd HH:mm:ss.SSSSSS`, `change_seq` from `$AR_H_CHANGE_SEQ` (empty for full-load rows),
 * and the before-image of the primary key, `bi_<key>`.
 *
 * Sources:
 * - DMS S3 target, TimestampColumnName: "For a full load, each row of this timestamp column
 *   contains a timestamp for when the data was transferred ... For a CDC load, each row ...
 *   contains the timestamp for the commit of that row in the source database. ... For a CDC
 *   load, the rounding of the precision depends on the commit timestamp supported by DMS for the
 *   source database." UseTaskStartTimeForFullLoadTimestamp: "each row of the timestamp column
 *   contains the task start time".
 *   https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html#CHAP_Target.S3.Configuring
 * - MySQL binlog events carry a 4-byte timestamp in whole seconds:
 *   https://dev.mysql.com/doc/dev/mysql-server/8.4.5/page_protocol_replication_binlog_event.html
 *   (no DMS document states the precision of a MySQL commit time; whole seconds is the binlog's).
 * - `$AR_H_CHANGE_SEQ` is "a 35 digit unique number at task level"
 *   (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Expressions.html).
 */

const BUCKET_FOLDER = 'cdc/';

/** A source table, as the layout names its folders. */
interface Table {
  readonly mysqlDatabase: string;
  readonly name: string;
}

/** A Parquet column of the fixture files: its name and its DuckDB type. */
type Column = readonly [name: string, type: string];
type Value = string | number | null;
type Row = readonly Value[];

const DMS: readonly Column[] = [
  ['op', 'VARCHAR'],
  ['commit_ts', 'VARCHAR'],
  ['change_seq', 'VARCHAR'],
];
/** The columns of a table keyed by `id`, with its before-image, and one `state` column. */
const KEYED: readonly Column[] = [
  ...DMS,
  ['bi_id', 'BIGINT'],
  ['id', 'BIGINT'],
  ['state', 'VARCHAR'],
];

/** `$AR_H_CHANGE_SEQ`: fixed-width digits, so that string order is numeric order. */
const seq = (n: number) => `20240301${String(n).padStart(27, '0')}`;

/** The task start time, with microseconds, that DMS writes to every full-load row. */
const LOAD = '2024-03-01 10:00:00.345678';

let instance: DuckDBInstance;
let connection: DuckDBConnection;
let lakeDir: string;

function sqlLiteral(value: Value): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

/** Writes one DMS file of a table's generation, in the folder that generation's endpoint writes. */
async function writeDmsFile(
  table: Table,
  generation: number,
  file: string,
  columns: readonly Column[],
  rows: readonly Row[],
): Promise<string> {
  const key = tableKeyPrefix(generationBucketFolder(BUCKET_FOLDER, generation), table) + file;
  const target = path.join(lakeDir, key);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const values = rows.map((row) => `(${row.map(sqlLiteral).join(', ')})`).join(',\n');
  const names = columns.map(([name]) => quoteIdentifier(name));
  const select = columns.map(
    ([name, type]) => `CAST(${quoteIdentifier(name)} AS ${type}) AS ${quoteIdentifier(name)}`,
  );
  await connection.run(
    `COPY (SELECT ${select.join(', ')} FROM (VALUES ${values}) AS t(${names.join(', ')})) TO ${sqlLiteral(target)} (FORMAT PARQUET)`,
  );
  return key;
}

/**
 * A table's history across every generation, read as the Glue table reads it: the files under
 * the projected location template, with `generation` taken from the folder name.
 */
function history(table: Table): string {
  const glob = tableLocationTemplate('bucket', BUCKET_FOLDER, table)
    .replace('s3://bucket', lakeDir)
    .replace('${generation}', '*');
  return `read_parquet('${glob}*.parquet', hive_partitioning = true, union_by_name = true)`;
}

/** Writes a set of truncation marks, as rows of the marks table's text files. */
function writeMarks(
  name: string,
  marks: ReadonlyArray<[table: string, truncatedAt: string]>,
): string {
  const file = path.join(lakeDir, truncationsKeyPrefix(BUCKET_FOLDER), `${name}.csv`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, marks.map((mark) => `${mark.join(',')}\n`).join(''));
  return file;
}

/** A set of truncation marks, with `truncated_at` typed as a timestamp or as a string. */
function marks(file: string, timeType: 'TIMESTAMP' | 'VARCHAR' = 'TIMESTAMP'): string {
  const columns = `{'${TRUNCATIONS_TABLE.tableColumn}': 'VARCHAR', '${TRUNCATIONS_TABLE.timeColumn}': '${timeType}'}`;
  return `read_csv('${file}', delim = ',', header = false, auto_detect = false, columns = ${columns})`;
}

let noMarks: string;

function keyedSpec(table: Table, truncations = noMarks): AsOfTableSpec {
  return {
    tableReference: history(table),
    primaryKey: ['id'],
    columns: ['id', 'state'],
    truncations: { tableReference: truncations, tableName: table.name },
  };
}

async function snapshot(sql: string, orderBy: string): Promise<string[][]> {
  const reader = await connection.runAndReadAll(`SELECT * FROM (${sql}) AS s ORDER BY ${orderBy}`);
  return (reader.getRowsJson() as unknown[][]).map((row) => row.map(String));
}

async function snapshotWithParameter(sql: string, at: Date, orderBy: string): Promise<string[][]> {
  const prepared = await connection.prepare(`SELECT * FROM (${sql}) AS s ORDER BY ${orderBy}`);
  prepared.bindTimestamp(1, timestampValue(BigInt(at.getTime()) * 1000n));
  const reader = await prepared.runAndReadAll();
  return (reader.getRowsJson() as unknown[][]).map((row) => row.map(String));
}

const keyedAsOf = (spec: AsOfTableSpec, time: string) =>
  snapshot(asOfQuery(spec, { at: new Date(time) }), 'id');

beforeAll(async () => {
  lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'as-of-query-'));
  instance = await Instance.create(':memory:');
  connection = await instance.connect();
  noMarks = marks(writeMarks('none', []));
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
  if (lakeDir) fs.rmSync(lakeDir, { recursive: true, force: true });
});

describe('a table through loads, updates, deletes and re-inserts', () => {
  const accounts: Table = { mysqlDatabase: 'core', name: 'accounts' };
  const T1 = '2024-03-01 10:05:00.000000';
  const T2 = '2024-03-01 10:10:00.000000';
  const T3 = '2024-03-01 10:15:00.000000'; // several changes in one second
  const T4 = '2024-03-01 10:30:00.000000';
  const COLUMNS: readonly Column[] = [
    ...DMS,
    ['bi_id', 'BIGINT'],
    ['id', 'BIGINT'],
    ['name', 'VARCHAR'],
    ['balance', 'DECIMAL(10,2)'],
    ['default', 'VARCHAR'],
  ];
  /** A change: op, commit_ts, change_seq, then the row. Updates and deletes carry their key's before-image. */
  const change = (op: string | null, ts: string, sequence: string | null, ...row: Value[]): Row => [
    op,
    ts,
    sequence,
    op === 'U' || op === 'D' ? row[0] : null,
    ...row,
  ];

  /**
   * The `accounts` history, file by file: two full-load files (one written without the
   * operation column's value, as with IncludeOpForFullLoad off) and CDC files. The files are
   * not in change order, and one change is delivered twice.
   */
  const FILES: Record<string, Row[]> = {
    'LOAD00000001.parquet': [
      change('I', LOAD, '', 1, 'alice', '100.00', 'n'),
      change('I', LOAD, '', 2, 'bob', '200.00', 'n'),
    ],
    'LOAD00000002.parquet': [change(null, LOAD, null, 3, 'carol', '300.00', 'y')],
    '20240301-100000000.parquet': [
      change('U', '2024-03-01 10:00:00.000000', seq(1), 2, 'bob', '205.00', 'n'),
    ],
    '20240301-100500000.parquet': [
      change('U', T1, seq(2), 1, 'alice', '110.00', 'n'),
      change('I', T1, seq(3), 4, 'dave', '400.00', 'n'),
    ],
    '20240301-101000000.parquet': [
      change('D', T2, seq(4), 2, 'bob', '205.00', 'n'),
      change('U', T1, seq(2), 1, 'alice', '110.00', 'n'),
    ],
    '20240301-101500000-a.parquet': [
      change('U', T3, seq(11), 1, 'alice', '130.00', 'n'),
      change('U', T3, seq(5), 3, 'carol', '310.00', 'y'),
      change('U', T3, seq(6), 3, 'carol', '320.00', 'y'),
      change('I', T3, seq(7), 2, 'bob', '250.00', 'y'),
    ],
    '20240301-101500000-b.parquet': [
      change('U', T3, seq(10), 1, 'alice', '120.00', 'n'),
      change('D', T3, seq(8), 4, 'dave', '400.00', 'n'),
      change('I', T3, seq(9), 5, 'erin', '500.00', 'n'),
      change('D', T3, seq(12), 5, 'erin', '500.00', 'n'),
    ],
    '20240301-103000000.parquet': [
      change('D', T4, seq(13), 1, 'alice', '130.00', 'n'),
      change('U', T4, seq(14), 3, 'carol', '330.00', 'n'),
      change('I', T4, seq(15), 5, 'erin', '550.00', 'y'),
    ],
  };

  const LOADED = [
    ['1', 'alice', '100.00', 'n'],
    ['2', 'bob', '205.00', 'n'],
    ['3', 'carol', '300.00', 'y'],
  ];
  const AFTER_T1 = [
    ['1', 'alice', '110.00', 'n'],
    ['2', 'bob', '205.00', 'n'],
    ['3', 'carol', '300.00', 'y'],
    ['4', 'dave', '400.00', 'n'],
  ];
  const AFTER_T2 = [
    ['1', 'alice', '110.00', 'n'],
    ['3', 'carol', '300.00', 'y'],
    ['4', 'dave', '400.00', 'n'],
  ];
  const AFTER_T3 = [
    ['1', 'alice', '130.00', 'n'],
    ['2', 'bob', '250.00', 'y'],
    ['3', 'carol', '320.00', 'y'],
  ];
  const AFTER_T4 = [
    ['2', 'bob', '250.00', 'y'],
    ['3', 'carol', '330.00', 'n'],
    ['5', 'erin', '550.00', 'y'],
  ];
  const CASES: ReadonlyArray<[string, string, string[][]]> = [
    ['before the full load', '2024-03-01T09:59:59.999Z', []],
    [
      "at the start of the load's second, with the change of that second above the load",
      '2024-03-01T10:00:00.000Z',
      LOADED,
    ],
    ['between the load and the first change', '2024-03-01T10:02:00.000Z', LOADED],
    ['a millisecond before an update', '2024-03-01T10:04:59.999Z', LOADED],
    ['at an update and an insert', '2024-03-01T10:05:00.000Z', AFTER_T1],
    ['after a delete', '2024-03-01T10:12:00.000Z', AFTER_T2],
    ['a millisecond before the second with several changes', '2024-03-01T10:14:59.999Z', AFTER_T2],
    [
      'in the second with several changes (update twice, re-insert, delete, insert and delete)',
      '2024-03-01T10:15:00.000Z',
      AFTER_T3,
    ],
    ['late in that second', '2024-03-01T10:15:00.999Z', AFTER_T3],
    ['after every change', '2024-03-02T00:00:00.000Z', AFTER_T4],
  ];

  const spec = (): AsOfTableSpec => ({
    tableReference: history(accounts),
    primaryKey: ['id'],
    columns: ['id', 'name', 'balance', 'default'],
    truncations: { tableReference: noMarks, tableName: accounts.name },
  });

  beforeAll(async () => {
    for (const [file, rows] of Object.entries(FILES)) {
      await writeDmsFile(accounts, 1, file, COLUMNS, rows);
    }
  });

  test.each(CASES)('%s', async (_name, time, expected) => {
    expect(await snapshot(asOfQuery(spec(), { at: new Date(time) }), 'id')).toEqual(expected);
  });

  test.each(CASES)('%s, as a prepared statement', async (_name, time, expected) => {
    const sql = asOfQuery(spec(), { parameter: true });
    expect(await snapshotWithParameter(sql, new Date(time), 'id')).toEqual(expected);
  });

  test('returns only the requested columns, in their order', async () => {
    const sql = asOfQuery(
      { ...spec(), columns: ['name', 'id'] },
      { at: new Date('2024-03-02T00:00:00Z') },
    );
    const reader = await connection.runAndReadAll(sql);
    expect(reader.columnNames()).toEqual(['name', 'id']);
    expect(reader.currentRowCount).toBe(3);
  });
});

describe('a change in the second of the full load', () => {
  // DMS S3 target: CDC commit times are rounded to the source's precision (whole seconds for a
  // MySQL binlog), full-load rows carry the task start time in microseconds
  // (UseTaskStartTimeForFullLoadTimestamp). Ordered at full precision, a change committed in the
  // load's second sorts below the load row although it was made after the capture began.
  const ties: Table = { mysqlDatabase: 'core', name: 'ties' };

  beforeAll(async () => {
    await writeDmsFile(ties, 1, 'LOAD00000001.parquet', KEYED, [
      ['I', LOAD, '', null, 1, 'loaded'],
      ['I', LOAD, '', null, 2, 'loaded'],
      ['I', LOAD, '', null, 3, 'loaded'],
    ]);
    await writeDmsFile(ties, 1, '20240301-100000000.parquet', KEYED, [
      ['U', '2024-03-01 10:00:00.000000', seq(1), 1, 1, 'changed'],
      ['D', '2024-03-01 10:00:00.000000', seq(2), 3, 3, 'loaded'],
    ]);
  });

  test.each([
    ['just before that second', '2024-03-01T09:59:59.999Z', []],
    [
      'at the start of that second',
      '2024-03-01T10:00:00.000Z',
      [
        ['1', 'changed'],
        ['2', 'loaded'],
      ],
    ],
    [
      'after the load time within that second',
      '2024-03-01T10:00:00.500Z',
      [
        ['1', 'changed'],
        ['2', 'loaded'],
      ],
    ],
  ])('ranks the change above the load row: %s', async (_name, time, expected) => {
    expect(await keyedAsOf(keyedSpec(ties), time)).toEqual(expected);
  });
});

describe('an update that changes a primary key', () => {
  // AWS re:Post (DMS, S3 target): an update of a primary key is written as one U row with the new
  // key; "you can use the add-before-image-columns transformation rule to add the before image of
  // the primary key columns to the S3 output file ... They contain the original primary key
  // values before it was updated."
  // https://repost.aws/questions/QUfXtCkhI9SGepdNLbsqTzjQ/how-to-determine-which-record-was-updated-when-primary-key-is-updated
  // The rule: https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Transformations.html
  // ("Add a before image column"; column-filter pk-only). The S3 target guide itself does not
  // say what DMS writes for a key update.
  const renames: Table = { mysqlDatabase: 'core', name: 'renames' };
  const legacy: Table = { mysqlDatabase: 'core', name: 'legacy' };
  const T1 = '2024-03-01 10:05:00.000000';
  const T2 = '2024-03-01 10:10:00.000000';
  const T3 = '2024-03-01 10:15:00.000000';

  beforeAll(async () => {
    await writeDmsFile(renames, 1, 'LOAD00000001.parquet', KEYED, [
      ['I', LOAD, '', null, 1, 'a'],
      ['I', LOAD, '', null, 2, 'b'],
      ['I', LOAD, '', null, 3, 'c'],
    ]);
    await writeDmsFile(renames, 1, '20240301-100500000.parquet', KEYED, [
      ['U', T1, seq(1), 1, 10, 'a'], // UPDATE ... SET id = 10 WHERE id = 1
      ['U', T1, seq(2), 2, 2, 'b2'], // an update that keeps the key
    ]);
    await writeDmsFile(renames, 1, '20240301-101000000.parquet', KEYED, [
      // Keys 2 and 3 swapped through 4, in one second.
      ['U', T2, seq(3), 2, 4, 'b2'],
      ['U', T2, seq(4), 3, 2, 'c'],
      ['U', T2, seq(5), 4, 3, 'b2'],
    ]);
    await writeDmsFile(renames, 1, '20240301-101500000.parquet', KEYED, [
      ['I', T3, seq(6), null, 1, 'a again'], // the old key, inserted anew
    ]);

    // History written before the table mapping had the before-image rule: the files have no
    // bi_id column, and Athena reads a declared column missing from a file as NULL.
    const withoutBeforeImage: readonly Column[] = [...DMS, ['id', 'BIGINT'], ['state', 'VARCHAR']];
    await writeDmsFile(legacy, 1, 'LOAD00000001.parquet', withoutBeforeImage, [
      ['I', LOAD, '', 1, 'a'],
    ]);
    await writeDmsFile(legacy, 1, '20240301-100500000.parquet', withoutBeforeImage, [
      ['U', T1, seq(1), 10, 'a'],
    ]);
    await writeDmsFile(legacy, 1, '20240301-101000000.parquet', KEYED, [
      ['U', T2, seq(2), 10, 20, 'a'],
    ]);
  });

  test.each([
    [
      'before the change',
      '2024-03-01T10:04:59Z',
      [
        ['1', 'a'],
        ['2', 'b'],
        ['3', 'c'],
      ],
    ],
    [
      'after it: the old key is gone, an update that keeps its key stays',
      '2024-03-01T10:05:00Z',
      [
        ['2', 'b2'],
        ['3', 'c'],
        ['10', 'a'],
      ],
    ],
    [
      'after two keys swapped in one second',
      '2024-03-01T10:10:00Z',
      [
        ['2', 'c'],
        ['3', 'b2'],
        ['10', 'a'],
      ],
    ],
    [
      'after the old key is inserted anew',
      '2024-03-01T10:15:00Z',
      [
        ['1', 'a again'],
        ['2', 'c'],
        ['3', 'b2'],
        ['10', 'a'],
      ],
    ],
  ])('the before-image key is deleted at the change: %s', async (_name, time, expected) => {
    expect(await keyedAsOf(keyedSpec(renames), time)).toEqual(expected);
  });

  test('without before-image columns the old key stays, and from the first one on it is deleted', async () => {
    expect(await keyedAsOf(keyedSpec(legacy), '2024-03-01T10:05:00Z')).toEqual([
      ['1', 'a'],
      ['10', 'a'],
    ]);
    expect(await keyedAsOf(keyedSpec(legacy), '2024-03-01T10:10:00Z')).toEqual([
      ['1', 'a'],
      ['20', 'a'],
    ]);
  });
});

describe('composite keys, a timestamp-typed commit time and ties no change sequence breaks', () => {
  const holdings: Table = { mysqlDatabase: 'core', name: 'holdings' };
  const COLUMNS: readonly Column[] = [
    ['op', 'VARCHAR'],
    ['commit_ts', 'TIMESTAMP'],
    ['change_seq', 'VARCHAR'],
    ['bi_account', 'VARCHAR'],
    ['bi_currency', 'VARCHAR'],
    ['account', 'VARCHAR'],
    ['currency', 'VARCHAR'],
    ['amount', 'INTEGER'],
  ];

  beforeAll(async () => {
    // Ties in the load: an update and a delete in the load's instant, and a key loaded twice.
    await writeDmsFile(holdings, 1, 'LOAD00000001.parquet', COLUMNS, [
      ['I', LOAD, null, null, null, 'a1', 'EUR', 10],
      ['I', LOAD, null, null, null, 'a1', 'USD', 20],
      ['U', LOAD, null, null, null, 'a2', 'EUR', 35],
      ['I', LOAD, null, null, null, 'a2', 'EUR', 30],
      ['I', LOAD, null, null, null, 'a3', 'GBP', 40],
      ['D', LOAD, null, null, null, 'a3', 'GBP', 40],
      ['I', LOAD, null, null, null, 'a4', 'JPY', 70],
      ['I', LOAD, null, null, null, 'a4', 'JPY', 60],
    ]);
    await writeDmsFile(holdings, 1, '20240301-101000000.parquet', COLUMNS, [
      ['U', '2024-03-01 10:05:00', seq(1), 'a1', 'USD', 'a1', 'USD', 25],
      ['D', '2024-03-01 10:05:00', seq(2), 'a1', 'EUR', 'a1', 'EUR', 10],
      ['I', '2024-03-01 10:10:00', seq(3), null, null, 'a1', 'EUR', 15],
      // One column of a composite key changes.
      ['U', '2024-03-01 10:15:00', seq(4), 'a1', 'USD', 'a1', 'GBP', 25],
    ]);
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
      'after an update and a delete in one second',
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
    [
      'after an update of one key column',
      '2024-03-01T10:15:00Z',
      [
        ['a1', 'EUR', '15'],
        ['a1', 'GBP', '25'],
        ['a2', 'EUR', '35'],
        ['a4', 'JPY', '60'],
      ],
    ],
  ])('%s', async (_name, time, expected) => {
    const spec: AsOfTableSpec = {
      tableReference: history(holdings),
      primaryKey: ['account', 'currency'],
      columns: ['account', 'currency', 'amount'],
      truncations: { tableReference: noMarks, tableName: holdings.name },
    };
    expect(await snapshot(asOfQuery(spec, { at: new Date(time) }), 'account, currency')).toEqual(
      expected,
    );
  });
});

describe('a truncate on the source', () => {
  // DMS S3 target: "A truncate DDL operation removes all files and corresponding table folders
  // from an S3 bucket. You can use task settings to disable that behavior"
  // (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html#CHAP_Target.S3.Limitations);
  // the task settings turn it off (task-settings.ts). No document says what DMS then writes for
  // the truncate; this history assumes nothing (no row deletes), the case in which an unmarked
  // truncate shows too many rows, never too few, and a truncation mark clears them.
  const events: Table = { mysqlDatabase: 'core', name: 'events' };
  let marked: string;

  beforeAll(async () => {
    await writeDmsFile(events, 1, 'LOAD00000001.parquet', KEYED, [
      ['I', LOAD, '', null, 1, 'loaded'],
      ['I', LOAD, '', null, 2, 'loaded'],
    ]);
    await writeDmsFile(events, 1, '20240301-100500000.parquet', KEYED, [
      ['U', '2024-03-01 10:05:00.000000', seq(1), 1, 1, 'updated'],
    ]);
    // TRUNCATE TABLE events at 10:10:00, then in the same second and later, new rows.
    await writeDmsFile(events, 1, '20240301-101000000.parquet', KEYED, [
      ['I', '2024-03-01 10:10:00.000000', seq(2), null, 3, 'after'],
      ['I', '2024-03-01 10:15:00.000000', seq(3), null, 4, 'later'],
    ]);
    marked = writeMarks('marked', [
      ['accounts', '2024-03-01 10:00:00'],
      ['events', '2024-03-01 10:10:00'],
    ]);
  });

  test('unmarked, the truncated rows stay in the table as of every later time', async () => {
    const otherTableOnly = marks(writeMarks('other', [['accounts', '2024-03-01 10:10:00']]));
    const expected = [
      ['1', 'updated'],
      ['2', 'loaded'],
      ['3', 'after'],
      ['4', 'later'],
    ];
    expect(await keyedAsOf(keyedSpec(events), '2024-03-01T10:20:00Z')).toEqual(expected);
    expect(await keyedAsOf(keyedSpec(events, otherTableOnly), '2024-03-01T10:20:00Z')).toEqual(
      expected,
    );
  });

  test.each<[string, string, string[][]]>([
    [
      'before the mark, nothing changes',
      '2024-03-01T10:09:59.999Z',
      [
        ['1', 'updated'],
        ['2', 'loaded'],
      ],
    ],
    [
      "at the mark, only the changes of the mark's second and later",
      '2024-03-01T10:10:00Z',
      [['3', 'after']],
    ],
    [
      'later',
      '2024-03-01T10:20:00Z',
      [
        ['3', 'after'],
        ['4', 'later'],
      ],
    ],
  ])('a truncation mark: %s', async (_name, time, expected) => {
    expect(await keyedAsOf(keyedSpec(events, marks(marked)), time)).toEqual(expected);
    // Glue may declare truncated_at a string; the query reads both.
    expect(await keyedAsOf(keyedSpec(events, marks(marked, 'VARCHAR')), time)).toEqual(expected);
  });

  test('a mark on the next second clears the changes of the truncate second too', async () => {
    const nextSecond = marks(writeMarks('next-second', [['events', '2024-03-01 10:10:01']]));
    expect(await keyedAsOf(keyedSpec(events, nextSecond), '2024-03-01T10:10:00.500Z')).toEqual([
      ['1', 'updated'],
      ['2', 'loaded'],
      ['3', 'after'],
    ]);
    expect(await keyedAsOf(keyedSpec(events, nextSecond), '2024-03-01T10:10:01Z')).toEqual([]);
    expect(await keyedAsOf(keyedSpec(events, nextSecond), '2024-03-01T10:20:00Z')).toEqual([
      ['4', 'later'],
    ]);
  });

  test('of several marks, the latest at or before the time applies', async () => {
    const twice = marks(
      writeMarks('twice', [
        ['events', '2024-03-01 10:12:00'],
        ['events', '2024-03-01 10:10:00'],
      ]),
    );
    expect(await keyedAsOf(keyedSpec(events, twice), '2024-03-01T10:11:00Z')).toEqual([
      ['3', 'after'],
    ]);
    expect(await keyedAsOf(keyedSpec(events, twice), '2024-03-01T10:12:00Z')).toEqual([]);
    expect(await keyedAsOf(keyedSpec(events, twice), '2024-03-01T10:20:00Z')).toEqual([
      ['4', 'later'],
    ]);
  });

  test('a prepared statement honours the marks with its one parameter', async () => {
    const sql = asOfQuery(keyedSpec(events, marks(marked)), { parameter: true });
    expect(await snapshotWithParameter(sql, new Date('2024-03-01T10:12:00Z'), 'id')).toEqual([
      ['3', 'after'],
    ]);
  });
});

describe('a replacement of the replication task', () => {
  // A replacement task writes its own generation folder (data-lake-layout.ts): DMS S3 target,
  // "Multiple tasks that replicate data from the same source table to the same target S3
  // endpoint bucket result in those tasks writing to the same file", and full-load files are
  // numbered from LOAD00000001 by every task
  // (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html). Change sequences
  // are unique only "at task level" (DMS expressions guide), and deletes made while no task ran
  // exist only as keys missing from the new load: generations are never mixed.
  const customers: Table = { mysqlDatabase: 'core', name: 'customers' };
  const BEFORE_REPLACEMENT: ReadonlyArray<[string, string, string[][]]> = [
    ['before the first load', '2024-03-01T09:59:59.999Z', []],
    [
      'at the first load',
      '2024-03-01T10:00:00Z',
      [
        ['1', 'a'],
        ['2', 'b'],
        ['3', 'c'],
      ],
    ],
    [
      'after an update',
      '2024-03-01T10:15:00Z',
      [
        ['1', 'a1'],
        ['2', 'b'],
        ['3', 'c'],
      ],
    ],
    [
      'after a delete',
      '2024-03-01T10:25:00Z',
      [
        ['1', 'a1'],
        ['3', 'c'],
      ],
    ],
    [
      'after the first task stopped, before the replacement loaded',
      '2024-03-01T11:59:59.999Z',
      [
        ['1', 'a1'],
        ['3', 'c'],
        ['4', 'd'],
      ],
    ],
  ];
  const before = new Map<string, string[][]>();
  const keys: string[] = [];

  beforeAll(async () => {
    // Generation 1: the first task's load and changes.
    keys.push(
      await writeDmsFile(customers, 1, 'LOAD00000001.parquet', KEYED, [
        ['I', '2024-03-01 10:00:00.123456', '', null, 1, 'a'],
        ['I', '2024-03-01 10:00:00.123456', '', null, 2, 'b'],
        ['I', '2024-03-01 10:00:00.123456', '', null, 3, 'c'],
      ]),
      await writeDmsFile(customers, 1, '20240301-101000000.parquet', KEYED, [
        ['U', '2024-03-01 10:10:00.000000', seq(101), 1, 1, 'a1'],
        ['D', '2024-03-01 10:20:00.000000', seq(102), 2, 2, 'b'],
        ['I', '2024-03-01 10:30:00.000000', seq(103), null, 4, 'd'],
      ]),
    );
    for (const [, time] of BEFORE_REPLACEMENT) {
      before.set(time, await keyedAsOf(keyedSpec(customers), time));
    }

    // The first task stops at 11:00; while no task runs, 3 is deleted, 5 inserted and 1
    // updated. The replacement starts at 12:00:00.654321 and loads the table as it is then.
    // The first task, deleted only after its replacement is created, still writes a change
    // that both tasks capture; the replacement's sequences are lower than the first's.
    keys.push(
      await writeDmsFile(customers, 1, '20240301-120500000.parquet', KEYED, [
        ['I', '2024-03-01 12:05:00.000000', seq(104), null, 6, 'f'],
      ]),
      await writeDmsFile(customers, 2, 'LOAD00000001.parquet', KEYED, [
        ['I', '2024-03-01 12:00:00.654321', '', null, 1, 'a2'],
        ['I', '2024-03-01 12:00:00.654321', '', null, 4, 'd'],
        ['I', '2024-03-01 12:00:00.654321', '', null, 5, 'e'],
      ]),
      await writeDmsFile(customers, 2, '20240301-121000000.parquet', KEYED, [
        ['I', '2024-03-01 12:05:00.000000', seq(1), null, 6, 'f'],
        ['U', '2024-03-01 12:20:00.000000', seq(2), 4, 4, 'd2'],
      ]),
    );
  });

  test('each generation writes its own keys; the second load overwrites nothing', () => {
    expect(keys).toEqual([
      'cdc/generation=1/core/customers/LOAD00000001.parquet',
      'cdc/generation=1/core/customers/20240301-101000000.parquet',
      'cdc/generation=1/core/customers/20240301-120500000.parquet',
      'cdc/generation=2/core/customers/LOAD00000001.parquet',
      'cdc/generation=2/core/customers/20240301-121000000.parquet',
    ]);
  });

  test.each(BEFORE_REPLACEMENT)(
    'as of a time before the replacement, the table reads as it did before: %s',
    async (_name, time, expected) => {
      expect(before.get(time)).toEqual(expected);
      expect(await keyedAsOf(keyedSpec(customers), time)).toEqual(expected);
    },
  );

  test.each<[string, string, string[][]]>([
    [
      "at the replacement's load: the keys deleted before it stay deleted",
      '2024-03-01T12:00:00Z',
      [
        ['1', 'a2'],
        ['4', 'd'],
        ['5', 'e'],
      ],
    ],
    [
      'after a change both tasks captured',
      '2024-03-01T12:10:00Z',
      [
        ['1', 'a2'],
        ['4', 'd'],
        ['5', 'e'],
        ['6', 'f'],
      ],
    ],
    [
      "after the replacement's own change",
      '2024-03-02T00:00:00Z',
      [
        ['1', 'a2'],
        ['4', 'd2'],
        ['5', 'e'],
        ['6', 'f'],
      ],
    ],
  ])(
    'as of a time after the replacement, only its generation: %s',
    async (_name, time, expected) => {
      expect(await keyedAsOf(keyedSpec(customers), time)).toEqual(expected);
    },
  );
});

describe('asOfQuery text', () => {
  const spec: AsOfTableSpec = replicatedTableSpec('ml_foundation', {
    name: 'banking',
    primaryKey: ['id'],
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'default', type: 'varchar(8)' },
      { name: 'odd"name', type: 'int' },
    ],
  });

  test('a replicated table reads its Glue table and the database truncation marks', () => {
    expect(spec).toEqual({
      tableReference: '"ml_foundation"."banking"',
      primaryKey: ['id'],
      columns: ['id', 'default', 'odd"name'],
      truncations: {
        tableReference: '"ml_foundation"."history_truncations"',
        tableName: 'banking',
      },
    });
  });

  test('quotes every identifier, reserved words and embedded quotes included', () => {
    const sql = asOfQuery(
      { ...spec, truncations: { ...spec.truncations, tableName: "it's" } },
      { at: new Date('2024-03-01T10:00:00Z') },
    );
    expect(sql).toContain('SELECT "id", "default", "odd""name"\nFROM "as_of_ranked"');
    expect(sql).toContain('  FROM "ml_foundation"."banking"\n');
    expect(sql).toContain('  FROM "ml_foundation"."history_truncations"\n');
    expect(sql).toContain(`WHERE "table_name" = 'it''s'`);
    expect(sql).toContain('PARTITION BY "id"');
    expect(sql).toContain(
      [
        '      ORDER BY',
        '        "as_of_commit_time" DESC,',
        `        NULLIF("change_seq", '') DESC NULLS LAST,`,
        `        CASE "op" WHEN 'D' THEN 0 WHEN 'U' THEN 1 ELSE 2 END,`,
        '        "id" ASC NULLS LAST, "default" ASC NULLS LAST, "odd""name" ASC NULLS LAST',
        '    ) AS "as_of_rank"',
      ].join('\n'),
    );
    expect(sql).toContain(
      `CAST(substr(CAST("commit_ts" AS VARCHAR), 1, 19) AS TIMESTAMP) AS "as_of_commit_time"`,
    );
    expect(sql).toContain(`WHERE "as_of_event_time" <= TIMESTAMP '2024-03-01 10:00:00.000'`);
    expect(sql).toMatch(/WHERE "as_of_rank" = 1 AND COALESCE\("op", 'I'\) <> 'D'$/);
  });

  test('the parameter form has exactly one placeholder, in a WHERE clause', () => {
    // Athena parameterized queries: "Currently, ? parameters can be placed only in the WHERE
    // clause. Syntax like SELECT ? FROM table is not supported."
    // https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html
    const sql = asOfQuery(spec, { parameter: true });
    expect(sql.match(/\?/g)).toHaveLength(1);
    expect(sql).toContain('\n  WHERE "as_of_event_time" <= ?\n');
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
    [
      'a column named like the generation partition',
      { columns: ['id', 'generation'] },
      'column "generation" clashes with a column of the change table',
    ],
    [
      'a column named like a name the query computes',
      { columns: ['id', 'as_of_rank'] },
      'column "as_of_rank" clashes with a column of the change table',
    ],
    [
      'a column named like a before-image column',
      { columns: ['id', 'bi_id'] },
      'column "bi_id" clashes with the before-image column of primary key column "id"',
    ],
    ['an empty table reference', { tableReference: '  ' }, 'the table reference must not be empty'],
    [
      'an empty truncation marks reference',
      { truncations: { tableReference: '', tableName: 'banking' } },
      'the truncation marks reference must not be empty',
    ],
    [
      'a truncation marks table name with a control character',
      { truncations: { tableReference: '"db"."marks"', tableName: 'a\tb' } },
      'truncation marks table name "a\\tb" has a control character',
    ],
  ])('rejects %s', (_name, override, problem) => {
    expect(
      problemsThrownBy(AsOfQueryError, () => asOfQuery({ ...spec, ...override }, at)),
    ).toContain(problem);
  });

  test('reports every problem at once', () => {
    const problems = problemsThrownBy(AsOfQueryError, () =>
      asOfQuery(
        {
          tableReference: '',
          primaryKey: ['x'],
          columns: ['commit_ts'],
          truncations: { tableReference: '"db"."marks"', tableName: '' },
        },
        at,
      ),
    );
    expect(problems).toEqual([
      'the table reference must not be empty',
      'column "commit_ts" clashes with a column of the change table',
      'primary key column "x" is not one of the columns',
      'truncation marks table name must not be empty',
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
