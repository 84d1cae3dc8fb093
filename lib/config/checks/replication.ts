import { TRUNCATIONS_TABLE } from '../../catalog/as-of-query';
import { GENERATION_COLUMN } from '../../replication/data-lake-layout';
import { beforeImageColumn, DMS_COLUMNS } from '../../replication/dms-columns';
import type { DatasetConfig } from '../dataset';
import { datasetNamed } from '../dataset';
import type { ConfigPath, ReportIssue } from '../issues';
import type { AppConfig } from '../schema';
import { checkDatasetReference } from './datasets';

const DMS_COLUMN_NAMES: ReadonlySet<string> = new Set(Object.values(DMS_COLUMNS));
/** The prefix of the names the as-of query gives what it computes (`as-of-query.ts`). */
const AS_OF_PREFIX = 'as_of_';

/** Why a dataset column's name cannot be a column of its change table, if it cannot. */
function columnNameClash(dataset: DatasetConfig, name: string): string | undefined {
  if (DMS_COLUMN_NAMES.has(name)) {
    return `"${name}" is a column DMS adds to every replicated row; rename the column`;
  }
  if (name === GENERATION_COLUMN) {
    return `"${name}" is the partition of the change table that holds the replication generation; rename the column`;
  }
  const key = dataset.primaryKey.find((candidate) => beforeImageColumn(candidate) === name);
  if (key !== undefined) {
    return `"${name}" is the column DMS writes the before-image of the primary key "${key}" to; rename the column`;
  }
  if (name.startsWith(AS_OF_PREFIX)) {
    return `"${name}" starts with "${AS_OF_PREFIX}", which the as-of queries name what they compute with; rename the column`;
  }
  return undefined;
}

/** Reports what keeps a replicated dataset from being a change table in the catalog. */
function checkReplicatedDataset(
  dataset: DatasetConfig,
  path: ConfigPath,
  report: ReportIssue,
): void {
  if (dataset.name === TRUNCATIONS_TABLE.name) {
    report(
      [...path, 'name'],
      `"${dataset.name}" is the catalog table of truncation marks; a replicated dataset needs another name`,
    );
  }
  dataset.columns.forEach((column, index) => {
    const clash = columnNameClash(dataset, column.name);
    if (clash) report([...path, 'columns', index, 'name'], clash);
  });
}

/**
 * Cross-section checks: replicated tables are declared datasets whose columns leave room for
 * the columns DMS and the catalog add and have types Athena reads, the project name makes
 * valid DMS identifiers, DMS and the setup functions reach Secrets Manager, and the DMS user is
 * not the MySQL master user.
 */
export function checkReplicationConfig(config: AppConfig, report: ReportIssue): void {
  const seen = new Set<string>();
  config.replication.tables.forEach((table, index) => {
    if (seen.has(table)) report(['replication', 'tables', index], `"${table}" is listed twice`);
    seen.add(table);
    if (!checkDatasetReference(config, table, ['replication', 'tables', index], report)) return;
    const dataset = datasetNamed(config.datasets, table);
    checkReplicatedDataset(dataset, ['datasets', config.datasets.indexOf(dataset)], report);
  });
  if (config.projectName.includes('--')) {
    report(
      ['projectName'],
      'names the DMS resources of the replication, whose identifiers must not contain "--"',
    );
  }
  const endpoints = new Set(config.replication.vpcEndpoints);
  if (endpoints.size < config.replication.vpcEndpoints.length) {
    report(['replication', 'vpcEndpoints'], 'lists an endpoint twice');
  }
  if (config.replication.engine.mode === 'serverless' && !endpoints.has('secretsmanager')) {
    report(
      ['replication', 'vpcEndpoints'],
      'DMS Serverless reaches Secrets Manager only through a VPC endpoint: add "secretsmanager"',
    );
  }
  if (
    endpoints.has('s3') &&
    config.network.mode === 'import' &&
    !config.network.privateSubnetRouteTableIds
  ) {
    report(
      ['replication', 'vpcEndpoints'],
      'an S3 gateway endpoint in an existing VPC needs its route tables: set network.privateSubnetRouteTableIds',
    );
  }
  if (
    config.network.mode === 'create' &&
    config.network.natGateways === 0 &&
    !endpoints.has('secretsmanager')
  ) {
    report(
      ['replication', 'vpcEndpoints'],
      'without NAT gateways (network.natGateways is 0), DMS and the setup functions reach Secrets Manager only through a VPC endpoint: add "secretsmanager"',
    );
  }
  const admin = config.sources.mysql.mode === 'create' ? config.sources.mysql.masterUsername : '';
  if (config.replication.dmsUser.username.toLowerCase() === admin.toLowerCase()) {
    report(
      ['replication', 'dmsUser', 'username'],
      `must differ from the MySQL master user "${admin}": DMS reads with its own, narrower user`,
    );
  }
}
