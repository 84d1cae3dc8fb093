/**
 * `Custom::MySqlSourceTables` against a real MySQL-compatible server: MariaDB 10.11 from
 * Debian's `mariadb-server` (started by test/support/mariadb-server.ts on a unix socket, with
 * MySQL 8.4's default sql_mode). The handler's connection is handed the server's socket in
 * place of the RDS endpoint, and one clause is translated on the way: MariaDB spells
 * `IDENTIFIED WITH mysql_native_password BY ? REQUIRE SSL` differently (its parser refuses it;
 * MySQL 8.4 requires it to name the plugin), and TLS cannot be asked of a socket connection, so
 * the account statements run as `IDENTIFIED BY ?` (MariaDB's own mysql_native_password). Every
 * other statement (DDL, sample load, information_schema checks, GRANT, REVOKE, DROP USER) runs
 * as the handler sends it, and the reader signs in for real to show what it may do.
 *
 * What this cannot prove: the plugin clause on MySQL 8.4 and its error 1524 when the plugin is
 * off (pinned as SQL text below), `REQUIRE SSL`, and the RDS TLS profile.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { Connection, ConnectionOptions, RowDataPacket } from 'mysql2/promise';
import type { MySqlSourceTablesEvent } from '../../../lib/sources/handler/mysql-source-tables';
import { mySqlSourceTablesHandlers } from '../../../lib/sources/handler/mysql-source-tables';
import type { MySqlSourceTablesProperties } from '../../../lib/sources/handler/mysql-source-tables-properties';
import { MYSQL_SOURCE_TABLES_RESOURCE_TYPE } from '../../../lib/sources/handler/mysql-source-tables-properties';
import { tableDefinitions } from '../../../lib/sources/source-tables';
import { BANKING_SAMPLE_ROWS } from '../../../lib/sources/sample-data/banking-sample';
import { nativePasswordAccountStatements } from '../../../lib/shared/handler/mysql-connection';
import type { MariaDbServer } from '../../support/mariadb-server';
import { startMariaDb } from '../../support/mariadb-server';
import type { SourceTablesEventFields } from '../../support/source-tables';
import {
  ADMIN_SECRET,
  BANKING,
  commonSourceTablesProperties,
  READER_SECRET,
  sourceTablesEvent,
} from '../../support/source-tables';

/** What the mocked driver reads: the server, the handler's connections, a plugin to refuse. */
const mockState: {
  server?: MariaDbServer;
  connections: ConnectionOptions[];
  pluginMissing: boolean;
} = { connections: [], pluginMissing: false };

jest.mock('mysql2/promise', () => {
  const actual = jest.requireActual('mysql2/promise');
  // With pluginMissing, the clause names a plugin the server lacks, for MariaDB's real error 1524.
  const translate = (sql: string) =>
    sql.replace(
      /IDENTIFIED WITH mysql_native_password BY \? REQUIRE SSL/,
      mockState.pluginMissing ? 'IDENTIFIED WITH missing_plugin' : 'IDENTIFIED BY ?',
    );
  return {
    ...actual,
    createConnection: jest.fn(async (options: ConnectionOptions) => {
      // The test server's own connections go through; the handler's reach it by its socket.
      if (options.socketPath) return actual.createConnection(options);
      mockState.connections.push(options);
      if (options.host === 'gone.example.com') {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND gone.example.com'), {
          code: 'ENOTFOUND',
        });
      }
      if (options.host === 'unreachable.example.com') {
        throw Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
      }
      const connection = await actual.createConnection({
        socketPath: mockState.server!.socketPath,
        user: options.user,
        password: options.password,
      });
      return new Proxy(connection, {
        get(target, name) {
          if (name === 'query' || name === 'execute') {
            return (sql: string, values?: unknown[]) => {
              const translated = translate(sql);
              // IDENTIFIED WITH <plugin> takes no password value.
              const args =
                translated === sql || !mockState.pluginMissing ? values : values?.slice(0, 1);
              return target[name](translated, args as never);
            };
          }
          const value = Reflect.get(target, name);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    }),
  };
});

const HOST = 'mysql.abcdefghijkl.us-east-1.rds.amazonaws.com';
const secrets = mockClient(SecretsManagerClient);

function properties(
  overrides: Partial<MySqlSourceTablesProperties> = {},
): MySqlSourceTablesProperties {
  return { Host: HOST, Port: '3306', ...commonSourceTablesProperties(), ...overrides };
}

function event(
  requestType: MySqlSourceTablesEvent['RequestType'],
  extra: SourceTablesEventFields<MySqlSourceTablesProperties> = {},
): MySqlSourceTablesEvent {
  const resource = {
    LogicalResourceId: 'MysqlTables',
    ResourceType: MYSQL_SOURCE_TABLES_RESOURCE_TYPE,
  };
  return sourceTablesEvent(resource, requestType, properties(), extra);
}

const handler = () =>
  mySqlSourceTablesHandlers({
    secrets: new SecretsManagerClient({ region: 'us-east-1' }),
    retry: { sleep: async () => undefined },
  });

let server: MariaDbServer;
let root: Connection;
async function rows<T = RowDataPacket>(sql: string, values: unknown[] = []): Promise<T[]> {
  const [result] = await root.query<RowDataPacket[]>(sql, values);
  return result as T[];
}

/** A connection as the reader, to try what it may do. */
async function asReader(): Promise<Connection> {
  const { createConnection } = jest.requireActual('mysql2/promise');
  return createConnection({
    socketPath: server.socketPath,
    user: 'mlreader',
    password: 'Reader-Pass1',
  });
}

beforeAll(async () => {
  server = await startMariaDb();
  mockState.server = server;
  root = await server.connect();
}, 60_000);

afterAll(async () => {
  await root?.end();
  await server?.stop();
});

beforeEach(() => {
  secrets.reset();
  secrets
    .on(GetSecretValueCommand, { SecretId: ADMIN_SECRET })
    .resolves({ SecretString: JSON.stringify({ username: 'root', password: '' }) })
    .on(GetSecretValueCommand, { SecretId: READER_SECRET })
    .resolves({ SecretString: JSON.stringify({ username: 'mlreader', password: 'Reader-Pass1' }) });
  mockState.connections.length = 0;
  mockState.pluginMissing = false;
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

describe('Custom::MySqlSourceTables on a MySQL-compatible server', () => {
  test('create makes every dataset table, loads the sample and a reader that may only SELECT its tables', async () => {
    const result = await handler().onEvent(event('Create'));
    expect(result).toEqual({
      PhysicalResourceId: `mysql-tables:mlreader@${HOST}:3306`,
      Data: { ReaderUsername: 'mlreader' },
    });
    // TLS against the RDS certificate authorities (mysql2's "Amazon RDS" profile).
    expect(mockState.connections[0]).toMatchObject({ host: HOST, port: 3306, ssl: 'Amazon RDS' });

    const [{ n }] = await rows<{ n: number }>('SELECT COUNT(*) AS n FROM `banking`.`banking`');
    expect(Number(n)).toBe(BANKING_SAMPLE_ROWS);
    // The lending dataset has no built-in sample: its table exists, empty.
    const [{ loans }] = await rows<{ loans: number }>(
      'SELECT COUNT(*) AS loans FROM `lending`.`loans`',
    );
    expect(Number(loans)).toBe(0);

    const reader = await asReader();
    try {
      const [read] = await reader.query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM `banking`.`banking`',
      );
      expect(Number(read[0].n)).toBe(BANKING_SAMPLE_ROWS);
      await expect(reader.query('SELECT * FROM `lending`.`loans`')).rejects.toMatchObject({
        code: 'ER_TABLEACCESS_DENIED_ERROR',
      });
      await expect(
        reader.query('DELETE FROM `banking`.`banking` WHERE `id` = 1'),
      ).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
      await expect(reader.query('CREATE TABLE `banking`.`x` (`a` INT)')).rejects.toMatchObject({
        code: 'ER_TABLEACCESS_DENIED_ERROR',
      });
    } finally {
      await reader.end();
    }
  });

  test('a rerun inserts nothing and keeps the rows', async () => {
    await handler().onEvent(
      event('Update', {
        PhysicalResourceId: `mysql-tables:mlreader@${HOST}:3306`,
        OldResourceProperties: properties(),
      }),
    );
    const [{ n }] = await rows<{ n: number }>('SELECT COUNT(*) AS n FROM `banking`.`banking`');
    expect(Number(n)).toBe(BANKING_SAMPLE_ROWS);
  });

  test('an update that stops reading a table revokes it, and one that reads a new one grants it', async () => {
    const physicalId = `mysql-tables:mlreader@${HOST}:3306`;
    await handler().onEvent(
      event('Update', {
        PhysicalResourceId: physicalId,
        ResourceProperties: properties({ Reader: { SecretArn: READER_SECRET, Tables: ['loans'] } }),
        OldResourceProperties: properties(),
      }),
    );
    const grants = (await rows("SHOW GRANTS FOR 'mlreader'@'%'")).map(
      (row) => Object.values(row)[0],
    );
    expect(grants.join('\n')).toMatch(/GRANT SELECT ON `lending`\.`loans`/);
    expect(grants.join('\n')).not.toMatch(/`banking`\.`banking`/);
  });

  test('an existing table that lacks a declared column is reported, not read wrongly', async () => {
    await root.query('CREATE DATABASE IF NOT EXISTS `legacy`');
    await root.query('CREATE TABLE `legacy`.`banking` (`id` BIGINT PRIMARY KEY, `age` INT)');
    const legacy = tableDefinitions([{ ...BANKING, mysqlDatabase: 'legacy' }]);
    await expect(
      handler().onEvent(
        event('Create', {
          ResourceProperties: properties({ Datasets: legacy, Reader: undefined }),
        }),
      ),
    ).rejects.toThrow(
      /^The table legacy\.banking lacks the columns job, marital, .*, y that dataset "banking" declares\. The app creates tables but never changes them/,
    );
    const [{ n }] = await rows<{ n: number }>('SELECT COUNT(*) AS n FROM `legacy`.`banking`');
    expect(Number(n)).toBe(0);
  });

  test('in an existing database it creates no table, and names a table that is missing', async () => {
    const imported = properties({
      CreateTables: 'false',
      LoadSample: 'false',
      Datasets: tableDefinitions([{ ...BANKING, mysqlDatabase: 'elsewhere' }]),
    });
    await expect(
      handler().onEvent(event('Create', { ResourceProperties: imported })),
    ).rejects.toThrow(
      'The table elsewhere.banking of dataset "banking" does not exist in the existing MySQL database: create it (the app creates tables only in an instance it creates).',
    );
    expect(await rows("SHOW DATABASES LIKE 'elsewhere'")).toEqual([]);
  });

  test('delete drops the reader and leaves the tables and their rows', async () => {
    const result = await handler().onEvent(
      event('Delete', { PhysicalResourceId: `mysql-tables:mlreader@${HOST}:3306` }),
    );
    expect(result).toEqual({ PhysicalResourceId: `mysql-tables:mlreader@${HOST}:3306` });
    expect(await rows("SELECT User FROM mysql.user WHERE User = 'mlreader'")).toEqual([]);
    const [{ n }] = await rows<{ n: number }>('SELECT COUNT(*) AS n FROM `banking`.`banking`');
    expect(Number(n)).toBe(BANKING_SAMPLE_ROWS);
  });

  test('delete of a database whose name is gone succeeds; one that cannot be reached fails loudly', async () => {
    await expect(
      handler().onEvent(
        event('Delete', {
          PhysicalResourceId: 'mysql-tables:mlreader@gone.example.com:3306',
          ResourceProperties: properties({ Host: 'gone.example.com' }),
        }),
      ),
    ).resolves.toEqual({ PhysicalResourceId: 'mysql-tables:mlreader@gone.example.com:3306' });
    await expect(
      handler().onEvent(
        event('Delete', {
          PhysicalResourceId: 'mysql-tables:mlreader@unreachable.example.com:3306',
          ResourceProperties: properties({ Host: 'unreachable.example.com' }),
        }),
      ),
    ).rejects.toThrow(
      'Cannot reach MySQL at unreachable.example.com:3306 to drop the user mlreader (ETIMEDOUT). Make the instance reachable and retry the delete, or drop the user yourself and retry.',
    );
  });

  test('delete of a resource without a reader, or whose create failed, touches nothing', async () => {
    for (const physicalId of [`mysql-tables:@${HOST}:3306`, 'resource-create-failed']) {
      await handler().onEvent(event('Delete', { PhysicalResourceId: physicalId }));
    }
    expect(mockState.connections).toEqual([]);
    expect(secrets.calls()).toHaveLength(0);
  });

  test('a server without the mysql_native_password plugin fails with what to turn on', async () => {
    // The server's own error 1524 (ER_PLUGIN_IS_NOT_LOADED), which MySQL 8.4 gives while
    // mysql_native_password is off ("disabled by default in MySQL 8.4", MySQL 8.4 Reference
    // Manual, "Native Pluggable Authentication").
    mockState.pluginMissing = true;
    await expect(
      handler().onEvent(
        event('Create', { ResourceProperties: properties({ CreateTables: 'false' }) }),
      ),
    ).rejects.toThrow(
      'MySQL cannot create the user mlreader with mysql_native_password: the plugin is not loaded. Turn it on in the DB parameter group of the instance (mysql_native_password = ON; MySQL 8.4 leaves it off by default) and deploy again.',
    );
  });

  test('no password reaches the logs', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await handler().onEvent(event('Create'));
    const logged = log.mock.calls.flat().join('\n');
    expect(logged).toContain('mlreader');
    expect(logged).not.toContain('Reader-Pass1');
  });
});

describe('the reader account statements (MySQL 8.4 only; MariaDB cannot run them)', () => {
  test('pin mysql_native_password and TLS', () => {
    // MySQL 8.4 creates accounts with caching_sha2_password unless told otherwise (MySQL 8.4
    // Reference Manual, "Caching SHA-2 Pluggable Authentication"). AWS Data Pipeline, which
    // copies the rows for Amazon ML's RDS datasources, does not document its JDBC driver or its
    // TLS settings, and RDSDataSpec has none to set (Amazon ML API Reference): the reader gets
    // the plugin every MySQL driver speaks, and TLS only. If Data Pipeline connects without TLS,
    // MySQL refuses it (the instance sets require_secure_transport=1 as well) and the
    // datasource ends FAILED with MySQL's message, which the Amazon ML handler reports.
    expect(nativePasswordAccountStatements({ username: 'mlreader', password: 'p' })).toEqual([
      {
        sql: "CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED WITH mysql_native_password BY ? REQUIRE SSL",
        values: ['mlreader', 'p'],
      },
      {
        sql: "ALTER USER ?@'%' IDENTIFIED WITH mysql_native_password BY ? REQUIRE SSL",
        values: ['mlreader', 'p'],
      },
    ]);
  });
});
