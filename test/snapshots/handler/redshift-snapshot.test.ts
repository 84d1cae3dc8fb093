import * as fs from 'node:fs';
import * as path from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import type { BatchExecuteStatementCommandInput } from '@aws-sdk/client-redshift-data';
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type {
  SnapshotEvent,
  SnapshotIsCompleteEvent,
} from '../../../lib/snapshots/handler/snapshot-handler';
import { attemptOf, snapshotHandlers } from '../../../lib/snapshots/handler/snapshot-handler';
import type { SnapshotManifest } from '../../../lib/snapshots/handler/snapshot-manifest';
import type { RedshiftSnapshotProperties } from '../../../lib/snapshots/handler/snapshot-properties';
import { snapshotLayout, stagingLayout } from '../../../lib/snapshots/handler/snapshot-properties';
import { planSnapshot } from '../../../lib/snapshots/snapshot-definition';
import { duckdbForTests } from '../../support/duckdb';
import { fakeS3 } from '../support/fake-s3';
import { ACCOUNTS } from '../support/history-fixture';

/*
 * A Redshift snapshot: two UNLOADs in one BatchExecuteStatement (one transaction, so both read
 * the same state of the table), then the same copy, checks and manifest as the history's. The
 * Data API is mocked; the files it "unloads" are real Parquet (DuckDB) and Redshift's CSV
 * (minimal quoting, NULL an empty field), listed in MANIFEST VERBOSE as the Redshift guide shows
 * it: entries with `url` and `meta.record_count`, which counts the header line of a CSV
 * (https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html, MANIFEST VERBOSE).
 * Other facts this relies on:
 * - "If you don't specify the ENCRYPTED parameter, UNLOAD automatically creates encrypted files
 *   using Amazon S3 server-side encryption with AWS-managed encryption keys (SSE-S3)"
 *   (r_UNLOAD.html): so both UNLOADs name the snapshots key with KMS_KEY_ID and ENCRYPTED.
 * - The statements of one BatchExecuteStatement "are run as a single transaction"
 *   (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html). That UNLOAD may run inside
 *   such a transaction is not documented; if Redshift refuses, the statement FAILS with its
 *   error, and the row counts of the two files are compared in any case.
 */

const BUCKET = 'snapshots-bucket';
const NAME = 'accounts-redshift';
const layout = snapshotLayout(NAME);
const ROLE = 'arn:aws:iam::111122223333:role/ml-foundation-sources-RedshiftUnloadRole';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:redshift-admin-AbCdEf';

const s3 = fakeS3();
const redshiftData = mockClient(RedshiftDataClient);
const duckdb = duckdbForTests('redshift-snapshot-');
let clock = 0;

function properties(): RedshiftSnapshotProperties {
  const plan = planSnapshot(
    { source: 'redshift', dataset: 'accounts', excludedAttributes: [] },
    ACCOUNTS,
    {
      source: 'redshift',
      clusterIdentifier: 'ml-foundation-redshift',
      database: 'mlfoundation',
    },
  );
  return {
    Source: 'redshift',
    Name: NAME,
    Definition: JSON.stringify(plan.definition),
    SelectSql: plan.select,
    Bucket: BUCKET,
    KmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    KmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    RemovalPolicy: 'retain',
    AllowEmpty: false,
    AppVersion: '0.1.0',
    ClusterIdentifier: 'ml-foundation-redshift',
    Database: 'mlfoundation',
    SecretArn: SECRET,
    UnloadRoleArn: ROLE,
  };
}

const event = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:framework-onEvent',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/ml-foundation-snapshots/1',
  LogicalResourceId: 'AccountsRedshift',
  ResourceType: 'Custom::TrainingSnapshot',
  RequestType: 'Create',
  RequestId: 'request-1',
  ResourceProperties: { ServiceToken: 'token', ...properties() },
} as SnapshotEvent;
const staging = stagingLayout(NAME, attemptOf(event));

const handler = () =>
  snapshotHandlers({
    s3: new S3Client({}),
    athena: new AthenaClient({}),
    redshiftData: new RedshiftDataClient({}),
    retry: { attempts: 1 },
    now: () => clock,
  });

async function deploy() {
  const handlers = handler();
  const response = await handlers.onEvent(event);
  for (let call = 0; call < 20; call++) {
    clock += 60_000;
    const done = await handlers.isComplete({ ...event, ...response } as SnapshotIsCompleteEvent);
    if (done.IsComplete) return done;
  }
  throw new Error('isComplete never completed');
}

/** What UNLOAD writes: Parquet parts and one CSV with a header, each with its verbose manifest. */
async function unloadFiles(options: { csvFiles?: number } = {}) {
  const file = path.join(duckdb.scratch, 'unload.parquet');
  await duckdb.connection.run(
    `COPY (SELECT * FROM (VALUES (1::BIGINT, 'alice', 150.50::DECIMAL(10,2), DATE '2020-01-01', true, 'a, "b"'), (3, 'carol', 300.00, DATE '2022-03-03', false, NULL)) AS t(id, name, balance, opened, active, notes)) TO '${file}' (FORMAT PARQUET)`,
  );
  const parquetKey = `${staging.redshiftParquetPrefix}0000_part_00`;
  s3.put(BUCKET, parquetKey, fs.readFileSync(file));
  const manifest = (entries: Array<{ key: string; records: number; bytes: number }>) =>
    JSON.stringify({
      entries: entries.map((entry) => ({
        url: `s3://${BUCKET}/${entry.key}`,
        meta: { content_length: entry.bytes, record_count: entry.records },
      })),
      // The guide's own example of this part is not JSON; the handler does not read it.
      schema: { elements: [] },
      meta: { content_length: 0, record_count: 0 },
      author: { name: 'Amazon Redshift', version: '1.0.0' },
    });
  s3.put(
    BUCKET,
    `${staging.redshiftParquetPrefix}manifest`,
    manifest([{ key: parquetKey, records: 2, bytes: fs.statSync(file).size }]),
  );
  const csv =
    'id,name,balance,opened,active,notes\n1,alice,150.50,2020-01-01,t,"a, ""b"""\n3,carol,300.00,2022-03-03,f,\n';
  const csvEntries = Array.from({ length: options.csvFiles ?? 1 }, (_, index) => {
    const key = `${staging.redshiftCsvPrefix}00${index}`;
    s3.put(BUCKET, key, csv);
    return { key, records: 3, bytes: csv.length };
  });
  s3.put(BUCKET, `${staging.redshiftCsvPrefix}manifest`, manifest(csvEntries));
}

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  s3.reset();
  redshiftData.reset();
  clock = 1_790_000_000_000;
});

function statuses(...sequence: Array<Record<string, unknown>>) {
  let call = 0;
  redshiftData.on(DescribeStatementCommand).callsFake(async () => {
    const status = sequence[Math.min(call++, sequence.length - 1)];
    return { Id: 'statement-1', ...status };
  });
}

test('two UNLOADs in one statement, then the same files, checks and manifest as a history snapshot', async () => {
  redshiftData.on(BatchExecuteStatementCommand).callsFake(async () => {
    await unloadFiles();
    return { Id: 'statement-1' };
  });
  statuses(
    { Status: 'STARTED' },
    { Status: 'FINISHED', UpdatedAt: new Date('2026-12-01T10:00:00Z') },
  );

  const done = await deploy();

  expect(done.Data).toMatchObject({ Rows: '2' });
  const calls = redshiftData.commandCalls(BatchExecuteStatementCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0].args[0].input as BatchExecuteStatementCommandInput;
  expect(input).toMatchObject({
    ClusterIdentifier: 'ml-foundation-redshift',
    Database: 'mlfoundation',
    SecretArn: SECRET,
    ClientToken: attemptOf(event),
  });
  const [parquet, csv] = input.Sqls!;
  const select =
    'SELECT "id", "name", "balance", "opened", "active", "notes" FROM "public"."accounts"';
  expect(parquet).toBe(
    [
      `UNLOAD ('SELECT "id", "name", "balance", "opened", "active", "notes" FROM (\n${select}\n) AS "snapshot"')`,
      `TO 's3://${BUCKET}/${staging.redshiftParquetPrefix}'`,
      'FORMAT AS PARQUET',
      `IAM_ROLE '${ROLE}'`,
      'MANIFEST VERBOSE',
      "KMS_KEY_ID '1234abcd-12ab-34cd-56ef-1234567890ab'",
      'ENCRYPTED',
    ].join('\n'),
  );
  expect(csv).toContain(
    `) AS "snapshot" ORDER BY "id"')\nTO 's3://${BUCKET}/${staging.redshiftCsvPrefix}'\nFORMAT AS CSV\nHEADER\nPARALLEL OFF\n`,
  );
  expect(csv).toContain("KMS_KEY_ID '1234abcd-12ab-34cd-56ef-1234567890ab'\nENCRYPTED");

  expect(s3.keys(BUCKET, layout.prefix)).toEqual([
    layout.csvKey,
    layout.schemaKey,
    layout.manifestKey,
    layout.parquetKey(0),
  ]);
  const manifest: SnapshotManifest = JSON.parse(s3.text(BUCKET, layout.manifestKey)!);
  expect(manifest).toMatchObject({
    source: 'redshift',
    rows: 2,
    queries: { statement: 'statement-1' },
    createdAt: '2026-12-01T10:00:00.000Z',
    csv: { quoting: 'minimal', null: 'empty', columnsWithLineBreaks: [] },
  });
  expect(manifest.at).toBeUndefined();
  for (const file of manifest.files) expect(file.sha256).toBe(s3.sha256(BUCKET, file.key));
});

test('a FAILED statement fails the deploy with the error Redshift gave', async () => {
  redshiftData.on(BatchExecuteStatementCommand).resolves({ Id: 'statement-1' });
  statuses({
    Status: 'FAILED',
    Error: 'ERROR: S3ServiceException:Access Denied,Status 403',
  });
  await expect(deploy()).rejects.toThrow(
    'Redshift UNLOAD statement statement-1 FAILED: ERROR: S3ServiceException:Access Denied,Status 403',
  );
});

test('an ABORTED statement without an error says it was cancelled', async () => {
  redshiftData.on(BatchExecuteStatementCommand).resolves({ Id: 'statement-1' });
  statuses({ Status: 'ABORTED' });
  await expect(deploy()).rejects.toThrow(
    'Redshift UNLOAD statement statement-1 ABORTED: it was cancelled',
  );
});

test('a CSV unload of more than one file is refused, not handed to Amazon ML as several headers', async () => {
  redshiftData.on(BatchExecuteStatementCommand).callsFake(async () => {
    await unloadFiles({ csvFiles: 2 });
    return { Id: 'statement-1' };
  });
  statuses({ Status: 'FINISHED' });
  await expect(deploy()).rejects.toThrow('The CSV UNLOAD wrote 2 files; a snapshot holds one CSV');
  expect(s3.keys(BUCKET, layout.prefix)).toEqual([]);
});
