import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AthenaClient,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { attributesFromColumns, DataSchema } from '../../../lib/amazon-ml/data-schema';
import { CsvRecordParser } from '../../../lib/catalog/athena/result-csv';
import type {
  SnapshotEvent,
  SnapshotIsCompleteEvent,
} from '../../../lib/snapshots/handler/snapshot-handler';
import { attemptOf, snapshotHandlers } from '../../../lib/snapshots/handler/snapshot-handler';
import type { SnapshotManifest } from '../../../lib/snapshots/handler/snapshot-manifest';
import type { HistorySnapshotProperties } from '../../../lib/snapshots/handler/snapshot-properties';
import { snapshotLayout, stagingLayout } from '../../../lib/snapshots/handler/snapshot-properties';
import { planSnapshot } from '../../../lib/snapshots/snapshot-definition';
import { duckdbForTests } from '../../support/duckdb';
import type { duckdbAthena } from '../support/duckdb-athena';
import { fakeS3, s3Error } from '../support/fake-s3';
import {
  ACCOUNTS,
  AS_OF_ROWS,
  AT,
  athenaOverHistory,
  DATABASE,
  writeChanges,
} from '../support/history-fixture';

/*
 * The snapshot handler end to end, with DuckDB as Athena's engine over a history shaped like
 * DMS output and a stateful fake S3: the SQL the app builds, the files it writes, the manifest
 * it writes last, and what it refuses.
 */

const BUCKET = 'snapshots-bucket';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const NAME = 'accounts-2026-11-01';
const layout = snapshotLayout(NAME);

const duckdb = duckdbForTests('history-snapshot-');
let lakeDir: string;
const s3 = fakeS3();
let athena: ReturnType<typeof duckdbAthena>;
let clock = 0;

function properties(
  overrides: Partial<HistorySnapshotProperties> = {},
  at = AT,
): HistorySnapshotProperties {
  const plan = planSnapshot(
    {
      source: 'history',
      dataset: ACCOUNTS.name,
      at,
      targetAttribute: 'active',
      excludedAttributes: ['notes'],
    },
    ACCOUNTS,
    { source: 'history', database: DATABASE },
  );
  return {
    Source: 'history',
    Name: NAME,
    Definition: JSON.stringify(plan.definition),
    SelectSql: plan.select,
    Bucket: BUCKET,
    KmsKeyArn: KEY_ARN,
    RemovalPolicy: 'retain',
    AllowEmpty: 'false',
    AppVersion: '0.1.0',
    Workgroup: 'ml-foundation-snapshots',
    ...overrides,
  };
}

const base = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:framework-onEvent',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/ml-foundation-snapshots/1',
  LogicalResourceId: 'AccountsSnapshot',
  ResourceType: 'Custom::TrainingSnapshot',
};

function createEvent(props = properties(), requestId = 'request-1'): SnapshotEvent {
  return {
    ...base,
    RequestType: 'Create',
    RequestId: requestId,
    ResourceProperties: { ServiceToken: base.ServiceToken, ...props },
  } as SnapshotEvent;
}

function handlers(options: { budgetMs?: number } = {}) {
  return snapshotHandlers({
    s3: new S3Client({}),
    athena: new AthenaClient({}),
    redshiftData: new RedshiftDataClient({}),
    retry: { attempts: 2, baseDelayMs: 0, sleep: async () => undefined },
    budgetMs: options.budgetMs,
    now: () => clock,
  });
}

/** onEvent, then isComplete until it is complete (each call a minute later), as the provider does. */
async function deploy(event: SnapshotEvent, handler = handlers()) {
  const response = await handler.onEvent(event);
  for (let call = 0; call < 100; call++) {
    clock += 60_000;
    const done = await handler.isComplete({ ...event, ...response } as SnapshotIsCompleteEvent);
    if (done.IsComplete) return { response, done };
  }
  throw new Error('isComplete never completed');
}

function manifest(): SnapshotManifest {
  return JSON.parse(s3.text(BUCKET, layout.manifestKey)!);
}

function parseCsv(text: string): (string | null)[][] {
  const parser = new CsvRecordParser();
  return [...parser.push(text), ...parser.end()];
}

/** The rows of Parquet files from the fake S3, read by DuckDB, as text, by id. */
async function parquetRows(keys: readonly string[]): Promise<(string | null)[][]> {
  const files = keys.map((key, index) => {
    const file = path.join(duckdb.scratch, `read-${Date.now()}-${index}.parquet`);
    fs.writeFileSync(file, s3.objects.get(`${BUCKET}/${key}`)!.body);
    return `'${file}'`;
  });
  const reader = await duckdb.connection.runAndReadAll(
    `SELECT * FROM read_parquet([${files.join(', ')}]) ORDER BY id`,
  );
  return (reader.getRowsJson() as unknown[][]).map((row) =>
    row.map((value) => (value === null ? null : String(value))),
  );
}

beforeAll(async () => {
  ({ athena, lakeDir } = await athenaOverHistory(duckdb, s3, BUCKET));
});

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  s3.reset();
  athena.reset();
  clock = 1_790_000_000_000;
});

describe('a snapshot of the change history', () => {
  test('holds exactly the as-of rows, in Parquet and in a CSV with a header, with the schema file and a manifest that match the files', async () => {
    // An orphan of a failed earlier UNLOAD into the same folder, which no data manifest lists.
    const event = createEvent();
    const unloadPrefix = stagingLayout(NAME, attemptOf(event)).unloadPrefix;
    s3.put(BUCKET, `${unloadPrefix}orphan`, 'not a snapshot file');

    const { done } = await deploy(event);

    expect(done.Data).toEqual({
      Location: `s3://${BUCKET}/${layout.prefix}`,
      CsvLocation: `s3://${BUCKET}/${layout.csvKey}`,
      Rows: '4',
    });
    expect(s3.keys(BUCKET, layout.prefix)).toEqual([
      layout.csvKey,
      layout.schemaKey,
      layout.manifestKey,
      layout.parquetKey(0),
      layout.parquetKey(1),
    ]);
    expect(await parquetRows([layout.parquetKey(0), layout.parquetKey(1)])).toEqual(AS_OF_ROWS);

    const csv = parseCsv(s3.text(BUCKET, layout.csvKey)!);
    expect(csv[0]).toEqual(ACCOUNTS.columns.map((column) => column.name));
    expect(csv.slice(1)).toEqual(AS_OF_ROWS);

    // The schema file is the data schema builder's, for the header the CSV has.
    const schema = new DataSchema({
      attributes: attributesFromColumns(ACCOUNTS.columns),
      targetAttribute: 'active',
      excludedAttributes: ['notes'],
      dataFileContainsHeader: true,
    });
    expect(JSON.parse(s3.text(BUCKET, layout.schemaKey)!)).toEqual(schema.toDocument());

    const written = manifest();
    expect(written).toMatchObject({
      format: 1,
      name: NAME,
      dataset: 'accounts',
      source: 'history',
      at: '2026-11-01T00:00:00.000Z',
      rows: 4,
      csv: { header: true, quoting: 'all', null: 'unquoted-empty', columnsWithLineBreaks: [] },
      amazonMl: { readable: true },
      appVersion: '0.1.0',
      columns: [
        { name: 'id', type: 'bigint', mlType: 'NUMERIC' },
        { name: 'name', type: 'string', mlType: 'TEXT' },
        { name: 'balance', type: 'decimal(10,2)', mlType: 'NUMERIC' },
        { name: 'opened', type: 'date', mlType: 'TEXT' },
        { name: 'active', type: 'boolean', mlType: 'BINARY' },
        { name: 'notes', type: 'string', mlType: 'TEXT' },
      ],
    });
    expect(written.sql).toBe(properties().SelectSql);
    expect(Object.keys(written.queries).sort()).toEqual(['csv', 'parquet']);
    // Every file's size and checksum are those of the object, and the rows add up.
    for (const file of written.files) {
      const object = s3.objects.get(`${BUCKET}/${file.key}`)!;
      expect({ key: file.key, size: file.size, sha256: file.sha256 }).toEqual({
        key: file.key,
        size: object.body.length,
        sha256: s3.sha256(BUCKET, file.key),
      });
    }
    const parquet = written.files.filter((file) => file.format === 'parquet');
    expect(parquet.map((file) => file.key)).toEqual([layout.parquetKey(0), layout.parquetKey(1)]);
    expect(parquet.reduce((sum, file) => sum + file.rows!, 0)).toBe(4);
    expect(written.files.map((file) => file.format)).toEqual([
      'parquet',
      'parquet',
      'csv',
      'amazon-ml-schema',
    ]);
    // Every object of the snapshot is encrypted with the snapshots key.
    for (const key of s3.keys(BUCKET, layout.prefix)) {
      expect(s3.objects.get(`${BUCKET}/${key}`)!.encryption).toEqual({
        algorithm: 'aws:kms',
        keyId: KEY_ARN,
      });
    }
  });

  test('runs the UNLOAD and the sorted SELECT in the snapshot workgroup, each with a token of the request', async () => {
    const event = createEvent();
    await deploy(event);
    const starts = athena.client
      .commandCalls(StartQueryExecutionCommand)
      .map((call) => call.args[0].input);
    const attempt = attemptOf(event);
    expect(
      starts.map((input) => [
        input.WorkGroup,
        input.QueryExecutionContext?.Database,
        input.ClientRequestToken,
      ]),
    ).toEqual([
      ['ml-foundation-snapshots', 'ml_foundation', `${attempt}-parquet`],
      ['ml-foundation-snapshots', 'ml_foundation', `${attempt}-csv`],
    ]);
    expect(starts[0].QueryString).toMatch(
      /^UNLOAD \(SELECT "id", "name", "balance", "opened", "active", "notes" FROM \(\nWITH/,
    );
    expect(starts[0].QueryString).toContain(
      `TO 's3://${BUCKET}/${stagingLayout(NAME, attempt).unloadPrefix}'\nWITH (format = 'PARQUET', compression = 'SNAPPY')`,
    );
    expect(starts[1].QueryString).toMatch(/\) AS "snapshot"\nORDER BY "id"$/);
  });

  test('resumes where the last call stopped: a query that runs is started once, and polled', async () => {
    athena.runFor(3);
    const handler = handlers();
    const event = createEvent();
    const response = await handler.onEvent(event);
    const poll = () => handler.isComplete({ ...event, ...response } as SnapshotIsCompleteEvent);
    expect(await poll()).toEqual({ IsComplete: false });
    expect(await poll()).toEqual({ IsComplete: false });
    expect(athena.client.commandCalls(StartQueryExecutionCommand)).toHaveLength(2);
    let done = await poll();
    while (!done.IsComplete) done = await poll();
    expect(athena.client.commandCalls(StartQueryExecutionCommand)).toHaveLength(2);
    expect(manifest().rows).toBe(4);
  });

  test('a second deploy finds the snapshot complete and writes nothing', async () => {
    await deploy(createEvent());
    const before = s3.keys(BUCKET);
    const manifestText = s3.text(BUCKET, layout.manifestKey);
    s3.client.resetHistory();
    athena.client.resetHistory();

    const { response, done } = await deploy(
      createEvent(properties({ AppVersion: '0.2.0' }), 'request-2'),
    );

    expect(response.PhysicalResourceId).toBe(`s3://${BUCKET}/${layout.prefix}`);
    expect(done.Data).toMatchObject({ Rows: '4' });
    expect(athena.client.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
    expect(s3.client.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3.client.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.keys(BUCKET)).toEqual(before);
    expect(s3.text(BUCKET, layout.manifestKey)).toBe(manifestText);
  });

  test('a changed definition under the same name is refused, on update and on create', async () => {
    await deploy(createEvent());
    const manifestText = s3.text(BUCKET, layout.manifestKey);
    const changed = properties({}, '2026-10-16T00:00:00Z');

    const update = {
      ...createEvent(changed, 'request-2'),
      RequestType: 'Update',
      PhysicalResourceId: `s3://${BUCKET}/${layout.prefix}`,
      OldResourceProperties: { ServiceToken: base.ServiceToken, ...properties() },
    } as SnapshotEvent;
    await expect(handlers().onEvent(update)).rejects.toThrow(
      'Snapshot "accounts-2026-11-01" cannot change: a snapshot is written once. Declare the new definition under a new name.',
    );
    // A stack that lost the resource but not the data (a retained snapshot) creates it again.
    await expect(handlers().onEvent(createEvent(changed, 'request-3'))).rejects.toThrow(
      /Snapshot "accounts-2026-11-01" exists at s3:\/\/snapshots-bucket\/snapshots\/accounts-2026-11-01\/ with another definition \(accounts as of 2026-11-01T00:00:00.000Z, .*; now accounts as of 2026-10-16T00:00:00.000Z, .*\)\. A snapshot never changes/,
    );
    expect(s3.text(BUCKET, layout.manifestKey)).toBe(manifestText);
  });

  // Lake Formation refuses a role without grants on a table with "Insufficient Lake Formation
  // permission(s) on <table>" (reported in aws-samples/dbt-glue#548); the reason is passed on as
  // Athena gives it, with the grants the snapshot handler's role needs.
  test('a FAILED query fails the deploy with its reason, and names the grants Lake Formation wants', async () => {
    athena.failNext('Insufficient Lake Formation permission(s) on accounts');
    await expect(deploy(createEvent())).rejects.toThrow(
      "Athena parquet query query-1 FAILED: Insufficient Lake Formation permission(s) on accounts The snapshot handler's role needs Lake Formation SELECT and DESCRIBE on ml_foundation.accounts; the snapshots stack grants them when governance is on.",
    );
    expect(s3.keys(BUCKET, layout.prefix)).toEqual([]);
  });

  test('S3 refusing a copy fails the deploy with the object and what the role needs', async () => {
    s3.refusals.push({
      command: 'CopyObject',
      error: s3Error('AccessDenied', 'Access Denied', 403),
    });
    await expect(deploy(createEvent())).rejects.toThrow(
      `S3 refused CopyObject to s3://${BUCKET}/${layout.parquetKey(0)} (AccessDenied: Access Denied); the snapshot handler's role needs it, and kms:GenerateDataKey and kms:Decrypt on the snapshots key through S3.`,
    );
    expect(s3.keys(BUCKET, layout.prefix)).toEqual([]);
  });

  test('an endpoint without conditional copies fails the deploy, and nothing is copied without If-None-Match', async () => {
    s3.refusals.push({
      command: 'CopyObject',
      error: s3Error(
        'NotImplemented',
        'A header you provided implies functionality that is not implemented',
        501,
      ),
    });
    await expect(deploy(createEvent())).rejects.toThrow(
      /S3 does not support the conditional CopyObject to/,
    );
    const copies = s3.client.commandCalls(CopyObjectCommand).map((call) => call.args[0].input);
    expect(copies).toHaveLength(1);
    expect(copies.every((input) => input.IfNoneMatch === '*')).toBe(true);
  });

  test('what an unfinished attempt left under the name is removed before the files are copied', async () => {
    s3.put(BUCKET, layout.parquetKey(0), 'half a file of an attempt that failed');
    s3.put(BUCKET, `${layout.prefix}parquet/part-00007.parquet`, 'another');
    await deploy(createEvent());
    expect(s3.keys(BUCKET, layout.parquetPrefix)).toEqual([
      layout.parquetKey(0),
      layout.parquetKey(1),
    ]);
    expect(manifest().rows).toBe(4);
  });

  // The Parquet and the CSV come from two runs of the as-of query over a history DMS keeps
  // appending to: UNLOAD writes no CSV with a header (its text format takes only a delimiter,
  // "If you do not specify a field delimiter, the octal character \001 (^A) is used",
  // https://docs.aws.amazon.com/athena/latest/ug/unload.html), so the CSV is the result file of
  // a second query, and the two must agree.
  test('two runs that disagree (a change arrived between them) fail the deploy', async () => {
    let starts = 0;
    athena.beforeEachStart(async () => {
      if (++starts !== 2) return;
      // A change committed before the moment that DMS delivered late, between the two queries.
      await writeChanges(duckdb.connection, lakeDir, '20261031-235900000.parquet', [
        [
          'I',
          '2026-10-31 23:59:00.000000',
          '20261031000000000000000000000000099',
          6,
          'frank',
          '1.00',
          '2025-01-01',
          true,
          null,
        ],
      ]);
    });
    try {
      await expect(deploy(createEvent())).rejects.toThrow(
        'The two runs of snapshot "accounts-2026-11-01" disagree (Parquet 4, CSV 5 rows): the source changed between them. For the change history, pick a moment older than the replication lag.',
      );
    } finally {
      fs.rmSync(path.join(lakeDir, 'cdc/generation=1/core/accounts/20261031-235900000.parquet'));
    }
    expect(s3.text(BUCKET, layout.manifestKey)).toBeUndefined();
  });

  test('a moment before the history starts reads as empty, which fails unless empty snapshots are allowed', async () => {
    const early = '2026-09-01T00:00:00Z';
    await expect(deploy(createEvent(properties({}, early)))).rejects.toThrow(
      'Snapshot "accounts-2026-11-01" has no rows: is 2026-09-01T00:00:00.000Z before the change history starts? Set allowEmpty to keep an empty snapshot.',
    );
    s3.reset();
    athena.reset();
    await deploy(createEvent(properties({ AllowEmpty: 'true' }, early), 'request-2'));
    expect(manifest().rows).toBe(0);
    expect(parseCsv(s3.text(BUCKET, layout.csvKey)!)).toEqual([
      ACCOUNTS.columns.map((column) => column.name),
    ]);
  });

  test('a query still running at the deadline is stopped, and the deploy fails before CloudFormation gives up', async () => {
    athena.runFor(1000);
    await expect(deploy(createEvent())).rejects.toThrow(
      /^Snapshot "accounts-2026-11-01" was not written within 50 minutes \(parquet query query-1 RUNNING, csv query query-2 RUNNING\); it was stopped\.$/,
    );
    expect(
      athena.client
        .commandCalls(StopQueryExecutionCommand)
        .map((call) => call.args[0].input.QueryExecutionId),
    ).toEqual(['query-1', 'query-2']);
  });

  test('a value with a line break is kept, and the manifest says Amazon ML cannot read the CSV', async () => {
    await writeChanges(duckdb.connection, lakeDir, '20261025-000000000.parquet', [
      [
        'U',
        '2026-10-25 00:00:00.000000',
        '20261025000000000000000000000000001',
        4,
        'dave',
        '400.00',
        '2023-04-04',
        true,
        'two\nlines',
      ],
    ]);
    try {
      await deploy(createEvent());
    } finally {
      fs.rmSync(path.join(lakeDir, 'cdc/generation=1/core/accounts/20261025-000000000.parquet'));
    }
    expect(manifest()).toMatchObject({
      rows: 4,
      csv: { columnsWithLineBreaks: ['notes'] },
      amazonMl: {
        readable: false,
        reason: 'Amazon ML refuses line breaks inside values, and columns notes have them',
      },
    });
  });
});

describe('deleting a snapshot', () => {
  const deleteEvent = (
    props: HistorySnapshotProperties,
    physicalId = `s3://${BUCKET}/${layout.prefix}`,
  ) =>
    ({
      ...createEvent(props, 'request-9'),
      RequestType: 'Delete',
      PhysicalResourceId: physicalId,
    }) as SnapshotEvent;

  test('keeps it by default', async () => {
    await deploy(createEvent());
    const before = s3.keys(BUCKET, layout.prefix);
    await handlers().onEvent(deleteEvent(properties()));
    expect(s3.keys(BUCKET, layout.prefix)).toEqual(before);
    expect(s3.client.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  });

  test('deletes it when the removal policy is destroy', async () => {
    await deploy(createEvent(properties({ RemovalPolicy: 'destroy' })));
    await handlers().onEvent(deleteEvent(properties({ RemovalPolicy: 'destroy' })));
    expect(s3.keys(BUCKET, layout.prefix)).toEqual([]);
  });

  test('keeps a snapshot of another definition under the name, even with destroy', async () => {
    await deploy(createEvent());
    await handlers().onEvent(
      deleteEvent(properties({ RemovalPolicy: 'destroy' }, '2026-10-16T00:00:00Z')),
    );
    expect(s3.keys(BUCKET, layout.prefix)).toContain(layout.manifestKey);
  });

  test('removes what an unfinished snapshot left, whatever the removal policy', async () => {
    s3.put(BUCKET, layout.parquetKey(0), 'part of a failed first create');
    await handlers().onEvent(deleteEvent(properties()));
    expect(s3.keys(BUCKET, layout.prefix)).toEqual([]);
  });

  test('touches nothing for a create that failed before it named the snapshot', async () => {
    await deploy(createEvent());
    const before = s3.keys(BUCKET);
    const response = await handlers().onEvent(
      deleteEvent(properties({ RemovalPolicy: 'destroy' }), 'request-1-failed'),
    );
    expect(response).toEqual({ PhysicalResourceId: 'request-1-failed' });
    expect(s3.keys(BUCKET)).toEqual(before);
  });
});
