import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, TRUNCATIONS_TABLE } from '../../../lib/catalog/as-of-query';
import type { DatasetConfig } from '../../../lib/config/dataset';
import { datasetSchema } from '../../../lib/config/dataset';
import { generationBucketFolder, tableKeyPrefix } from '../../../lib/replication/data-lake-layout';
import { ATHENA_OUTPUT_PREFIX } from '../../../lib/snapshots/handler/snapshot-properties';
import type { TestDuckDb } from '../../support/duckdb';
import { duckdbAthena } from './duckdb-athena';
import type { fakeS3 } from './fake-s3';

/**
 * A change history shaped like DMS output (see `lib/replication/data-lake-layout.ts` and
 * `test/catalog/as-of-query.test.ts`): Parquet files of one generation with `op`, `commit_ts`
 * (DMS's string), `change_seq` and the key's before-image `bi_id`, then the row. DuckDB reads
 * them as the Glue tables `"ml_foundation"."accounts"` and `"ml_foundation"."history_truncations"`,
 * so that the snapshot SQL the app builds runs on it as it is.
 */

export const DATABASE = 'ml_foundation';

export const ACCOUNTS: DatasetConfig = datasetSchema.parse({
  name: 'accounts',
  mysqlDatabase: 'core',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'name', type: 'varchar(64)' },
    { name: 'balance', type: 'decimal(10,2)' },
    { name: 'opened', type: 'date' },
    { name: 'active', type: 'boolean' },
    { name: 'notes', type: 'text' },
  ],
});

const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['op', 'VARCHAR'],
  ['commit_ts', 'VARCHAR'],
  ['change_seq', 'VARCHAR'],
  ['bi_id', 'BIGINT'],
  ['id', 'BIGINT'],
  ['name', 'VARCHAR'],
  ['balance', 'DECIMAL(10,2)'],
  ['opened', 'DATE'],
  ['active', 'BOOLEAN'],
  ['notes', 'VARCHAR'],
];

type Value = string | number | boolean | null;
/** op, commit_ts, change_seq, id, name, balance, opened, active, notes. */
export type Change = readonly [
  string,
  string,
  string,
  number,
  string,
  string,
  string,
  boolean,
  string | null,
];

const seq = (n: number) => `20261001${String(n).padStart(27, '0')}`;
const LOAD = '2026-10-01 09:00:00.123456';

/** The history: a full load, then changes; the moment of the snapshots is 2026-11-01. */
export const HISTORY: Record<string, Change[]> = {
  'LOAD00000001.parquet': [
    ['I', LOAD, '', 1, 'alice', '100.00', '2020-01-01', true, 'likes "quotes", and commas'],
    ['I', LOAD, '', 2, 'bob', '200.00', '2021-02-02', true, null],
    ['I', LOAD, '', 3, 'carol', '300.00', '2022-03-03', false, ''],
  ],
  '20261015-100000000.parquet': [
    [
      'U',
      '2026-10-15 10:00:00.000000',
      seq(1),
      1,
      'alice',
      '150.50',
      '2020-01-01',
      true,
      'likes "quotes", and commas',
    ],
    ['D', '2026-10-15 10:00:05.000000', seq(2), 2, 'bob', '200.00', '2021-02-02', true, null],
    [
      'I',
      '2026-10-20 08:00:00.000000',
      seq(3),
      4,
      'dave',
      '400.00',
      '2023-04-04',
      true,
      'ünïcode ✓',
    ],
    ['I', '2026-10-21 08:00:00.000000', seq(5), 5, 'erin', '0.00', '2024-05-05', false, null],
  ],
  // After the moment: in no snapshot as of 2026-11-01.
  '20261110-100000000.parquet': [
    ['U', '2026-11-10 10:00:00.000000', seq(4), 3, 'carol', '999.00', '2022-03-03', false, 'later'],
  ],
};

export const AT = '2026-11-01T00:00:00Z';

/** The table as of {@link AT}, by id: as CSV text (Athena's), NULL as null. */
export const AS_OF_ROWS: ReadonlyArray<readonly (string | null)[]> = [
  ['1', 'alice', '150.50', '2020-01-01', 'true', 'likes "quotes", and commas'],
  ['3', 'carol', '300.00', '2022-03-03', 'false', ''],
  ['4', 'dave', '400.00', '2023-04-04', 'true', 'ünïcode ✓'],
  ['5', 'erin', '0.00', '2024-05-05', 'false', null],
];

function literal(value: Value): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

/** Writes one DMS file of generation 1. */
export async function writeChanges(
  connection: DuckDBConnection,
  lakeDir: string,
  file: string,
  changes: readonly Change[],
): Promise<void> {
  const target = path.join(
    lakeDir,
    tableKeyPrefix(generationBucketFolder('cdc/', 1), ACCOUNTS),
    file,
  );
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const rows = changes.map(([op, ts, sequence, ...row]) => [
    op,
    ts,
    sequence,
    op === 'I' ? null : row[0],
    ...row,
  ]);
  const values = rows.map((row) => `(${row.map(literal).join(', ')})`).join(',\n');
  const names = COLUMNS.map(([name]) => quoteIdentifier(name));
  const select = COLUMNS.map(
    ([name, type]) => `CAST(${quoteIdentifier(name)} AS ${type}) AS ${quoteIdentifier(name)}`,
  );
  await connection.run(
    `COPY (SELECT ${select.join(', ')} FROM (VALUES ${values}) AS t(${names.join(', ')})) TO ${literal(target)} (FORMAT PARQUET)`,
  );
}

/** Writes the history and declares the Glue tables over it as DuckDB views. */
export async function createHistory(connection: DuckDBConnection, lakeDir: string): Promise<void> {
  for (const [file, changes] of Object.entries(HISTORY))
    await writeChanges(connection, lakeDir, file, changes);
  const files = path.join(
    lakeDir,
    'cdc',
    'generation=*',
    ACCOUNTS.mysqlDatabase,
    ACCOUNTS.name,
    '*.parquet',
  );
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${DATABASE}`);
  await connection.run(
    `CREATE OR REPLACE VIEW ${DATABASE}.${ACCOUNTS.name} AS SELECT * FROM read_parquet('${files}', hive_partitioning = true, union_by_name = true)`,
  );
  await connection.run(
    `CREATE OR REPLACE VIEW ${DATABASE}.${TRUNCATIONS_TABLE.name} AS SELECT CAST(NULL AS VARCHAR) AS ${TRUNCATIONS_TABLE.tableColumn}, CAST(NULL AS TIMESTAMP) AS ${TRUNCATIONS_TABLE.timeColumn} WHERE false`,
  );
}

/** Writes the history into the scratch directory's `lake` and serves it from a DuckDB-backed Athena writing to `bucket`. */
export async function athenaOverHistory(
  duckdb: TestDuckDb,
  s3: ReturnType<typeof fakeS3>,
  bucket: string,
): Promise<{ athena: ReturnType<typeof duckdbAthena>; lakeDir: string }> {
  const lakeDir = path.join(duckdb.scratch, 'lake');
  await createHistory(duckdb.connection, lakeDir);
  const athena = duckdbAthena({
    connection: duckdb.connection,
    s3,
    bucket,
    outputPrefix: ATHENA_OUTPUT_PREFIX,
    scratch: duckdb.scratch,
  });
  return { athena, lakeDir };
}
