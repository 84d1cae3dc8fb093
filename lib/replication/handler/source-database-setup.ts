import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createConnection } from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { isError } from '../../shared/handler/aws-errors';
import { withRetry } from '../../shared/handler/retry';

/**
 * `Custom::MySqlChangeCaptureSetup`: prepares a MySQL source for DMS change capture. It checks
 * the binlog settings DMS needs, sets how long RDS keeps binlogs, and creates the user DMS reads
 * as, with REPLICATION CLIENT, REPLICATION SLAVE and SELECT on the replicated databases only.
 * Credentials are read from Secrets Manager at run time; none passes through CloudFormation.
 */

/** The resource properties; CloudFormation passes numbers as strings. */
export interface SetupProperties {
  readonly Host: string;
  readonly Port: string;
  readonly AdminSecretArn: string;
  readonly DmsUserSecretArn: string;
  readonly Databases: string[];
  readonly BinlogRetentionHours: string;
}

export interface SetupEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: SetupProperties;
  readonly OldResourceProperties?: SetupProperties;
}

export interface SetupResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** What the handler needs from outside; tests replace the waits. */
export interface SetupDependencies {
  readonly secrets: SecretsManagerClient;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Credentials {
  readonly username: string;
  readonly password: string;
}

const PHYSICAL_ID_PREFIX = 'mysql-user:';

/** Errors that mean the database, or the way to it, is gone. */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
  'ER_ACCESS_DENIED_ERROR',
]);
/** MySQL's answer to revoking a grant that does not exist. */
const NO_SUCH_GRANT = new Set(['ER_NONEXISTING_GRANT', 'ER_NONEXISTING_TABLE_GRANT']);

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

function isUnreachable(error: unknown): boolean {
  return UNREACHABLE.has(errorCode(error) ?? '');
}

export function sourceDatabaseSetup(deps: SetupDependencies) {
  const sleep = deps.sleep;

  async function readCredentials(secretArn: string): Promise<Credentials> {
    const response = await withRetry(
      () => deps.secrets.send(new GetSecretValueCommand({ SecretId: secretArn })),
      { sleep },
    );
    let value: Partial<Credentials>;
    try {
      value = JSON.parse(response.SecretString ?? '');
    } catch {
      throw new Error(`The secret ${secretArn} does not hold JSON.`);
    }
    if (typeof value.username !== 'string' || typeof value.password !== 'string') {
      throw new Error(`The secret ${secretArn} has no "username" and "password".`);
    }
    return { username: value.username, password: value.password };
  }

  async function connect(properties: SetupProperties, admin: Credentials): Promise<Connection> {
    return withRetry(
      () =>
        createConnection({
          host: properties.Host,
          port: Number(properties.Port),
          user: admin.username,
          password: admin.password,
          ssl: 'Amazon RDS',
          connectTimeout: 10_000,
        }),
      {
        attempts: 4,
        baseDelayMs: 2_000,
        sleep,
        retryIf: (error) => isUnreachable(error) && errorCode(error) !== 'ER_ACCESS_DENIED_ERROR',
      },
    );
  }

  /** Fails with every binlog setting that change capture needs and the database lacks. */
  async function checkBinlog(connection: Connection): Promise<void> {
    const [rows] = await connection.query<RowDataPacket[]>(
      'SELECT @@GLOBAL.log_bin AS log_bin, @@GLOBAL.binlog_format AS binlog_format, @@GLOBAL.binlog_row_image AS binlog_row_image',
    );
    const settings = rows[0] ?? {};
    const problems: string[] = [];
    if (String(settings.log_bin) !== '1') {
      problems.push('binary logging is off (turn on automated backups)');
    }
    if (String(settings.binlog_format).toUpperCase() !== 'ROW') {
      problems.push(
        `binlog_format is ${settings.binlog_format} (set it to ROW in the DB parameter group)`,
      );
    }
    if (String(settings.binlog_row_image).toUpperCase() !== 'FULL') {
      problems.push(
        `binlog_row_image is ${settings.binlog_row_image} (set it to FULL in the DB parameter group)`,
      );
    }
    if (problems.length > 0) {
      throw new Error(`The MySQL source is not ready for change capture: ${problems.join('; ')}.`);
    }
  }

  async function createOrUpdate(event: SetupEvent): Promise<SetupResult> {
    const properties = event.ResourceProperties;
    const hours = Number(properties.BinlogRetentionHours);
    if (!Number.isInteger(hours) || hours < 1) {
      throw new Error(`BinlogRetentionHours must be a positive whole number, not "${hours}".`);
    }
    const admin = await readCredentials(properties.AdminSecretArn);
    const dmsUser = await readCredentials(properties.DmsUserSecretArn);
    const connection = await connect(properties, admin);
    try {
      await checkBinlog(connection);
      await connection.execute('CALL mysql.rds_set_configuration(?, ?)', [
        'binlog retention hours',
        hours,
      ]);
      await connection.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [
        dmsUser.username,
        dmsUser.password,
      ]);
      // The secret is the source of truth: a recreated secret brings its password along.
      await connection.query("ALTER USER ?@'%' IDENTIFIED BY ?", [
        dmsUser.username,
        dmsUser.password,
      ]);
      await connection.query("GRANT REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO ?@'%'", [
        dmsUser.username,
      ]);
      for (const database of properties.Databases) {
        await connection.query("GRANT SELECT ON ??.* TO ?@'%'", [database, dmsUser.username]);
      }
      const dropped = (event.OldResourceProperties?.Databases ?? []).filter(
        (database) => !properties.Databases.includes(database),
      );
      for (const database of dropped) {
        try {
          await connection.query("REVOKE SELECT ON ??.* FROM ?@'%'", [database, dmsUser.username]);
        } catch (error) {
          if (!NO_SUCH_GRANT.has(errorCode(error) ?? '')) throw error;
        }
      }
    } finally {
      await connection.end();
    }
    console.log(
      JSON.stringify({
        action: event.RequestType,
        user: dmsUser.username,
        databases: properties.Databases,
        binlogRetentionHours: hours,
      }),
    );
    return {
      PhysicalResourceId: `${PHYSICAL_ID_PREFIX}${dmsUser.username}@${properties.Host}:${properties.Port}`,
      Data: { Username: dmsUser.username },
    };
  }

  /**
   * Drops the DMS user. The user comes from the physical id, not from the secret, which may
   * already name a new user. A database, secret or network path that is gone is left as it is.
   */
  async function remove(event: SetupEvent): Promise<SetupResult> {
    const physicalId = event.PhysicalResourceId ?? '';
    const result = { PhysicalResourceId: physicalId };
    const username = physicalId.startsWith(PHYSICAL_ID_PREFIX)
      ? physicalId.slice(PHYSICAL_ID_PREFIX.length).split('@')[0]
      : undefined;
    if (!username) return result;

    let connection: Connection;
    try {
      const admin = await readCredentials(event.ResourceProperties.AdminSecretArn);
      connection = await connect(event.ResourceProperties, admin);
    } catch (error) {
      if (isError(error, 'ResourceNotFoundException') || isUnreachable(error)) {
        console.log(
          JSON.stringify({ action: 'Delete', skipped: `the database is gone: ${String(error)}` }),
        );
        return result;
      }
      throw error;
    }
    try {
      await connection.query("DROP USER IF EXISTS ?@'%'", [username]);
    } finally {
      await connection.end();
    }
    console.log(JSON.stringify({ action: 'Delete', user: username }));
    return result;
  }

  return {
    async onEvent(event: SetupEvent): Promise<SetupResult> {
      return event.RequestType === 'Delete' ? remove(event) : createOrUpdate(event);
    },
  };
}

export const onEvent = sourceDatabaseSetup({ secrets: new SecretsManagerClient({}) }).onEvent;
