import { DMS_COLUMNS } from '../../replication/dms-columns';
import { datasetNamed } from '../dataset';
import type { ReportIssue } from '../issues';
import type { AppConfig } from '../schema';
import { checkDatasetReference } from './datasets';

const DMS_COLUMN_NAMES: ReadonlySet<string> = new Set(Object.values(DMS_COLUMNS));

/**
 * Cross-section checks: replicated tables are declared datasets whose columns leave room for
 * the columns DMS adds, DMS and the setup functions reach Secrets Manager, and the DMS user is
 * not the MySQL master user.
 */
export function checkReplicationConfig(config: AppConfig, report: ReportIssue): void {
  const seen = new Set<string>();
  config.replication.tables.forEach((table, index) => {
    if (seen.has(table)) report(['replication', 'tables', index], `"${table}" is listed twice`);
    seen.add(table);
    if (!checkDatasetReference(config, table, ['replication', 'tables', index], report)) return;
    const dataset = datasetNamed(config.datasets, table);
    const datasetIndex = config.datasets.indexOf(dataset);
    dataset.columns.forEach((column, columnIndex) => {
      if (DMS_COLUMN_NAMES.has(column.name)) {
        report(
          ['datasets', datasetIndex, 'columns', columnIndex, 'name'],
          `"${column.name}" is a column DMS adds to every replicated row; rename the column`,
        );
      }
    });
  });
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
