import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { RedshiftSourceTablesEvent } from '../../../lib/sources/handler/redshift-source-tables';
import {
  REDSHIFT_TABLES_WAIT_MS,
  dropReaderStatements,
  readerGrantStatements,
  redshiftPasswordHash,
  redshiftSourceTablesHandlers,
} from '../../../lib/sources/handler/redshift-source-tables';
import type { RedshiftSourceTablesProperties } from '../../../lib/sources/handler/redshift-source-tables-properties';
import { REDSHIFT_SOURCE_TABLES_RESOURCE_TYPE } from '../../../lib/sources/handler/redshift-source-tables-properties';
import { REDSHIFT_DATA_API_MAX_STATEMENTS } from '../../../lib/sources/sample-data/insert-statements';
import { tableDefinitions } from '../../../lib/sources/source-tables';
import type { SourceTablesEventFields } from '../../support/source-tables';
import {
  ADMIN_SECRET,
  BANKING,
  commonSourceTablesProperties,
  LENDING,
  READER_SECRET,
  sourceTablesEvent,
} from '../../support/source-tables';

const BANKING_COLUMNS = BANKING.columns.map((column) => [{ stringValue: column.name }]);

const secrets = mockClient(SecretsManagerClient);
const data = mockClient(RedshiftDataClient);

function properties(
  overrides: Partial<RedshiftSourceTablesProperties> = {},
): RedshiftSourceTablesProperties {
  return {
    ClusterIdentifier: 'ml-foundation-redshift',
    Database: 'mlfoundation',
    ...commonSourceTablesProperties(),
    ...overrides,
  };
}

function event(
  requestType: RedshiftSourceTablesEvent['RequestType'],
  extra: SourceTablesEventFields<RedshiftSourceTablesProperties> = {},
): RedshiftSourceTablesEvent {
  const resource = {
    LogicalResourceId: 'RedshiftTables',
    ResourceType: REDSHIFT_SOURCE_TABLES_RESOURCE_TYPE,
  };
  return sourceTablesEvent(resource, requestType, properties(), extra);
}

/** A fake Data API: every statement finishes after `polls` descriptions; queries answer `rows`. */
function givenDataApi(
  options: {
    polls?: number;
    rows?: (sql: string) => Array<Array<{ stringValue: string }>>;
  } = {},
) {
  let next = 0;
  const statements = new Map<string, { sqls: string[]; described: number }>();
  const start = (sqls: string[]) => {
    const id = `statement-${++next}`;
    statements.set(id, { sqls, described: 0 });
    return { Id: id };
  };
  data.on(BatchExecuteStatementCommand).callsFake((input) => start(input.Sqls));
  data.on(ExecuteStatementCommand).callsFake((input) => start([input.Sql]));
  data.on(DescribeStatementCommand).callsFake(({ Id }) => {
    const statement = statements.get(Id)!;
    statement.described++;
    return { Id, Status: statement.described > (options.polls ?? 1) ? 'FINISHED' : 'STARTED' };
  });
  data.on(GetStatementResultCommand).callsFake(({ Id }) => {
    const sql = statements.get(Id)!.sqls[0];
    return { Records: options.rows?.(sql) ?? [], TotalNumRows: 0 };
  });
  return statements;
}

/** Columns of every table, and whether the reader exists yet. */
function catalogue(readerExists: boolean) {
  return (sql: string) => {
    if (sql.includes('pg_user')) return readerExists ? [[{ stringValue: 'mlreader' }]] : [];
    if (sql.includes('information_schema.columns'))
      return BANKING_COLUMNS.concat(
        LENDING.columns.map((column) => [{ stringValue: column.name }]),
      );
    return [];
  };
}

function handler(clock = { now: 0 }) {
  const sleeps: number[] = [];
  const handlers = redshiftSourceTablesHandlers({
    secrets: new SecretsManagerClient({ region: 'us-east-1' }),
    redshiftData: new RedshiftDataClient({ region: 'us-east-1' }),
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
    retry: { sleep: async () => undefined },
  });
  return { ...handlers, sleeps };
}

const batches = () =>
  data.commandCalls(BatchExecuteStatementCommand).map((call) => call.args[0].input);

beforeEach(() => {
  secrets.reset();
  data.reset();
  secrets
    .on(GetSecretValueCommand, { SecretId: READER_SECRET })
    .resolves({ SecretString: JSON.stringify({ username: 'mlreader', password: 'Reader-Pass1' }) });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

describe('Custom::RedshiftSourceTables', () => {
  test('create runs, per dataset, the table and then its sample as Data API batches with the admin secret', async () => {
    givenDataApi({ rows: catalogue(false) });
    const result = await handler().onEvent(event('Create'));
    expect(result).toEqual({
      PhysicalResourceId: 'redshift-tables:mlreader@ml-foundation-redshift/mlfoundation',
      Data: { ReaderUsername: 'mlreader' },
    });
    const sent = batches();
    // banking: table, sample; loans (no sample): table; the reader.
    expect(sent.map((batch) => batch.Sqls![0].split('\n')[0])).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "public"',
      'CREATE SCHEMA IF NOT EXISTS "public"',
      'CREATE SCHEMA IF NOT EXISTS "public"',
      expect.stringMatching(/^CREATE USER "mlreader" PASSWORD 'md5[0-9a-f]{32}'$/),
    ]);
    for (const batch of sent) {
      expect(batch).toMatchObject({
        ClusterIdentifier: 'ml-foundation-redshift',
        Database: 'mlfoundation',
        SecretArn: ADMIN_SECRET,
      });
      // Redshift Data API model (botocore redshift-data 2019-12-20): SqlList holds 1 to 40.
      expect(batch.Sqls!.length).toBeLessThanOrEqual(REDSHIFT_DATA_API_MAX_STATEMENTS);
    }
    expect(
      sent[1].Sqls!.filter((sql) => sql.startsWith('INSERT INTO "sample_load_banking"')).length,
    ).toBeGreaterThan(0);
    expect(sent[1].Sqls).toContainEqual(
      expect.stringMatching(
        /^INSERT INTO "public"\."banking" .*\nWHERE NOT EXISTS \(SELECT 1 FROM "public"\."banking"\)$/s,
      ),
    );
  });

  test('waits for each statement with DescribeStatement in the same invocation, from the client that ran it', async () => {
    // The Data API describes a statement only to the IAM identity that ran it ("Configuring IAM
    // permissions", Amazon Redshift Management Guide: the role is the statement owner, and
    // redshift-data:statement-owner-iam-userid narrows that to the session). A provider whose
    // isComplete function had its own role could not see onEvent's statements: onEvent waits.
    const statements = givenDataApi({ polls: 3, rows: catalogue(false) });
    const { onEvent, sleeps } = handler();
    await onEvent(event('Create', { ResourceProperties: properties({ Reader: undefined }) }));
    for (const [id, statement] of statements) {
      expect(statement.described).toBe(4);
      expect(data.commandCalls(DescribeStatementCommand, { Id: id })).toHaveLength(4);
    }
    expect(sleeps.slice(0, 3)).toEqual([500, 1000, 2000]);
  });

  test('the reader gets USAGE on the schema and SELECT on its tables, never the password in SQL', async () => {
    givenDataApi({ rows: catalogue(true) });
    await handler().onEvent(
      event('Create', { ResourceProperties: properties({ CreateTables: 'false' }) }),
    );
    const [reader] = batches();
    expect(reader.Sqls).toEqual([
      `ALTER USER "mlreader" PASSWORD '${redshiftPasswordHash('mlreader', 'Reader-Pass1')}'`,
      'GRANT USAGE ON SCHEMA "public" TO "mlreader"',
      'GRANT SELECT ON "public"."banking" TO "mlreader"',
    ]);
    expect(JSON.stringify(data.calls().map((call) => call.args[0].input))).not.toContain(
      'Reader-Pass1',
    );
  });

  test('the MD5 password form is the one the Redshift guide shows', () => {
    // Amazon Redshift Database Developer Guide, CREATE USER, PASSWORD: the MD5 hash of the
    // password followed by the user name, prefixed "md5"; "ez" for "user1" is
    // md5153c434b4b77c89e6b94f12c5393af5b.
    expect(redshiftPasswordHash('user1', 'ez')).toBe('md5153c434b4b77c89e6b94f12c5393af5b');
  });

  test('in an existing cluster, a missing table is named and nothing is created', async () => {
    givenDataApi({ rows: () => [] });
    await expect(
      handler().onEvent(
        event('Create', {
          ResourceProperties: properties({ CreateTables: 'false', LoadSample: 'false' }),
        }),
      ),
    ).rejects.toThrow(
      'The table public.banking of dataset "banking" does not exist in the existing Redshift database: create it (the app creates tables only in a cluster it creates).',
    );
    expect(batches()).toEqual([]);
  });

  test('an older table that lacks a declared column stops the load before its sample', async () => {
    givenDataApi({
      rows: (sql) => (sql.includes('information_schema') ? [[{ stringValue: 'id' }]] : []),
    });
    await expect(handler().onEvent(event('Create'))).rejects.toThrow(
      /^The table public\.banking lacks the columns age, job, .*, y that dataset "banking" declares\./,
    );
    expect(batches()).toHaveLength(1);
  });

  test('a failed statement is reported with its position and Redshift message; a secret batch is not quoted', async () => {
    givenDataApi({ rows: catalogue(false) });
    data.on(DescribeStatementCommand).resolves({
      Id: 'statement-1',
      Status: 'FAILED',
      Error: 'ERROR: permission denied for schema public',
      SubStatements: [
        {
          Id: 'statement-1:1',
          Status: 'FINISHED',
          QueryString: 'CREATE SCHEMA IF NOT EXISTS "public"',
        },
        {
          Id: 'statement-1:2',
          Status: 'FAILED',
          QueryString: 'CREATE TABLE IF NOT EXISTS "public"."banking" (',
        },
      ],
    });
    await expect(handler().onEvent(event('Create'))).rejects.toThrow(
      'Redshift failed the table of dataset "banking" at statement 2 of 2 (CREATE TABLE IF NOT EXISTS "public"."banking" (); nothing of it was kept: ERROR: permission denied for schema public (Data API statement statement-1)',
    );
  });

  test('a statement that outlasts the deadline fails with what to do, before the function times out', async () => {
    givenDataApi({ polls: Number.MAX_SAFE_INTEGER });
    const clock = { now: 0 };
    await expect(handler(clock).onEvent(event('Create'))).rejects.toThrow(
      /^Redshift did not finish the table of dataset "banking" in time \(Data API statement statement-1 is STARTED\)\. It may still complete in the cluster/,
    );
    expect(clock.now).toBeLessThanOrEqual(REDSHIFT_TABLES_WAIT_MS);
    // The function's timeout is 14 minutes (RedshiftSourceTables); the wait stops 2 minutes earlier.
    expect(REDSHIFT_TABLES_WAIT_MS).toBe(12 * 60_000);
  });

  test('an update that stops reading a table revokes it', async () => {
    givenDataApi({ rows: catalogue(true) });
    await handler().onEvent(
      event('Update', {
        PhysicalResourceId: 'redshift-tables:mlreader@ml-foundation-redshift/mlfoundation',
        ResourceProperties: properties({
          CreateTables: 'false',
          Reader: { SecretArn: READER_SECRET, Tables: ['loans'] },
        }),
        OldResourceProperties: properties(),
      }),
    );
    expect(batches()[0].Sqls).toEqual([
      expect.stringMatching(/^ALTER USER "mlreader" PASSWORD 'md5/),
      'GRANT USAGE ON SCHEMA "public" TO "mlreader"',
      'GRANT SELECT ON "public"."loans" TO "mlreader"',
      'REVOKE SELECT ON "public"."banking" FROM "mlreader"',
    ]);
  });

  test('delete revokes what the reader holds in its schemas and drops it; tables stay', async () => {
    givenDataApi({ rows: catalogue(true) });
    await handler().onEvent(
      event('Delete', {
        PhysicalResourceId: 'redshift-tables:mlreader@ml-foundation-redshift/mlfoundation',
      }),
    );
    expect(batches().map((batch) => batch.Sqls)).toEqual([
      dropReaderStatements('mlreader', ['public']),
    ]);
    expect(dropReaderStatements('mlreader', ['public'])).toEqual([
      'REVOKE ALL ON ALL TABLES IN SCHEMA "public" FROM "mlreader"',
      'REVOKE ALL ON SCHEMA "public" FROM "mlreader"',
      'DROP USER "mlreader"',
    ]);
  });

  test('delete of a reader that is gone, or a cluster that is gone, succeeds', async () => {
    givenDataApi({ rows: catalogue(false) });
    const physicalId = 'redshift-tables:mlreader@ml-foundation-redshift/mlfoundation';
    await expect(
      handler().onEvent(event('Delete', { PhysicalResourceId: physicalId })),
    ).resolves.toEqual({
      PhysicalResourceId: physicalId,
    });
    expect(batches()).toEqual([]);

    data.reset();
    data.on(ExecuteStatementCommand).rejects(
      Object.assign(new Error('Cluster ml-foundation-redshift not found.'), {
        name: 'ValidationException',
      }),
    );
    await expect(
      handler().onEvent(event('Delete', { PhysicalResourceId: physicalId })),
    ).resolves.toEqual({
      PhysicalResourceId: physicalId,
    });
  });

  test('the grant statements quote every identifier', () => {
    const [table] = tableDefinitions([{ ...BANKING, name: 'order', redshiftSchema: 'select' }]);
    expect(
      readerGrantStatements({ username: 'mlreader', password: 'x' }, false, [table]).slice(1),
    ).toEqual([
      'GRANT USAGE ON SCHEMA "select" TO "mlreader"',
      'GRANT SELECT ON "select"."order" TO "mlreader"',
    ]);
  });
});
