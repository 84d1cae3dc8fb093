import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createConnection } from 'mysql2/promise';
import type { SourceDatabaseSetupEvent } from '../../../lib/replication/handler/source-database-setup';
import { sourceDatabaseSetupHandlers } from '../../../lib/replication/handler/source-database-setup';
import type { SourceDatabaseSetupProperties } from '../../../lib/replication/handler/source-database-setup-properties';
import { SOURCE_DATABASE_SETUP_RESOURCE_TYPE } from '../../../lib/replication/handler/source-database-setup-properties';

jest.mock('mysql2/promise', () => ({ createConnection: jest.fn() }));

const createConnectionMock = createConnection as jest.MockedFunction<typeof createConnection>;
const secrets = mockClient(SecretsManagerClient);
const ADMIN_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-AbCdEf';
const DMS_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dms-AbCdEf';
const HOST = 'mysql.abcdefghijkl.us-east-1.rds.amazonaws.com';
const PHYSICAL_ID = `mysql-user:dms_cdc@${HOST}:3306`;

const PROPERTIES: SourceDatabaseSetupProperties = {
  Host: HOST,
  Port: '3306',
  AdminSecretArn: ADMIN_SECRET,
  DmsUserSecretArn: DMS_SECRET,
  Databases: ['banking', 'lending'],
  BinlogRetentionHours: '24',
};

/** A fake mysql2 connection that records every statement and answers the binlog check. */
function fakeConnection(binlog = { log_bin: 1, binlog_format: 'ROW', binlog_row_image: 'FULL' }) {
  const statements: Array<{ method: 'query' | 'execute'; sql: string; values?: unknown[] }> = [];
  const failures = new Map<string, Error>();
  const connection = {
    statements,
    failures,
    query: jest.fn(async (sql: string, values?: unknown[]) => {
      statements.push({ method: 'query', sql, values });
      const failure = [...failures.entries()].find(([prefix]) => sql.startsWith(prefix));
      if (failure) throw failure[1];
      return sql.startsWith('SELECT @@GLOBAL') ? [[binlog], []] : [{}, []];
    }),
    execute: jest.fn(async (sql: string, values?: unknown[]) => {
      statements.push({ method: 'execute', sql, values });
      return [{}, []];
    }),
    end: jest.fn(async () => undefined),
  };
  createConnectionMock.mockResolvedValue(connection as never);
  return connection;
}

function givenSecrets() {
  secrets
    .on(GetSecretValueCommand, { SecretId: ADMIN_SECRET })
    .resolves({ SecretString: JSON.stringify({ username: 'admin', password: 'admin-password' }) })
    .on(GetSecretValueCommand, { SecretId: DMS_SECRET })
    .resolves({
      SecretString: JSON.stringify({
        engine: 'mysql',
        host: HOST,
        port: 3306,
        username: 'dms_cdc',
        password: 'dms-password',
      }),
    });
}

const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent';

function event(
  requestType: SourceDatabaseSetupEvent['RequestType'],
  extra: {
    readonly PhysicalResourceId?: string;
    readonly ResourceProperties?: SourceDatabaseSetupProperties;
    readonly OldResourceProperties?: SourceDatabaseSetupProperties;
  } = {},
): SourceDatabaseSetupEvent {
  return {
    ServiceToken: SERVICE_TOKEN,
    ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/ml-foundation-replication/1',
    RequestId: 'request-1',
    LogicalResourceId: 'SourceDatabaseSetup',
    ResourceType: SOURCE_DATABASE_SETUP_RESOURCE_TYPE,
    RequestType: requestType,
    ResourceProperties: PROPERTIES,
    ...extra,
  } as SourceDatabaseSetupEvent;
}

function mysqlError(code: string): Error {
  return Object.assign(new Error(`${code} from MySQL`), { code });
}

function handler() {
  const sleeps: number[] = [];
  const { onEvent } = sourceDatabaseSetupHandlers({
    secrets: new SecretsManagerClient({ region: 'us-east-1' }),
    retry: { sleep: async (ms) => void sleeps.push(ms) },
  });
  return { onEvent, sleeps };
}

beforeEach(() => {
  secrets.reset();
  createConnectionMock.mockReset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

describe('Custom::MySqlChangeCaptureSetup', () => {
  test('create sets the binlog retention and creates the DMS user with the grants DMS needs', async () => {
    givenSecrets();
    const connection = fakeConnection();
    const result = await handler().onEvent(event('Create'));

    expect(createConnectionMock).toHaveBeenCalledWith({
      host: HOST,
      port: 3306,
      user: 'admin',
      password: 'admin-password',
      ssl: 'Amazon RDS',
      connectTimeout: 10_000,
    });
    expect(connection.statements).toEqual([
      {
        method: 'query',
        sql: 'SELECT @@GLOBAL.log_bin AS log_bin, @@GLOBAL.binlog_format AS binlog_format, @@GLOBAL.binlog_row_image AS binlog_row_image',
        values: undefined,
      },
      {
        method: 'execute',
        sql: 'CALL mysql.rds_set_configuration(?, ?)',
        values: ['binlog retention hours', 24],
      },
      // DMS User Guide, "Using a MySQL-compatible database as a source", Authentication (Aurora
      // MySQL and RDS for MySQL 8.4): "Create a dedicated AWS DMS endpoint user with an
      // explicitly specified authentication plugin (recommended)", mysql_native_password. TLS
      // only, as the instance requires (require_secure_transport=1) and DMS's SSL mode uses.
      {
        method: 'query',
        sql: "CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED WITH mysql_native_password BY ? REQUIRE SSL",
        values: ['dms_cdc', 'dms-password'],
      },
      {
        method: 'query',
        sql: "ALTER USER ?@'%' IDENTIFIED WITH mysql_native_password BY ? REQUIRE SSL",
        values: ['dms_cdc', 'dms-password'],
      },
      {
        method: 'query',
        sql: "GRANT REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO ?@'%'",
        values: ['dms_cdc'],
      },
      { method: 'query', sql: "GRANT SELECT ON ??.* TO ?@'%'", values: ['banking', 'dms_cdc'] },
      { method: 'query', sql: "GRANT SELECT ON ??.* TO ?@'%'", values: ['lending', 'dms_cdc'] },
    ]);
    expect(connection.end).toHaveBeenCalledTimes(1);
    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { Username: 'dms_cdc' } });
  });

  test('no password reaches the logs', async () => {
    givenSecrets();
    fakeConnection();
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await handler().onEvent(event('Create'));
    const logged = log.mock.calls.flat().join('\n');
    expect(logged).toContain('dms_cdc');
    expect(logged).not.toContain('dms-password');
    expect(logged).not.toContain('admin-password');
  });

  test('update revokes SELECT on databases no longer replicated', async () => {
    givenSecrets();
    const connection = fakeConnection();
    connection.failures.set('REVOKE SELECT ON ??.* FROM', mysqlError('ER_NONEXISTING_GRANT'));
    await handler().onEvent(
      event('Update', {
        PhysicalResourceId: PHYSICAL_ID,
        OldResourceProperties: { ...PROPERTIES, Databases: ['banking', 'archive', 'legacy'] },
      }),
    );
    const revokes = connection.statements.filter((statement) => statement.sql.startsWith('REVOKE'));
    expect(revokes.map((statement) => statement.values)).toEqual([
      ['archive', 'dms_cdc'],
      ['legacy', 'dms_cdc'],
    ]);
  });

  test('a source without ROW binlogs fails with what to change, and sets nothing', async () => {
    givenSecrets();
    const connection = fakeConnection({
      log_bin: 0,
      binlog_format: 'MIXED',
      binlog_row_image: 'MINIMAL',
    });
    await expect(handler().onEvent(event('Create'))).rejects.toThrow(
      'The MySQL source is not ready for change capture: binary logging is off (turn on automated backups); ' +
        'binlog_format is MIXED (set it to ROW in the DB parameter group); ' +
        'binlog_row_image is MINIMAL (set it to FULL in the DB parameter group).',
    );
    expect(connection.execute).not.toHaveBeenCalled();
    expect(connection.end).toHaveBeenCalledTimes(1);
  });

  test('a failing statement fails the deployment and still closes the connection', async () => {
    givenSecrets();
    const connection = fakeConnection();
    connection.execute.mockRejectedValueOnce(mysqlError('ER_SPECIFIC_ACCESS_DENIED_ERROR'));
    await expect(handler().onEvent(event('Create'))).rejects.toThrow(
      'ER_SPECIFIC_ACCESS_DENIED_ERROR from MySQL',
    );
    expect(connection.end).toHaveBeenCalledTimes(1);
  });

  test('a database that is still starting is retried; wrong credentials are not', async () => {
    givenSecrets();
    const connection = fakeConnection();
    createConnectionMock
      .mockRejectedValueOnce(mysqlError('ECONNREFUSED'))
      .mockResolvedValueOnce(connection as never);
    const { onEvent, sleeps } = handler();
    await onEvent(event('Create'));
    expect(createConnectionMock).toHaveBeenCalledTimes(2);
    expect(sleeps).toHaveLength(1);

    createConnectionMock.mockReset();
    createConnectionMock.mockRejectedValue(mysqlError('ER_ACCESS_DENIED_ERROR'));
    await expect(handler().onEvent(event('Create'))).rejects.toThrow('ER_ACCESS_DENIED_ERROR');
    expect(createConnectionMock).toHaveBeenCalledTimes(1);
  });

  test('a secret without credentials is refused by name', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ host: HOST }) });
    await expect(handler().onEvent(event('Create'))).rejects.toThrow(
      `The secret ${ADMIN_SECRET} does not hold a JSON "username" and "password".`,
    );
    expect(createConnectionMock).not.toHaveBeenCalled();
  });

  test('an invalid retention is refused before anything is read', async () => {
    await expect(
      handler().onEvent(
        event('Create', { ResourceProperties: { ...PROPERTIES, BinlogRetentionHours: 'many' } }),
      ),
    ).rejects.toThrow('BinlogRetentionHours must be a positive whole number');
    expect(secrets.calls()).toHaveLength(0);
  });

  test('delete drops the user named in the physical id', async () => {
    givenSecrets();
    const connection = fakeConnection();
    const result = await handler().onEvent(event('Delete', { PhysicalResourceId: PHYSICAL_ID }));
    expect(connection.statements).toEqual([
      { method: 'query', sql: "DROP USER IF EXISTS ?@'%'", values: ['dms_cdc'] },
    ]);
    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID });
  });

  test('delete of a database that cannot be reached fails, naming the user it leaves behind', async () => {
    // The setup resource depends on its security group rules (source-database-setup.test.ts), so
    // CloudFormation keeps the way to the database until this delete has run: a timeout now
    // means the database is stopped or cut off, and dropping nothing would leave a user with
    // REPLICATION privileges behind unnoticed.
    givenSecrets();
    createConnectionMock.mockRejectedValue(mysqlError('ETIMEDOUT'));
    await expect(
      handler().onEvent(event('Delete', { PhysicalResourceId: PHYSICAL_ID })),
    ).rejects.toThrow(
      `Cannot reach MySQL at ${HOST}:3306 to drop the DMS user dms_cdc (ETIMEDOUT). Make the instance reachable and retry the delete, or drop the user yourself and retry.`,
    );
  });

  test('a server without the mysql_native_password plugin fails with what to turn on', async () => {
    givenSecrets();
    const connection = fakeConnection();
    connection.failures.set('CREATE USER', mysqlError('ER_PLUGIN_IS_NOT_LOADED'));
    await expect(handler().onEvent(event('Create'))).rejects.toThrow(
      'MySQL cannot create the user dms_cdc with mysql_native_password: the plugin is not loaded. Turn it on in the DB parameter group of the instance (mysql_native_password = ON; MySQL 8.4 leaves it off by default) and deploy again.',
    );
    expect(connection.end).toHaveBeenCalledTimes(1);
  });

  test('delete of a database that is gone succeeds without dropping anything', async () => {
    givenSecrets();
    createConnectionMock.mockRejectedValue(mysqlError('ENOTFOUND'));
    await expect(
      handler().onEvent(event('Delete', { PhysicalResourceId: PHYSICAL_ID })),
    ).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
  });

  test('delete after the admin secret is gone succeeds', async () => {
    secrets.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('Secrets Manager cannot find the secret'), {
        name: 'ResourceNotFoundException',
      }),
    );
    await expect(
      handler().onEvent(event('Delete', { PhysicalResourceId: PHYSICAL_ID })),
    ).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(createConnectionMock).not.toHaveBeenCalled();
  });

  test('delete of a resource whose create failed has nothing to drop', async () => {
    await expect(
      handler().onEvent(event('Delete', { PhysicalResourceId: 'resource-create-failed' })),
    ).resolves.toEqual({ PhysicalResourceId: 'resource-create-failed' });
    expect(secrets.calls()).toHaveLength(0);
  });
});
