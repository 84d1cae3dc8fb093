import { createHash } from 'node:crypto';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { databaseAccountHandler } from '../../shared/handler/account-physical-id';
import { errorName, isError } from '../../shared/handler/aws-errors';
import type * as cfn from '../../shared/handler/custom-resource';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { messageOf } from '../../shared/handler/plain-error';
import { requireProperties } from '../../shared/handler/required';
import type { RetryOptions } from '../../shared/handler/retry';
import type { Credentials } from '../../shared/handler/secret-credentials';
import { readCredentials } from '../../shared/handler/secret-credentials';
import { redshiftTableBatch } from '../sample-data/redshift-table-batch';
import { sampleFor } from '../sample-data/samples';
import { quoteRedshift, redshiftTableStatements } from '../sample-data/table-ddl';
import { RedshiftStatements } from './redshift-statements';
import type { RedshiftSourceTablesProperties } from './redshift-source-tables-properties';
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
 * `Custom::RedshiftSourceTables`: through the Redshift Data API (no network path to the
 * cluster), creates every dataset's table in a cluster the app created and loads the built-in
 * samples into empty tables, one transaction per dataset (`redshiftTableBatch`), then creates
 * the user Amazon ML reads as, with USAGE on the datasets' schemas and SELECT on their tables
 * only. In an existing cluster it only creates that user, and fails, naming them, on tables that
 * are missing. Tables and rows are never dropped; a delete drops the reader user only.
 */

/** The clients, clock and retry behaviour of the handler; tests replace them. */
export interface RedshiftSourceTablesHandlerDependencies {
  readonly secrets: SecretsManagerClient;
  readonly redshiftData: RedshiftDataClient;
  /**
   * How long one event may wait for its statements, in milliseconds: less than the function's
   * timeout, so that a slow cluster fails with a message rather than a killed function.
   * @default REDSHIFT_TABLES_WAIT_MS
   */
  readonly maxWaitMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default - withRetry's defaults */
  readonly retry?: RetryOptions;
}

/** The function's timeout (14 minutes, under Lambda's 15) less two minutes for the rest. */
export const REDSHIFT_TABLES_WAIT_MS = 12 * 60_000;

const PHYSICAL_ID_PREFIX = 'redshift-tables:';

export type RedshiftSourceTablesEvent = cfn.OnEvent<RedshiftSourceTablesProperties>;
type Response = cfn.OnEventResponse<SourceTablesAttributes>;

/**
 * The MD5 form of a Redshift password: "md5" and the MD5 digest of the password followed by
 * the user name (Amazon Redshift Database Developer Guide, CREATE USER, PASSWORD: "ez" and
 * "user1" give md5153c434b4b77c89e6b94f12c5393af5b). The statements carry this form, never the
 * password, so that no statement text the Data API or Redshift keeps holds it.
 */
export function redshiftPasswordHash(username: string, password: string): string {
  return `md5${createHash('md5').update(`${password}${username}`, 'utf8').digest('hex')}`;
}

/**
 * The statements that create the reader (or set its password) and grant it USAGE on the schemas
 * and SELECT on the tables it reads; `revoked` tables lose the grant.
 */
export function readerGrantStatements(
  reader: Credentials,
  exists: boolean,
  tables: readonly TableDefinition[],
  revoked: readonly TableDefinition[] = [],
): string[] {
  const user = quoteRedshift(reader.username);
  const password = `'${redshiftPasswordHash(reader.username, reader.password)}'`;
  const schemas = [...new Set(tables.map((table) => table.redshiftSchema))];
  const table = (definition: TableDefinition) =>
    `${quoteRedshift(definition.redshiftSchema)}.${quoteRedshift(definition.name)}`;
  return [
    exists ? `ALTER USER ${user} PASSWORD ${password}` : `CREATE USER ${user} PASSWORD ${password}`,
    ...schemas.map((schema) => `GRANT USAGE ON SCHEMA ${quoteRedshift(schema)} TO ${user}`),
    ...tables.map((definition) => `GRANT SELECT ON ${table(definition)} TO ${user}`),
    ...revoked.map((definition) => `REVOKE SELECT ON ${table(definition)} FROM ${user}`),
  ];
}

/**
 * The statements that drop the reader: Redshift does not drop a user who still holds
 * privileges, so its privileges in `schemas` go first.
 */
export function dropReaderStatements(username: string, schemas: readonly string[]): string[] {
  const user = quoteRedshift(username);
  return [
    ...schemas.flatMap((schema) => [
      `REVOKE ALL ON ALL TABLES IN SCHEMA ${quoteRedshift(schema)} FROM ${user}`,
      `REVOKE ALL ON SCHEMA ${quoteRedshift(schema)} FROM ${user}`,
    ]),
    `DROP USER ${user}`,
  ];
}

/** Whether a Data API error says that the cluster is gone. */
function isGoneCluster(error: unknown): boolean {
  if (isError(error, 'ResourceNotFoundException')) return true;
  return (
    errorName(error) === 'ValidationException' &&
    /cluster\b.*\b(not found|does ?n[o']t exist)/i.test(messageOf(error))
  );
}

/** The onEvent handler of `Custom::RedshiftSourceTables`. */
export function redshiftSourceTablesHandlers(deps: RedshiftSourceTablesHandlerDependencies) {
  function statementsFor(properties: RedshiftSourceTablesProperties): RedshiftStatements {
    const now = deps.now ?? Date.now;
    return new RedshiftStatements(
      deps.redshiftData,
      {
        clusterIdentifier: properties.ClusterIdentifier,
        database: properties.Database,
        secretArn: properties.AdminSecretArn,
      },
      {
        deadline: now() + (deps.maxWaitMs ?? REDSHIFT_TABLES_WAIT_MS),
        now,
        sleep: deps.sleep,
        retry: deps.retry,
      },
    );
  }

  /** The table's columns as Redshift lists them; none when the table does not exist. */
  async function columnsOf(statements: RedshiftStatements, table: TableDefinition) {
    const rows = await statements.query(
      'SELECT column_name FROM information_schema.columns WHERE table_schema = :schema AND table_name = :table',
      { schema: table.redshiftSchema, table: table.name },
      `the columns of ${table.redshiftSchema}.${table.name}`,
    );
    return new Set(rows.map((row) => String(row[0]?.stringValue ?? '').toLowerCase()));
  }

  /** Fails, naming them, unless the table exists with every declared column. */
  async function checkTable(
    statements: RedshiftStatements,
    table: TableDefinition,
    created: boolean,
  ): Promise<void> {
    checkDeclaredColumns('Redshift', table, await columnsOf(statements, table), created);
  }

  async function userExists(statements: RedshiftStatements, username: string): Promise<boolean> {
    const rows = await statements.query(
      'SELECT usename FROM pg_user WHERE usename = :name',
      { name: username },
      `the lookup of user ${username}`,
    );
    return rows.length > 0;
  }

  async function createOrUpdate(event: RedshiftSourceTablesEvent): Promise<Response> {
    const properties = event.ResourceProperties;
    requireProperties(properties, ['ClusterIdentifier', 'Database', 'AdminSecretArn']);
    const { tables, readerTables, createTables, loadSample } = tableSetupRequest(properties);
    const reader = properties.Reader
      ? await readCredentials(deps.secrets, properties.Reader.SecretArn, deps.retry)
      : undefined;
    const statements = statementsFor(properties);

    if (createTables) {
      for (const table of tables) {
        const dataset = datasetOf(table);
        const sample = loadSample ? sampleFor(dataset) : undefined;
        // The table first, checked, and only then its sample (see the MySQL setup).
        await statements.batch(
          redshiftTableStatements(dataset, { comment: sample?.comment }),
          `the table of dataset "${table.name}"`,
        );
        await checkTable(statements, table, true);
        if (sample) {
          await statements.batch(
            redshiftTableBatch(dataset, { sample }),
            `the sample load of dataset "${table.name}"`,
          );
        }
      }
    }
    if (reader) {
      if (!createTables) {
        for (const table of readerTables) await checkTable(statements, table, false);
      }
      // A table that is gone holds no grant to take back.
      const revoked: TableDefinition[] = [];
      for (const table of tablesNoLongerRead(
        event,
        PHYSICAL_ID_PREFIX,
        reader.username,
        readerTables,
      )) {
        if ((await columnsOf(statements, table)).size > 0) revoked.push(table);
      }
      const exists = await userExists(statements, reader.username);
      await statements.batch(
        readerGrantStatements(reader, exists, readerTables, revoked),
        `the reader user ${reader.username}`,
        { secret: true },
      );
    }
    console.log(
      JSON.stringify({
        action: event.RequestType,
        tablesCreated: createTables ? tables.map((table) => table.name) : [],
        sampleLoaded: createTables && loadSample,
        reader: reader?.username,
        readerTables: readerTables.map((table) => qualifiedName('Redshift', table)),
      }),
    );
    return tableSetupResponse(
      PHYSICAL_ID_PREFIX,
      reader?.username,
      `${properties.ClusterIdentifier}/${properties.Database}`,
    );
  }

  /**
   * Drops the reader user, its privileges first; tables and rows stay.
   * @returns false when the user or the cluster is gone
   */
  async function dropReader(
    properties: RedshiftSourceTablesProperties,
    username: string,
  ): Promise<boolean> {
    const statements = statementsFor(properties);
    try {
      if (!(await userExists(statements, username))) return false;
    } catch (error) {
      if (isGoneCluster(error)) {
        console.log(
          JSON.stringify({ action: 'Delete', skipped: `the cluster is gone: ${messageOf(error)}` }),
        );
        return false;
      }
      throw error;
    }
    const schemas = [
      ...new Set(
        (properties.Reader?.Tables ?? [])
          .map((name) => properties.Datasets?.find((table) => table.name === name)?.redshiftSchema)
          .filter((schema): schema is string => schema !== undefined),
      ),
    ];
    await statements.batch(
      dropReaderStatements(username, schemas),
      `dropping the user ${username}`,
    );
    return true;
  }

  return databaseAccountHandler({
    prefix: PHYSICAL_ID_PREFIX,
    createOrUpdate,
    dropAccount: dropReader,
    log: (username) => ({ action: 'Delete', droppedUser: username }),
  });
}

/** The Lambda entry points. */
export const { onEvent } = deployedHandlers(() =>
  redshiftSourceTablesHandlers({
    secrets: new SecretsManagerClient({}),
    redshiftData: new RedshiftDataClient({}),
  }),
);
