import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import type { DatasetConfig } from '../../config/dataset';
import { datasetNamed } from '../../config/dataset';
import { snapshotWorkgroupName } from '../../config/checks/snapshots';
import { ConfigError, resolveConfig } from '../../config/load-config';
import type { GovernanceConfig } from '../../governance/config';
import type { QueryPersona } from '../../governance/tag-model';
import { personaSlug, QUERY_PERSONAS, selectableColumns } from '../../governance/tag-model';
import { snapshotName } from '../../snapshots/config';
import { AthenaRows } from '../../snapshots/handler/athena-rows';
import { SnapshotObjects } from '../../snapshots/handler/snapshot-objects';
import { advance } from '../../snapshots/handler/snapshot-production';
import { SNAPSHOTS_PREFIX, stagingLayout } from '../../snapshots/handler/snapshot-properties';
import { planSnapshot } from '../../snapshots/snapshot-definition';
import { AsOfQueryError, asOfQuery, replicatedTableSpec } from '../as-of-query';
import { audienceWorkgroupName } from '../query-workgroup';
import type { ResultSource, RunQueryOptions } from './athena-client';
import { AthenaQueryError, AthenaQueryTimeoutError, runQuery } from './athena-client';
import type { OutputFormat } from './output-format';
import { OUTPUT_FORMATS, rowFormatter } from './output-format';
import { formatUtc, parseTime, TimeFormatError } from './parse-time';
import { formatBytes, ProgressReporter } from './progress';
import type { ResultObjectReader } from './result-objects';
import { AthenaResultObjectError } from './result-objects';
import { s3ResultObjects } from './s3-result-objects';
import { AthenaValueError } from './value-parser';

export const USAGE = `Usage:
  athena snapshot --table <dataset> --at <time> [options]
      A replicated table as it was at <time>: ISO 8601, UTC unless it names an offset
      (2024-03-01T10:00:00Z, 2024-03-01 12:00+02:00, 2024-03-01).
  athena query (--sql <sql> | --file <path>) [options]
      Any SQL.
  athena export --table <dataset> --at <time> [--to s3://bucket/prefix/] [--name <name>]
      A training snapshot of the table as it was at <time>: Parquet, CSV with a header, the
      Amazon ML schema and manifest.json, written once under <prefix><name>/ (default: the
      snapshots/ folder of snapshots.bucketName), by queries in the snapshot workgroup, whose
      output location must be in the same bucket. Prints the manifest.

Options:
  --format csv|jsonl    output on stdout (default csv)
  --config <file>       the app's configuration file (default: the built-in configuration)
  --persona <name>      under governance: analyst or project-leader, whose workgroup to run
                        in and, for snapshot, whose columns to select
  --workgroup <name>    Athena workgroup (default: the persona's, or without governance
                        catalog.athena.workgroupName)
  --database <name>     Glue database (default: catalog.databaseName)
  --region <region>     AWS region (default: from the AWS environment)
  --timeout <seconds>   longest wait for the query to finish (default 600)
  --paging              read every row with GetQueryResults, 1000 a call, not from S3
  --print-sql           snapshot: print the SQL instead of running it
  --name <name>         export: the snapshot's name (default <table>-<time>, e.g. banking-20261101t000000z)
  --to <s3 folder>      export: where the snapshot's folder goes
  --kms-key <arn>       export: the key to encrypt with (default: the bucket's default encryption)
  -h, --help            this help

A result larger than one page is read from its CSV on S3, which takes s3:GetObject on the
workgroup's output location and kms:Decrypt through S3; where S3 refuses, page by page.
Progress goes to stderr, rows to stdout. Exit status: 0 done, 1 the query failed, 2 bad usage.
`;

/** Where the command line writes; a stream that may ask the writer to wait for `drain`. */
export interface OutputStream {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** What the command line runs against: its streams and, for tests, its AWS client. */
export interface CliEnvironment {
  /** Rows, or the help text. */
  readonly stdout: OutputStream;
  /** Progress and errors. */
  readonly stderr: { write(chunk: string): unknown };
  /**
   * Makes the Athena client.
   * @default new AthenaClient({ region })
   */
  readonly createClient?: (region: string | undefined) => AthenaClient;
  /**
   * Makes the reader of result objects on S3.
   * @default an S3 client for the region
   */
  readonly createResultObjects?: (region: string | undefined) => ResultObjectReader;
  /**
   * Makes the S3 client that `export` writes the snapshot with.
   * @default new S3Client({ region })
   */
  readonly createS3Client?: (region: string | undefined) => S3Client;
  /**
   * Settings of the query run that the command line does not set, such as `sleep` and `now`.
   * @default none
   */
  readonly runOptions?: Partial<RunQueryOptions>;
  /**
   * The clock of the progress reports, in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** A problem with the command line's arguments, reported in one line with exit status 2. */
class UsageError extends Error {}

/** An export that could not be written, reported as it is with exit status 1. */
class ExportError extends Error {}

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

const OPTIONS = {
  table: { type: 'string' },
  at: { type: 'string' },
  sql: { type: 'string' },
  file: { type: 'string' },
  format: { type: 'string', default: 'csv' },
  config: { type: 'string' },
  workgroup: { type: 'string' },
  persona: { type: 'string' },
  database: { type: 'string' },
  region: { type: 'string' },
  timeout: { type: 'string', default: '600' },
  paging: { type: 'boolean', default: false },
  'print-sql': { type: 'boolean', default: false },
  name: { type: 'string' },
  to: { type: 'string' },
  'kms-key': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArguments>['values'];

function parseArguments(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Runs the command line; resolves with the exit status. */
export async function main(argv: readonly string[], env: CliEnvironment): Promise<number> {
  const fail = (status: number, message: string) => {
    env.stderr.write(`athena: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    return status;
  };
  try {
    const { values, positionals } = parseArguments(argv);
    if (values.help) {
      env.stdout.write(USAGE);
      return EXIT_OK;
    }
    const [command, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    if (command !== 'snapshot' && command !== 'query' && command !== 'export') {
      throw new UsageError(
        command
          ? `unknown command "${command}": use snapshot, query or export (see --help)`
          : 'name a command: snapshot, query or export (see --help)',
      );
    }
    const output = {
      format: outputFormat(values),
      timeoutMs: timeoutMs(values),
      paging: values.paging,
    };
    if (command === 'export') return await exportSnapshot(values, output, env);
    return command === 'snapshot'
      ? await snapshot(values, output, env)
      : await query(values, output, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      env.stderr.write(`athena: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (
      error instanceof UsageError ||
      error instanceof TimeFormatError ||
      error instanceof AsOfQueryError
    ) {
      return fail(EXIT_USAGE, error.message);
    }
    if (
      error instanceof AthenaQueryError ||
      error instanceof AthenaQueryTimeoutError ||
      error instanceof AthenaResultObjectError ||
      error instanceof AthenaValueError ||
      error instanceof ExportError
    ) {
      return fail(EXIT_FAILED, error.message);
    }
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    return fail(EXIT_FAILED, `${name}: ${message}`);
  }
}

function outputFormat(values: Values): OutputFormat {
  const format = values.format as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) {
    throw new UsageError(`--format must be ${OUTPUT_FORMATS.join(' or ')}, not "${format}"`);
  }
  return format;
}

function timeoutMs(values: Values): number {
  const seconds = Number(values.timeout);
  if (!(seconds > 0) || !Number.isFinite(seconds)) {
    throw new UsageError(`--timeout must be a positive number of seconds, not "${values.timeout}"`);
  }
  return seconds * 1000;
}

function required(values: Values, name: 'table' | 'at'): string {
  const value = values[name];
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** How to run and write a query, from the options common to both commands. */
interface Output {
  readonly format: OutputFormat;
  readonly timeoutMs: number;
  /** Whether every row is to be read with `GetQueryResults`. */
  readonly paging: boolean;
}

function atOf(values: Values): Date {
  const atText = required(values, 'at');
  try {
    return parseTime(atText);
  } catch (error) {
    if (error instanceof TimeFormatError) throw new UsageError(`--at ${error.message}`);
    throw error;
  }
}

async function snapshot(values: Values, output: Output, env: CliEnvironment): Promise<number> {
  const table = required(values, 'table');
  const at = atOf(values);
  const config = resolveConfig(values.config);
  const dataset = replicatedDataset(table, config.datasets, {
    on: config.features.replication,
    tables: config.replication.tables,
  });
  const database = values.database ?? config.catalog.databaseName;
  const target = queryTarget(values, config);
  const columns = target.persona
    ? selectableColumns(config.governance, target.persona, dataset)
    : dataset.columns.map((column) => column.name);
  if (columns.length === 0) {
    throw new UsageError(
      `the ${personaSlug(target.persona!)} may read no column of "${dataset.name}" (governance.grants)`,
    );
  }
  const visible = { ...dataset, columns: dataset.columns.filter((c) => columns.includes(c.name)) };
  const sql = asOfQuery(replicatedTableSpec(database, visible), { at });
  if (values['print-sql']) {
    env.stdout.write(`${sql}\n`);
    return EXIT_OK;
  }
  const { workgroup } = target;
  env.stderr.write(
    `athena: ${database}.${dataset.name} as of ${formatUtc(at)}, workgroup ${workgroup}\n`,
  );
  return run(sql, { workgroup, database, region: values.region, ...output }, env);
}

/** The catalog settings the command line reads. */
interface CatalogSettings {
  readonly features: { readonly governance: boolean };
  readonly catalog: { readonly athena: { readonly workgroupName: string } };
  readonly governance: GovernanceConfig;
}

/**
 * The workgroup to run in and, under governance, whose grants decide the columns: each query
 * persona has a workgroup of its own, and a query that names a column its grants do not cover
 * fails, so under governance the persona is required (by name, or by its workgroup).
 */
function queryTarget(
  values: Values,
  config: CatalogSettings,
): { workgroup: string; persona?: QueryPersona } {
  const base = config.catalog.athena.workgroupName;
  const workgroupOf = (persona: QueryPersona) => audienceWorkgroupName(base, personaSlug(persona));
  const names = QUERY_PERSONAS.map(personaSlug).join(' or ');
  if (!config.features.governance) {
    if (values.persona !== undefined) {
      throw new UsageError(
        '--persona needs governance (features.governance): there are no personas',
      );
    }
    return { workgroup: values.workgroup ?? base };
  }
  if (values.persona !== undefined) {
    const persona = QUERY_PERSONAS.find((candidate) => personaSlug(candidate) === values.persona);
    if (!persona) throw new UsageError(`--persona must be ${names}, not "${values.persona}"`);
    return { workgroup: values.workgroup ?? workgroupOf(persona), persona };
  }
  const persona = QUERY_PERSONAS.find((candidate) => workgroupOf(candidate) === values.workgroup);
  if (persona) return { workgroup: values.workgroup!, persona };
  throw new UsageError(
    `the catalog is governed by Lake Formation: name your persona with --persona ${names}`,
  );
}

/** The dataset of `table`, which must be replicated for the catalog to hold its history. */
function replicatedDataset(
  table: string,
  datasets: readonly DatasetConfig[],
  replication: { readonly on: boolean; readonly tables: readonly string[] },
): DatasetConfig {
  const names = datasets.map((candidate) => candidate.name);
  if (!names.includes(table)) {
    throw new UsageError(`unknown table "${table}": the datasets are ${names.join(', ')}`);
  }
  if (!replication.on) {
    throw new UsageError(
      `table "${table}" has no change history: replication is off (features.replication)`,
    );
  }
  if (!replication.tables.includes(table)) {
    throw new UsageError(
      `table "${table}" has no change history: it is not in replication.tables (${replication.tables.join(', ')})`,
    );
  }
  return datasetNamed(datasets, table);
}

async function query(values: Values, output: Output, env: CliEnvironment): Promise<number> {
  if ((values.sql === undefined) === (values.file === undefined)) {
    throw new UsageError('give the SQL with exactly one of --sql or --file');
  }
  let sql = values.sql;
  if (values.file !== undefined) {
    try {
      sql = fs.readFileSync(values.file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --file ${values.file}: ${(error as Error).message}`);
    }
  }
  if (!sql || sql.trim() === '') throw new UsageError('the SQL is empty');
  const config = resolveConfig(values.config);
  const settings = {
    workgroup:
      config.features.governance && values.workgroup !== undefined && values.persona === undefined
        ? values.workgroup
        : queryTarget(values, config).workgroup,
    database: values.database ?? config.catalog.databaseName,
    region: values.region,
    ...output,
  };
  return run(sql.trim(), settings, env);
}

interface RunSettings extends Output {
  readonly workgroup: string;
  readonly database: string;
  readonly region?: string;
}

/** Flush output in chunks of about this many characters. */
const CHUNK = 64 * 1024;

async function run(sql: string, settings: RunSettings, env: CliEnvironment): Promise<number> {
  const progress = new ProgressReporter(
    (line) => env.stderr.write(`athena: ${line}\n`),
    env.now ?? Date.now,
  );
  const createClient = env.createClient ?? ((region) => new AthenaClient({ region }));
  const result = await runQuery(sql, {
    ...env.runOptions,
    workgroup: settings.workgroup,
    database: settings.database,
    timeoutMs: settings.timeoutMs,
    client: createClient(settings.region),
    resultSource: resultSource(settings, env),
    onProgress: progress.report,
  });

  const formatter = rowFormatter(settings.format, result.columns);
  let chunk = formatter.header();
  for await (const row of result) {
    chunk += formatter.row(row);
    if (chunk.length >= CHUNK) {
      await write(env.stdout, chunk);
      chunk = '';
    }
  }
  await write(env.stdout, chunk);
  env.stderr.write(
    `athena: done: ${result.rowsFetched.toLocaleString('en-US')} rows, ` +
      `${formatBytes(result.statistics.dataScannedInBytes)} scanned\n`,
  );
  return EXIT_OK;
}

function resultSource(settings: RunSettings, env: CliEnvironment): ResultSource {
  if (settings.paging) return { from: 'pages', reason: '--paging was given' };
  const create = env.createResultObjects ?? ((region) => s3ResultObjects(new S3Client({ region })));
  return { from: 's3', reader: create(settings.region) };
}

const APP_VERSION: string = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'),
).version;

/** `banking-20261101t000000z`: the table and the moment, as a snapshot name. */
function defaultSnapshotName(table: string, at: Date): string {
  const moment = at
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/[-:.]/g, '')
    .toLowerCase();
  return `${table.replace(/_/g, '-')}-${moment}`;
}

/** The bucket and folder of `--to`, or of the configured snapshots bucket. */
function exportTarget(
  values: Values,
  bucketName: string | undefined,
): { bucket: string; root: string } {
  if (values.to === undefined) {
    if (!bucketName) {
      throw new UsageError(
        'give --to s3://bucket/prefix/: the configuration sets no snapshots.bucketName',
      );
    }
    return { bucket: bucketName, root: SNAPSHOTS_PREFIX };
  }
  const match = /^s3:\/\/([^/]+)\/((?:[^/]+\/)*)$/.exec(values.to);
  if (!match)
    throw new UsageError(
      `--to must be an s3://bucket/prefix/ folder ending in "/", not "${values.to}"`,
    );
  return { bucket: match[1], root: match[2] };
}

/**
 * The export command: the same production as a deployed snapshot (`lib/snapshots/handler`),
 * driven from here until the manifest is written, which it prints.
 */
async function exportSnapshot(
  values: Values,
  output: Output,
  env: CliEnvironment,
): Promise<number> {
  const table = required(values, 'table');
  const at = atOf(values);
  const config = resolveConfig(values.config);
  const dataset = replicatedDataset(table, config.datasets, {
    on: config.features.replication,
    tables: config.replication.tables,
  });
  const name = values.name ?? defaultSnapshotName(dataset.name, at);
  const checked = snapshotName.safeParse(name);
  if (!checked.success)
    throw new UsageError(`--name "${name}": ${checked.error.issues[0].message}`);
  const { bucket, root } = exportTarget(values, config.snapshots.bucketName);
  const database = values.database ?? config.catalog.databaseName;
  const workgroup = values.workgroup ?? snapshotWorkgroupName(config);
  const plan = planSnapshot(
    { source: 'history', dataset: dataset.name, at: at.toISOString(), excludedAttributes: [] },
    dataset,
    { source: 'history', database },
  );

  const say = (line: string) => env.stderr.write(`athena: ${line}\n`);
  const createS3 = env.createS3Client ?? ((region) => new S3Client({ region }));
  const createAthena = env.createClient ?? ((region) => new AthenaClient({ region }));
  const objects = new SnapshotObjects(createS3(values.region), bucket, values['kms-key']);
  const attempt = randomUUID().replace(/-/g, '');
  const source = new AthenaRows({
    athena: createAthena(values.region),
    objects,
    workgroup,
    database,
    select: plan.select,
    columns: plan.definition.columns.map((column) => column.name),
    primaryKey: plan.definition.primaryKey,
    unloadPrefix: stagingLayout(name, attempt).unloadPrefix,
    attempt,
    tables: [`${database}.${dataset.name}`],
  });
  const now = env.now ?? Date.now;
  const sleep =
    env.runOptions?.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  say(
    `${database}.${dataset.name} as of ${formatUtc(at)} to s3://${bucket}/${root}${name}/, workgroup ${workgroup}`,
  );
  let delay = env.runOptions?.pollIntervalMs ?? 1000;
  for (;;) {
    const step = await advance(
      {
        name,
        root,
        definition: plan.definition,
        select: plan.select,
        allowEmpty: false,
        appVersion: APP_VERSION,
        attempt,
        objects,
        source,
        deadlineMs: output.timeoutMs,
        log: say,
        now,
      },
      Number.POSITIVE_INFINITY,
    ).catch((error: unknown) => {
      // What the handler would report to CloudFormation: one sentence, exit status 1.
      throw new ExportError(error instanceof Error ? error.message : String(error));
    });
    if (step.done) {
      if (!step.made) say(`snapshot ${name} exists already with this definition; nothing written`);
      await write(env.stdout, `${JSON.stringify(step.manifest, null, 2)}\n`);
      return EXIT_OK;
    }
    say(step.detail);
    await sleep(delay);
    delay = Math.min(delay * 2, env.runOptions?.maxPollIntervalMs ?? 10_000);
  }
}

/** Writes, and waits for the stream to drain when it asks to, so that memory stays bounded. */
function write(stream: OutputStream, chunk: string): Promise<void> {
  if (chunk === '' || stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => stream.once('drain', resolve));
}
