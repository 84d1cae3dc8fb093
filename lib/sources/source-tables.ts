import { RemovalPolicy } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import { acknowledge } from '../shared/nag';
import type { SourceTablesProperties, TableDefinition } from './handler/source-tables-properties';

/**
 * What the table setups of both engines share (`MySqlSourceTables`, `RedshiftSourceTables`):
 * what a source asks of them, the reader's secret, and the properties of their resource.
 */

/** What a source asks of its table setup. */
export interface SourceTablesOptions {
  /** Every dataset: their tables are created when `createTables` is set. */
  readonly datasets: readonly DatasetConfig[];
  /** Whether to create the datasets' tables: the app created the database. */
  readonly createTables: boolean;
  /** Whether to load the built-in samples into empty tables. */
  readonly loadSample: boolean;
  /**
   * The user Amazon ML reads as and the datasets whose tables it reads.
   * @default - no reader user
   */
  readonly reader?: { readonly username: string; readonly datasets: readonly DatasetConfig[] };
}

/** The parts of a source's configuration that decide its table setup. */
export type SourceTablesConfig =
  | { readonly mode: 'create'; readonly sampleData: boolean; readonly readerUsername: string }
  | { readonly mode: 'import'; readonly readerUsername: string };

/**
 * The table setup of a source: a database the app creates gets every dataset's table (and the
 * samples, when configured), and a database that Amazon ML reads gets a reader user; undefined
 * when neither applies.
 */
export function sourceTablesOptions(
  config: SourceTablesConfig,
  datasets: readonly DatasetConfig[],
  readerDatasets: readonly DatasetConfig[] = [],
): SourceTablesOptions | undefined {
  const created = config.mode === 'create';
  if (!created && readerDatasets.length === 0) return undefined;
  return {
    datasets,
    createTables: created,
    loadSample: created && config.sampleData,
    reader:
      readerDatasets.length > 0
        ? { username: config.readerUsername, datasets: readerDatasets }
        : undefined,
  };
}

/**
 * The reader's secret of a source's table setup. A source that no Amazon ML datasource reads
 * has none: asking for it fails synthesis, naming the `source`.
 */
export function readerSecretOf(
  tables: { readonly readerSecret?: secretsmanager.ISecret } | undefined,
  source: string,
): secretsmanager.ISecret {
  const secret = tables?.readerSecret;
  if (!secret) {
    throw new Error(`No Amazon ML datasource reads ${source}, so it has no reader user.`);
  }
  return secret;
}

/** The reader's secret: what it holds besides the password, and how the password is made. */
export interface ReaderSecretProps {
  readonly description: string;
  /** The secret's other keys (`engine`, `host`, `port`, `dbname`, `username`, ...), as JSON. */
  readonly secretStringTemplate: string;
  /** Characters the password may not hold. */
  readonly excludeCharacters: string;
  /**
   * Whether the password holds a character of every type.
   * @default - the Secrets Manager default
   */
  readonly requireEachIncludedType?: boolean;
}

/** The secret of the user Amazon ML reads as (`ReaderSecret` in `scope`). */
export function createReaderSecret(
  scope: Construct,
  props: ReaderSecretProps,
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'ReaderSecret', {
    description: props.description,
    generateSecretString: {
      secretStringTemplate: props.secretStringTemplate,
      generateStringKey: 'password',
      passwordLength: 32,
      excludeCharacters: props.excludeCharacters,
      requireEachIncludedType: props.requireEachIncludedType,
    },
    // The setup drops the user when the resource goes; the credentials go with it.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  acknowledge(
    secret,
    'AwsSolutions-SMG4',
    undefined,
    'Amazon ML copies these credentials into each datasource when it creates it and never reads the secret again, so a rotation would reach no datasource; the user may only read the dataset tables, and only the setup function and the Amazon ML handler may read the secret.',
  );
  return secret;
}

/** The datasets as the table setup handlers receive them: names, key and column types only. */
export function tableDefinitions(datasets: readonly DatasetConfig[]): TableDefinition[] {
  return datasets.map((dataset) => ({
    name: dataset.name,
    mysqlDatabase: dataset.mysqlDatabase,
    redshiftSchema: dataset.redshiftSchema,
    primaryKey: [...dataset.primaryKey],
    columns: dataset.columns.map(({ name, type }) => ({ name, type })),
  }));
}

/** The properties that the table setup resources of both engines share. */
export function sourceTablesProperties(
  options: SourceTablesOptions,
  adminSecret: secretsmanager.ISecret,
  readerSecret: secretsmanager.ISecret | undefined,
): SourceTablesProperties {
  return {
    AdminSecretArn: adminSecret.secretArn,
    Datasets: tableDefinitions(options.datasets),
    CreateTables: options.createTables,
    LoadSample: options.loadSample,
    Reader:
      options.reader && readerSecret
        ? {
            SecretArn: readerSecret.secretArn,
            Tables: options.reader.datasets.map((dataset) => dataset.name),
          }
        : undefined,
  };
}
