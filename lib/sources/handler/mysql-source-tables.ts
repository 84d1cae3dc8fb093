import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { databaseAccountHandler } from '../../shared/handler/account-physical-id';
import { errorCode } from '../../shared/handler/aws-errors';
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
import { requireProperties } from '../../shared/handler/required';
import { readCredentials } from '../../shared/handler/secret-credentials';
import { setUpMySqlTable } from '../sample-data/mysql-table-setup';
import { sampleFor } from '../sample-data/samples';
import { mysqlTableStatements } from '../sample-data/table-ddl';
import type { MySqlSourceTablesProperties } from './mysql-source-tables-properties';
import type { SourceTablesAttributes, TableDefinition } from './source-tables-properties';
import {
  checkDeclaredColumns,
  datasetOf,
  qualifiedName,
  tableSetupRequest,
  tableSetupResponse,
  tablesNoLongerRead,
} from './source-tables-setup';

/**
 * `Custom::MySqlSourceTables`: from a function inside the VPC, creates every dataset's table in
 * a MySQL instance the app created and loads the built-in samples into empty tables, then
 * creates the user Amazon ML reads as, with SELECT on its datasets' tables only. In an existing
 * instance it only creates that user, and fails, naming them, on tables that are missing.
 * Tables and rows are never dropped; a delete drops the reader user only.
 */

/** The clients and retry behaviour of the handler; tests replace them. */
export type MySqlSourceTablesHandlerDependencies = MySqlHandlerDependencies;

const PHYSICAL_ID_PREFIX = 'mysql-tables:';

export type MySqlSourceTablesEvent = cfn.OnEvent<MySqlSourceTablesProperties>;
type Response = cfn.OnEventResponse<SourceTablesAttributes>;

/** Fails, naming them, unless the table exists with every declared column. */
async function checkTable(
  connection: Connection,
  table: TableDefinition,
  created: boolean,
): Promise<void> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [table.mysqlDatabase, table.name],
  );
  const present = new Set(rows.map((row) => String(row.name).toLowerCase()));
  checkDeclaredColumns('MySQL', table, present, created);
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
    const { tables, readerTables, createTables, loadSample } = tableSetupRequest(properties);
    const admin = await readCredentials(deps.secrets, properties.AdminSecretArn, deps.retry);
    const reader = properties.Reader
      ? await readCredentials(deps.secrets, properties.Reader.SecretArn, deps.retry)
      : undefined;
    const connection = await connectMySql(endpointOf(properties), admin, deps.retry);
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
        const revoked = tablesNoLongerRead(
          event,
          PHYSICAL_ID_PREFIX,
          reader.username,
          readerTables,
        );
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
        readerTables: readerTables.map((table) => qualifiedName('MySQL', table)),
      }),
    );
    return tableSetupResponse(
      PHYSICAL_ID_PREFIX,
      reader?.username,
      `${properties.Host}:${properties.Port}`,
    );
  }

  return databaseAccountHandler({
    prefix: PHYSICAL_ID_PREFIX,
    createOrUpdate,
    dropAccount: (properties: MySqlSourceTablesProperties, username) =>
      dropAccountOnDelete(deps, properties, username, 'the user'),
    log: (username) => ({ action: 'Delete', droppedUser: username }),
  });
}

/** The Lambda entry points. */
export const { onEvent } = deployedHandlers(() =>
  mySqlSourceTablesHandlers({ secrets: new SecretsManagerClient({}) }),
);
