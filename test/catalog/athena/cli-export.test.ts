import * as fs from 'node:fs';
import * as path from 'node:path';
import { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import type { CliEnvironment } from '../../../lib/catalog/athena/cli';
import { main } from '../../../lib/catalog/athena/cli';
import { BANKING_DATASET } from '../../../lib/config/dataset';
import type { SnapshotManifest } from '../../../lib/snapshots/handler/snapshot-manifest';
import type { duckdbAthena } from '../../snapshots/support/duckdb-athena';
import { fakeS3 } from '../../snapshots/support/fake-s3';
import { ACCOUNTS, athenaOverHistory } from '../../snapshots/support/history-fixture';
import { duckdbForTests } from '../../support/duckdb';

/*
 * `athena export`: the production of a deployed snapshot, run from the command line against
 * DuckDB as Athena's engine and a fake S3, with its progress on stderr and the manifest on
 * stdout.
 */

const BUCKET = 'snapshots-bucket';
const s3 = fakeS3();
const duckdb = duckdbForTests('cli-export-');
let athena: ReturnType<typeof duckdbAthena>;
let configFile: string;
let noBucketConfig: string;

function environment() {
  const out: string[] = [];
  const err: string[] = [];
  const env: CliEnvironment = {
    stdout: { write: (chunk) => (out.push(chunk), true), once: () => undefined },
    stderr: { write: (chunk) => err.push(chunk) },
    createClient: () => new AthenaClient({}),
    createS3Client: () => new S3Client({}),
    runOptions: { sleep: async () => undefined, pollIntervalMs: 1 },
  };
  return { env, out: () => out.join(''), err: () => err.join('') };
}

beforeAll(async () => {
  ({ athena } = await athenaOverHistory(duckdb, s3, BUCKET));
  const config = {
    datasets: [BANKING_DATASET, ACCOUNTS],
    replication: { tables: ['banking', 'accounts'] },
    snapshots: { declared: [], bucketName: BUCKET },
  };
  configFile = path.join(duckdb.scratch, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  noBucketConfig = path.join(duckdb.scratch, 'no-bucket.json');
  fs.writeFileSync(noBucketConfig, JSON.stringify({ ...config, snapshots: { declared: [] } }));
});

beforeEach(() => {
  s3.reset();
  athena.reset();
});

const exportArgs = (...extra: string[]) => [
  'export',
  '--table',
  'accounts',
  '--at',
  '2026-11-01T00:00:00Z',
  '--config',
  configFile,
  ...extra,
];

test('writes the snapshot into the snapshots folder of the configured bucket and prints its manifest', async () => {
  athena.runFor(2);
  const { env, out, err } = environment();
  expect(await main(exportArgs(), env)).toBe(0);

  const manifest: SnapshotManifest = JSON.parse(out());
  expect(manifest).toMatchObject({
    name: 'accounts-20261101t000000z',
    rows: 4,
    at: '2026-11-01T00:00:00.000Z',
  });
  expect(s3.keys(BUCKET, 'snapshots/')).toEqual([
    'snapshots/accounts-20261101t000000z/csv/accounts-20261101t000000z.csv',
    'snapshots/accounts-20261101t000000z/csv/accounts-20261101t000000z.csv.schema',
    'snapshots/accounts-20261101t000000z/manifest.json',
    'snapshots/accounts-20261101t000000z/parquet/part-00000.parquet',
    'snapshots/accounts-20261101t000000z/parquet/part-00001.parquet',
  ]);
  expect(JSON.parse(s3.text(BUCKET, 'snapshots/accounts-20261101t000000z/manifest.json')!)).toEqual(
    manifest,
  );
  expect(
    athena.client
      .commandCalls(StartQueryExecutionCommand)
      .map((call) => call.args[0].input.WorkGroup),
  ).toEqual(['ml-foundation-snapshots', 'ml-foundation-snapshots']);
  expect(err().split('\n')).toEqual(
    expect.arrayContaining([
      `athena: ml_foundation.accounts as of 2026-11-01 00:00:00.000 UTC to s3://${BUCKET}/snapshots/accounts-20261101t000000z/, workgroup ml-foundation-snapshots`,
      'athena: started parquet query-1, csv query-2',
      'athena: parquet query query-1 RUNNING, csv query query-2 RUNNING',
      'athena: the source wrote 2 Parquet files and a CSV',
      `athena: snapshot accounts-20261101t000000z complete: 4 rows in s3://${BUCKET}/snapshots/accounts-20261101t000000z/`,
    ]),
  );
});

test('writes under --to with --name, and a second export of the same snapshot writes nothing', async () => {
  const first = environment();
  expect(
    await main(exportArgs('--to', `s3://${BUCKET}/exports/`, '--name', 'accounts-nov'), first.env),
  ).toBe(0);
  expect(s3.keys(BUCKET, 'exports/')).toContain('exports/accounts-nov/manifest.json');

  athena.client.resetHistory();
  const again = environment();
  expect(
    await main(exportArgs('--to', `s3://${BUCKET}/exports/`, '--name', 'accounts-nov'), again.env),
  ).toBe(0);
  expect(athena.client.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  expect(again.err()).toContain(
    'snapshot accounts-nov exists already with this definition; nothing written',
  );
  expect(JSON.parse(again.out())).toEqual(JSON.parse(first.out()));
});

test('bad usage exits with 2, a failed query with 1 and its reason', async () => {
  const noBucket = environment();
  expect(
    await main(
      ['export', '--table', 'accounts', '--at', '2026-11-01', '--config', noBucketConfig],
      noBucket.env,
    ),
  ).toBe(2);
  expect(noBucket.err()).toBe(
    'athena: give --to s3://bucket/prefix/: the configuration sets no snapshots.bucketName\n',
  );

  const notFolder = environment();
  expect(await main(exportArgs('--to', `s3://${BUCKET}/exports`), notFolder.env)).toBe(2);
  const badName = environment();
  expect(await main(exportArgs('--name', 'Accounts_Nov'), badName.env)).toBe(2);
  expect(badName.err()).toContain(
    '--name "Accounts_Nov": snapshot names are 1 to 63 lower-case letters',
  );

  athena.failNext('Insufficient Lake Formation permission(s) on accounts');
  const failed = environment();
  expect(await main(exportArgs(), failed.env)).toBe(1);
  expect(failed.err()).toContain(
    'athena: Athena parquet query query-1 FAILED: Insufficient Lake Formation permission(s) on accounts',
  );
  expect(failed.out()).toBe('');
});
