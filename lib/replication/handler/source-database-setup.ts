import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import {
  accountPhysicalId,
  databaseAccountHandler,
} from '../../shared/handler/account-physical-id';
import type * as cfn from '../../shared/handler/custom-resource';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import type { MySqlHandlerDependencies } from '../../shared/handler/mysql-connection';
import {
  connectMySql,
  dropAccountOnDelete,
  endpointOf,
  isMissingGrant,
  upsertNativePasswordAccount,
} from '../../shared/handler/mysql-connection';
import { plainError } from '../../shared/handler/plain-error';
import { readCredentials } from '../../shared/handler/secret-credentials';
import type {
  SourceDatabaseSetupAttributes,
  SourceDatabaseSetupProperties,
} from './source-database-setup-properties';

/**
 * `Custom::MySqlChangeCaptureSetup`: prepares a MySQL source for DMS change capture. It checks
 * the binlog settings DMS needs, sets how long RDS keeps binlogs, and creates the user DMS reads
 * as, with REPLICATION CLIENT, REPLICATION SLAVE and SELECT on the replicated databases only,
 * signing in with `mysql_native_password` over TLS only. Credentials are read from Secrets
 * Manager at run time; none passes through CloudFormation.
 */

/** The clients and retry behaviour of the handler; tests replace them. */
export type SourceDatabaseSetupHandlerDependencies = MySqlHandlerDependencies;

const PHYSICAL_ID_PREFIX = 'mysql-user:';

export type SourceDatabaseSetupEvent = cfn.OnEvent<SourceDatabaseSetupProperties>;
type Response = cfn.OnEventResponse<SourceDatabaseSetupAttributes>;

/** The onEvent handler of `Custom::MySqlChangeCaptureSetup`. */
export function sourceDatabaseSetupHandlers(deps: SourceDatabaseSetupHandlerDependencies) {
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
      throw plainError(`The MySQL source is not ready for change capture: ${problems.join('; ')}.`);
    }
  }

  async function createOrUpdate(event: SourceDatabaseSetupEvent): Promise<Response> {
    const properties = event.ResourceProperties;
    const hours = Number(properties.BinlogRetentionHours);
    if (!Number.isInteger(hours) || hours < 1) {
      throw plainError(`BinlogRetentionHours must be a positive whole number, not "${hours}".`);
    }
    const admin = await readCredentials(deps.secrets, properties.AdminSecretArn, deps.retry);
    const dmsUser = await readCredentials(deps.secrets, properties.DmsUserSecretArn, deps.retry);
    const connection = await connectMySql(endpointOf(properties), admin, deps.retry);
    try {
      await checkBinlog(connection);
      await connection.execute('CALL mysql.rds_set_configuration(?, ?)', [
        'binlog retention hours',
        hours,
      ]);
      // The secret is the source of truth: a recreated secret brings its password along.
      await upsertNativePasswordAccount(connection, dmsUser);
      await connection.query("GRANT REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO ?@'%'", [
        dmsUser.username,
      ]);
      for (const database of properties.Databases) {
        await connection.query("GRANT SELECT ON ??.* TO ?@'%'", [database, dmsUser.username]);
      }
      const old = event.RequestType === 'Update' ? event.OldResourceProperties : undefined;
      const dropped = (old?.Databases ?? []).filter(
        (database) => !properties.Databases.includes(database),
      );
      for (const database of dropped) {
        try {
          await connection.query("REVOKE SELECT ON ??.* FROM ?@'%'", [database, dmsUser.username]);
        } catch (error) {
          if (!isMissingGrant(error)) throw error;
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
      PhysicalResourceId: accountPhysicalId(
        PHYSICAL_ID_PREFIX,
        dmsUser.username,
        `${properties.Host}:${properties.Port}`,
      ),
      Data: { Username: dmsUser.username },
    };
  }

  return databaseAccountHandler({
    prefix: PHYSICAL_ID_PREFIX,
    createOrUpdate,
    dropAccount: (properties: SourceDatabaseSetupProperties, username) =>
      dropAccountOnDelete(deps, properties, username, 'the DMS user'),
    log: (username) => ({ action: 'Delete', user: username }),
  });
}

/** The Lambda entry points. */
export const { onEvent } = deployedHandlers(() =>
  sourceDatabaseSetupHandlers({ secrets: new SecretsManagerClient({}) }),
);
