import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { DatasetConfig } from '../config/dataset';
import type { ReaderProperties, TableDefinition } from './handler/source-tables-properties';

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

/** The reader of a table setup resource: its secret and the datasets it reads. */
export function readerProperties(
  secret: secretsmanager.ISecret,
  datasets: readonly DatasetConfig[],
): ReaderProperties {
  return { SecretArn: secret.secretArn, Tables: datasets.map((dataset) => dataset.name) };
}
