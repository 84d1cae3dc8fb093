import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DuckDBInstance as Instance, timestampValue } from '@duckdb/node-api';
import { Template } from 'aws-cdk-lib/assertions';
import { asOfStatementName } from '../../lib/catalog/as-of-snapshots';
import { quoteIdentifier } from '../../lib/catalog/as-of-query';
import { BANKING_DATASET } from '../../lib/config/dataset';
import type { Json } from '../support/template-resources';
import { onlyResource, resourcesOf } from '../support/template-resources';
import { buildReplicationFixture } from './replication-fixture';

/*
 * A replacement of the replication task, generation 1 to 2, end to end: the synthesized
 * templates say where each generation's task writes and how the catalog reads the history, and
 * DuckDB runs the deployed as-of statement over files written where the templates say. For
 * every time before the replacement, the table reads as it did before it.
 *
 * Sources: CloudFormation registry schema of AWS::DMS::ReplicationTask (the endpoints and the
 * instance are create-only, so a change of them replaces the task); DMS S3 target ("Multiple
 * tasks that replicate data from the same source table to the same target S3 endpoint bucket
 * result in those tasks writing to the same file"; every task names its full-load files from
 * LOAD00000001); Athena partition projection (`storage.location.template` with
 * `${generation}`, an integer range).
 */

const CUSTOMERS = {
  name: 'customers',
  mysqlDatabase: 'core',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'state', type: 'varchar(16)' },
  ],
};

function generation(number: number) {
  // Without governance, the as-of statement names every column of the table.
  const fixture = buildReplicationFixture({
    features: { governance: false },
    datasets: [BANKING_DATASET, CUSTOMERS],
    replication: { tables: ['banking', 'customers'], generation: number },
  });
  return {
    replication: Template.fromStack(fixture.replication),
    catalog: Template.fromStack(fixture.catalog),
    databaseName: fixture.config.catalog.databaseName,
  };
}

const first = generation(1);
const second = generation(2);

/** Where the generation's task writes the table's files: its endpoint's folder, schema, table. */
function tableFolder(replication: Template): string {
  const target = onlyResource(
    replication,
    'AWS::DMS::Endpoint',
    (endpoint) => endpoint.Properties.EndpointType === 'target',
  );
  const task = onlyResource(replication, 'AWS::DMS::ReplicationTask');
  const selection = (JSON.parse(task.Properties.TableMappings).rules as Json[]).find(
    (rule) =>
      rule['rule-type'] === 'selection' && rule['object-locator']['table-name'] === CUSTOMERS.name,
  );
  const locator = selection!['object-locator'];
  return `${target.Properties.S3Settings.BucketFolder}/${locator['schema-name']}/${locator['table-name']}/`;
}

/** The deployed table's location template, with the bucket replaced by a local directory. */
function locationTemplate(
  catalog: Template,
  lake: string,
): { template: string; generations: number[] } {
  const table = onlyResource(
    catalog,
    'AWS::Glue::Table',
    (candidate) => candidate.Properties.TableInput.Name === 'customers',
  ).Properties.TableInput;
  const parts: Json[] = table.Parameters['storage.location.template']['Fn::Join'][1];
  const text = parts.map((part) => (typeof part === 'string' ? part : 'BUCKET')).join('');
  const [low, high] = (table.Parameters['projection.generation.range'] as string)
    .split(',')
    .map(Number);
  return {
    template: text.replace('s3://BUCKET/', `${lake}/`),
    generations: Array.from({ length: high - low + 1 }, (_, index) => low + index),
  };
}

let instance: DuckDBInstance;
let connection: DuckDBConnection;
let lake: string;

type Row = readonly [
  op: string,
  commitTs: string,
  changeSeq: string,
  biId: number | null,
  id: number,
  state: string,
];
const seq = (n: number) => `20240301${String(n).padStart(27, '0')}`;

async function writeFile(key: string, rows: readonly Row[]): Promise<void> {
  const file = path.join(lake, key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const values = rows
    .map(
      (row) =>
        `(${row.map((value) => (value === null ? 'NULL' : typeof value === 'number' ? value : `'${value}'`)).join(', ')})`,
    )
    .join(', ');
  await connection.run(
    `COPY (SELECT op, commit_ts, change_seq, CAST(bi_id AS BIGINT) AS bi_id, CAST(id AS BIGINT) AS id, state FROM (VALUES ${values}) AS t(op, commit_ts, change_seq, bi_id, id, state)) TO '${file}' (FORMAT PARQUET)`,
  );
}

/** The catalog's deployed as-of statement, run by DuckDB over the files the catalog reads. */
async function asOf(catalog: Template, databaseName: string, at: string): Promise<string[][]> {
  const statement = onlyResource(
    catalog,
    'AWS::Athena::PreparedStatement',
    (candidate) => candidate.Properties.StatementName === asOfStatementName(CUSTOMERS.name),
  ).Properties.QueryStatement as string;
  const { template, generations } = locationTemplate(catalog, lake);
  const files = generations
    .map((number) => template.replace('${generation}', String(number)))
    .filter((folder) => fs.existsSync(folder))
    .map((folder) => `'${folder}*.parquet'`);
  const history = `read_parquet([${files.join(', ')}], hive_partitioning = true, union_by_name = true)`;
  const marks = `(SELECT CAST(NULL AS VARCHAR) AS table_name, CAST(NULL AS TIMESTAMP) AS truncated_at WHERE false)`;
  const sql = statement
    .replace(`${quoteIdentifier(databaseName)}.${quoteIdentifier('customers')}`, history)
    .replace(`${quoteIdentifier(databaseName)}.${quoteIdentifier('history_truncations')}`, marks);
  const prepared = await connection.prepare(`SELECT * FROM (${sql}) AS s ORDER BY id`);
  prepared.bindTimestamp(1, timestampValue(BigInt(Date.parse(at)) * 1000n));
  const reader = await prepared.runAndReadAll();
  return (reader.getRowsJson() as unknown[][]).map((row) => row.map(String));
}

/** Times before the replacement, and the table as the first generation alone reads it then. */
const BEFORE_REPLACEMENT: ReadonlyArray<[string, string[][]]> = [
  ['2024-03-01T09:59:59Z', []],
  [
    '2024-03-01T10:00:00Z',
    [
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ],
  ],
  [
    '2024-03-01T10:15:00Z',
    [
      ['1', 'a1'],
      ['2', 'b'],
      ['3', 'c'],
    ],
  ],
  [
    '2024-03-01T10:25:00Z',
    [
      ['1', 'a1'],
      ['3', 'c'],
    ],
  ],
  [
    '2024-03-01T11:59:59Z',
    [
      ['1', 'a1'],
      ['3', 'c'],
      ['4', 'd'],
    ],
  ],
];
const before = new Map<string, string[][]>();
const firstFiles = new Map<string, Buffer>();

beforeAll(async () => {
  lake = fs.mkdtempSync(path.join(os.tmpdir(), 'generation-replacement-'));
  instance = await Instance.create(':memory:');
  connection = await instance.connect();

  // Generation 1, where its template says: the first task's load and changes.
  const folder1 = tableFolder(first.replication);
  await writeFile(`${folder1}LOAD00000001.parquet`, [
    ['I', '2024-03-01 10:00:00.123456', '', null, 1, 'a'],
    ['I', '2024-03-01 10:00:00.123456', '', null, 2, 'b'],
    ['I', '2024-03-01 10:00:00.123456', '', null, 3, 'c'],
  ]);
  await writeFile(`${folder1}20240301-101000000.parquet`, [
    ['U', '2024-03-01 10:10:00.000000', seq(101), 1, 1, 'a1'],
    ['D', '2024-03-01 10:20:00.000000', seq(102), 2, 2, 'b'],
    ['I', '2024-03-01 10:30:00.000000', seq(103), null, 4, 'd'],
  ]);
  for (const [time] of BEFORE_REPLACEMENT)
    before.set(time, await asOf(first.catalog, first.databaseName, time));
  for (const file of fs.readdirSync(path.join(lake, folder1))) {
    firstFiles.set(file, fs.readFileSync(path.join(lake, folder1, file)));
  }

  // Generation 2, where its template says: the replacement loads the table at 12:00 (3 was
  // deleted, 5 inserted while no task ran) and captures from then on.
  const folder2 = tableFolder(second.replication);
  await writeFile(`${folder2}LOAD00000001.parquet`, [
    ['I', '2024-03-01 12:00:00.654321', '', null, 1, 'a1'],
    ['I', '2024-03-01 12:00:00.654321', '', null, 4, 'd'],
    ['I', '2024-03-01 12:00:00.654321', '', null, 5, 'e'],
  ]);
  await writeFile(`${folder2}20240301-121000000.parquet`, [
    ['U', '2024-03-01 12:10:00.000000', seq(1), 4, 4, 'd2'],
  ]);
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
  if (lake) fs.rmSync(lake, { recursive: true, force: true });
});

test('the two generations write different folders, so the second load overwrites no file', () => {
  expect(tableFolder(first.replication)).toBe('cdc/generation=1/core/customers/');
  expect(tableFolder(second.replication)).toBe('cdc/generation=2/core/customers/');
  const folder1 = path.join(lake, tableFolder(first.replication));
  expect(fs.readdirSync(folder1).sort()).toEqual([...firstFiles.keys()].sort());
  for (const [file, content] of firstFiles) {
    expect(fs.readFileSync(path.join(folder1, file)).equals(content)).toBe(true);
  }
});

test('no role of the replication may delete history, and the new task may write only its own folder', () => {
  const allows = resourcesOf(second.replication, 'AWS::IAM::Policy')
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[])
    .filter((statement) => statement.Effect === 'Allow');
  const s3Actions = allows
    .flatMap((statement) => [statement.Action].flat() as string[])
    .filter((action) => action.startsWith('s3:'));
  expect(s3Actions.filter((action) => /^s3:(Delete|\*)/.test(action))).toEqual([]);
  const writes = allows.filter((statement) => [statement.Action].flat().includes('s3:PutObject'));
  expect(JSON.stringify(writes.map((statement) => statement.Resource))).toContain(
    '/cdc/generation=2/*',
  );
  expect(JSON.stringify(writes.map((statement) => statement.Resource))).not.toContain(
    'generation=1',
  );
});

test('the catalog of generation 2 reads both generations', () => {
  expect(locationTemplate(second.catalog, lake).generations).toEqual([1, 2]);
  expect(locationTemplate(first.catalog, lake).generations).toEqual([1]);
});

test.each(BEFORE_REPLACEMENT)(
  'as of %s, before the replacement, the table reads as it did before',
  async (time, expected) => {
    expect(before.get(time)).toEqual(expected);
    expect(await asOf(second.catalog, second.databaseName, time)).toEqual(expected);
  },
);
test("from the replacement's load on, the table reads the new generation", async () => {
  expect(await asOf(second.catalog, second.databaseName, '2024-03-01T12:00:00Z')).toEqual([
    ['1', 'a1'],
    ['4', 'd'],
    ['5', 'e'],
  ]);
  expect(await asOf(second.catalog, second.databaseName, '2024-03-02T00:00:00Z')).toEqual([
    ['1', 'a1'],
    ['4', 'd2'],
    ['5', 'e'],
  ]);
});
