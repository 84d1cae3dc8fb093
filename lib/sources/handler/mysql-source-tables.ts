import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { DatasetConfig } from '../../config/dataset';
import { errorCode, isError } from '../../shared/handler/aws-errors';
import type * as cfn from '../../shared/handler/custom-resource';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import {
  connectMySql,
  isMissingGrant,
  isUnknownHost,
  upsertNativePasswordAccount,
} from '../../shared/handler/mysql-connection';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import { requireProperties } from '../../shared/handler/required';
import type { RetryOptions } from '../../shared/handler/retry';
import { readCredentials } from '../../shared/handler/secret-credentials';
import { setUpMySqlTable } from '../sample-data/mysql-table-setup';
import { sampleFor } from '../sample-data/samples';
import { mysqlTableStatements } from '../sample-data/table-ddl';
import type { MySqlSourceTablesProperties } from './mysql-source-tables-properties';
import type { SourceTablesAttributes, TableDefinition } from './source-tables-properties';
import { isTrue } from './source-tables-properties';

/**
 * `Custom::MySqlSourceTables`: from a function inside the VPC, creates every dataset's table in
 * a MySQL instance the app created and loads the built-in samples into empty tables, then
 * creates the user Amazon ML reads as, with SELECT on its datasets' tables only. In an existing
 * instance it only creates that user, and fails, naming them, on tables that are missing.
 * Tables and rows are never dropped; a delete drops the reader user only.
 */

/** The clients and retry behaviour of the handler; tests replace them. */
export interface MySqlSourceTablesHandlerDependencies {
  readonly secrets: SecretsManagerClient;
  /**
   * How throttling, server errors and an unreachable database are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

const PHYSICAL_ID_PREFIX = 'mysql-tables:';

export type MySqlSourceTablesEvent = cfn.OnEvent<MySqlSourceTablesProperties>;
type Response = cfn.OnEventResponse<SourceTablesAttributes>;

function physicalId(properties: MySqlSourceTablesProperties, reader: string): string {
  return `${PHYSICAL_ID_PREFIX}${reader}@${properties.Host}:${properties.Port}`;
}

/** The reader user named in a physical id, or undefined when the id has none. */
function readerIn(physicalResourceId: string): string | undefined {
  if (!physicalResourceId.startsWith(PHYSICAL_ID_PREFIX)) return undefined;
  const user = physicalResourceId.slice(PHYSICAL_ID_PREFIX.length).split('@')[0];
  return user || undefined;
}

/** The dataset as the sample-data modules read it. */
function datasetOf(table: TableDefinition): DatasetConfig {
  return { ...table, columns: table.columns.map(({ name, type }) => ({ name, type })) };
}

/**
 * Fails, naming them, unless the dataset's table exists with every declared column: the setup
 * creates tables but never changes one, so an older table, or one someone else made, is
 * reported rather than read wrongly.
 */
async function checkTable(
  connection: Connection,
  table: TableDefinition,
  created: boolean,
): Promise<void> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [table.mysqlDatabase, table.name],
  );
  const where = `${table.mysqlDatabase}.${table.name}`;
  if (rows.length === 0) {
    throw plainError(
      created
        ? `The table ${where} of dataset "${table.name}" is missing after its creation.`
        : `The table ${where} of dataset "${table.name}" does not exist in the existing MySQL database: create it (the app creates tables only in an instance it creates).`,
    );
  }
  const present = new Set(rows.map((row) => String(row.name).toLowerCase()));
  const missing = table.columns.map((column) => column.name).filter((name) => !present.has(name));
  if (missing.length > 0) {
    throw plainError(
      `The table ${where} lacks the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} that dataset "${table.name}" declares. ` +
        'The app creates tables but never changes them: add the columns, or drop the table so that the next deploy creates it.',
    );
  }
}

/** The onEvent handler of `Custom::MySqlSourceTables`. */
export function mySqlSourceTablesHandlers(deps: MySqlSourceTablesHandlerDependencies) {
  async function grantReads(
    connection: Connection,
    username: string,
    tables: readonly TableDefinition[],
    revoked: readonly TableDefinition[],
  ): Promise<void> {
    for (const table of tables) {
      await connection.query("GRANT SELECT ON ??.?? TO ?@'%'", [
        table.mysqlDatabase,
        table.name,
        username,
      ]);
    }
    for (const table of revoked) {
      try {
        await connection.query("REVOKE SELECT ON ??.?? FROM ?@'%'", [
          table.mysqlDatabase,
          table.name,
          username,
        ]);
      } catch (error) {
        if (!isMissingGrant(error) && errorCode(error) !== 'ER_NO_SUCH_TABLE') throw error;
      }
    }
  }

  async function createOrUpdate(event: MySqlSourceTablesEvent): Promise<Response> {
    const properties = event.ResourceProperties;
    requireProperties(properties, ['Host', 'AdminSecretArn']);
    const tables = properties.Datasets ?? [];
    const byName = new Map(tables.map((table) => [table.name, table]));
    const readerTables = (properties.Reader?.Tables ?? []).map((name) => {
      const table = byName.get(name);
      if (!table)
        throw plainError(`The reader reads dataset "${name}", which is not among Datasets.`);
      return table;
    });
    const createTables = isTrue(properties.CreateTables);
    const loadSample = isTrue(properties.LoadSample);

    const admin = await readCredentials(deps.secrets, properties.AdminSecretArn, deps.retry);
    const reader = properties.Reader
      ? await readCredentials(deps.secrets, properties.Reader.SecretArn, deps.retry)
      : undefined;
    const connection = await connectMySql(
      { host: properties.Host, port: Number(properties.Port) },
      admin,
      deps.retry,
    );
    const loaded: Record<string, number | string> = {};
    try {
      if (createTables) {
        for (const table of tables) {
          const dataset = datasetOf(table);
          const sample = loadSample ? sampleFor(dataset) : undefined;
          // The table first, checked, and only then its sample: an older table that lacks a
          // column is reported as such rather than as a failed INSERT.
          for (const sql of mysqlTableStatements(dataset, { comment: sample?.comment })) {
            await connection.query(sql);
          }
          await checkTable(connection, table, true);
          if (sample) {
            const result = await setUpMySqlTable(connection, dataset, { sample });
            loaded[table.name] = result.skipped ?? result.insertedRows;
          }
        }
      }
      if (reader) {
        for (const table of readerTables) {
          if (!createTables) await checkTable(connection, table, false);
        }
        const update = event.RequestType === 'Update' ? event : undefined;
        const old = update?.OldResourceProperties;
        const sameReader =
          old?.Reader && update && readerIn(update.PhysicalResourceId) === reader.username;
        const revoked = sameReader
          ? (old.Reader?.Tables ?? [])
              .filter((name) => !readerTables.some((table) => table.name === name))
              .map((name) => old.Datasets?.find((table) => table.name === name))
              .filter((table): table is TableDefinition => table !== undefined)
          : [];
        await upsertNativePasswordAccount(connection, reader);
        await grantReads(connection, reader.username, readerTables, revoked);
      }
    } finally {
      await connection.end();
    }
    console.log(
      JSON.stringify({
        action: event.RequestType,
        tablesCreated: createTables ? tables.map((table) => table.name) : [],
        sampleRows: loaded,
        reader: reader?.username,
        readerTables: readerTables.map((table) => `${table.mysqlDatabase}.${table.name}`),
      }),
    );
    return {
      PhysicalResourceId: physicalId(properties, reader?.username ?? ''),
      Data: { ReaderUsername: reader?.username ?? '' },
    };
  }

  /**
   * Drops the reader user named in the physical id; the tables and their rows stay. A database
   * or admin secret that is gone is left as it is; a database that cannot be reached fails the
   * delete rather than leave a user behind unnoticed.
   */
  async function remove(
    event: Extract<MySqlSourceTablesEvent, { RequestType: 'Delete' }>,
  ): Promise<Response> {
    const result = { PhysicalResourceId: event.PhysicalResourceId };
    const username = readerIn(event.PhysicalResourceId);
    if (!username) return result;
    const properties = event.ResourceProperties;

    let connection: Connection;
    try {
      const admin = await readCredentials(deps.secrets, properties.AdminSecretArn, deps.retry);
      connection = await connectMySql(
        { host: properties.Host, port: Number(properties.Port) },
        admin,
        deps.retry,
      );
    } catch (error) {
      if (isError(error, 'ResourceNotFoundException') || isUnknownHost(error)) {
        console.log(
          JSON.stringify({
            action: 'Delete',
            skipped: `the database is gone: ${messageOf(error)}`,
          }),
        );
        return result;
      }
      throw plainError(
        `Cannot reach MySQL at ${properties.Host}:${properties.Port} to drop the user ${username} (${errorCode(error) ?? messageOf(error)}). ` +
          'Make the instance reachable and retry the delete, or drop the user yourself and retry.',
      );
    }
    try {
      await connection.query("DROP USER IF EXISTS ?@'%'", [username]);
    } finally {
      await connection.end();
    }
    console.log(JSON.stringify({ action: 'Delete', droppedUser: username }));
    return result;
  }

  return {
    async onEvent(event: MySqlSourceTablesEvent): Promise<Response> {
      return event.RequestType === 'Delete' ? remove(event) : createOrUpdate(event);
    },
  };
}

/** The Lambda entry points. */
export const { onEvent } = deployedHandlers(() =>
  mySqlSourceTablesHandlers({ secrets: new SecretsManagerClient({}) }),
);
