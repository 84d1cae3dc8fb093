import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DuckDBInstance as Instance, timestampValue } from '@duckdb/node-api';
import { Template } from 'aws-cdk-lib/assertions';
import { quoteIdentifier } from '../../lib/catalog/as-of-query';
import { BANKING_DATASET } from '../../lib/config/dataset';
import { LENDING_DATASET } from '../support/datasets';
import { catalogStackOf, storageStackOf } from '../support/stacks';
import type { Json } from '../support/template-resources';
import { resourcesOf } from '../support/template-resources';
import { createTestApp, testConfig } from '../support/test-app';

/*
 * The as-of queries that the catalog stack deploys (prepared statements and saved queries) run
 * against the Glue tables that the same template declares: every table they read exists, and
 * every column they name is a column or a partition key of it. DuckDB plays the catalog: each
 * synthesized Glue table becomes an empty DuckDB table with its columns and partition keys, and
 * each deployed statement is prepared and run there, so that a column or table the SQL names
 * and the catalog lacks fails with DuckDB's binder error.
 */

/** The DuckDB type of a Glue (Hive) column type. */
function duckdbType(glueType: string): string {
  if (glueType === 'string') return 'VARCHAR';
  if (glueType === 'int') return 'INTEGER';
  if (glueType === 'float') return 'REAL';
  return glueType.toUpperCase();
}

interface GlueTable {
  readonly name: string;
  readonly columns: ReadonlyArray<{ readonly Name: string; readonly Type: string }>;
}

function glueTablesOf(template: Template): GlueTable[] {
  return resourcesOf(template, 'AWS::Glue::Table').map((table) => {
    const input = table.Properties.TableInput as Json;
    return {
      name: input.Name,
      columns: [...input.StorageDescriptor.Columns, ...(input.PartitionKeys ?? [])],
    };
  });
}

let instance: DuckDBInstance;
let connection: DuckDBConnection;

async function declare(database: string, tables: readonly GlueTable[]): Promise<void> {
  await connection.run(`DROP SCHEMA IF EXISTS ${quoteIdentifier(database)} CASCADE`);
  await connection.run(`CREATE SCHEMA ${quoteIdentifier(database)}`);
  for (const table of tables) {
    const columns = table.columns.map(
      (column) => `${quoteIdentifier(column.Name)} ${duckdbType(column.Type)}`,
    );
    await connection.run(
      `CREATE TABLE ${quoteIdentifier(database)}.${quoteIdentifier(table.name)} (${columns.join(', ')})`,
    );
  }
}

/** Prepares the statement's SQL, binds its one parameter and runs it; returns the row count. */
async function run(sql: string): Promise<number> {
  const prepared = await connection.prepare(sql);
  prepared.bindTimestamp(1, timestampValue(BigInt(Date.parse('2024-05-01T00:00:00Z')) * 1000n));
  const reader = await prepared.runAndReadAll();
  return reader.currentRowCount;
}

beforeAll(async () => {
  instance = await Instance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
});

describe('the deployed as-of queries and the deployed catalog', () => {
  const app = createTestApp();
  // Without governance, the queries name every column of their table.
  const config = testConfig({
    features: { governance: false },
    datasets: [BANKING_DATASET, LENDING_DATASET],
    replication: { tables: ['banking', 'loans'], generation: 2 },
  });
  const template = Template.fromStack(catalogStackOf(app, config, storageStackOf(app, config)));
  const database = config.catalog.databaseName;
  const statements = resourcesOf(template, 'AWS::Athena::PreparedStatement').map(
    (statement) =>
      [
        statement.Properties.StatementName as string,
        statement.Properties.QueryStatement as string,
      ] as const,
  );
  const namedQueries = resourcesOf(template, 'AWS::Athena::NamedQuery').map(
    (query) => [query.Properties.Name as string, query.Properties.QueryString as string] as const,
  );

  beforeAll(() => declare(database, glueTablesOf(template)));

  test('the catalog declares the change tables and the truncation marks', () => {
    expect(
      glueTablesOf(template)
        .map((table) => table.name)
        .sort(),
    ).toEqual(['banking', 'history_truncations', 'loans']);
    expect(statements).toHaveLength(2);
    expect(namedQueries).toHaveLength(2);
  });

  test.each(statements)(
    'prepared statement %s reads only tables and columns the catalog has',
    async (_name, sql) => {
      await expect(run(sql)).resolves.toBe(0);
    },
  );

  test.each(namedQueries)(
    'saved query "%s" reads only tables and columns the catalog has',
    async (_name, sql) => {
      await expect(run(sql)).resolves.toBe(0);
    },
  );

  test.each([
    ['the generation partition', 'loans', 'generation'],
    ['a before-image column', 'loans', 'bi_version'],
    ['a change column', 'loans', 'change_seq'],
    ['the time of a mark', 'history_truncations', 'truncated_at'],
  ])(
    'a catalog without %s fails the check, naming the column',
    async (_what, tableName, missing) => {
      const tables = glueTablesOf(template).map((table) =>
        table.name === tableName
          ? { ...table, columns: table.columns.filter((column) => column.Name !== missing) }
          : table,
      );
      await declare('check_fails', tables);
      const [, sql] = statements.find(([name]) => name === 'loans_as_of')!;
      await expect(
        run(sql.replaceAll(quoteIdentifier(database), quoteIdentifier('check_fails'))),
      ).rejects.toThrow(missing);
    },
  );

  test('a catalog without the truncation marks table fails the check, naming the table', async () => {
    await declare(
      'check_fails',
      glueTablesOf(template).filter((table) => table.name !== 'history_truncations'),
    );
    const [, sql] = statements[0];
    await expect(
      run(sql.replaceAll(quoteIdentifier(database), quoteIdentifier('check_fails'))),
    ).rejects.toThrow('history_truncations');
  });
});
