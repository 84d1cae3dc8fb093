import { redshiftPubliclyAccessible } from '../../sources/config';
import { redshiftTableBatch } from '../../sources/sample-data/redshift-table-batch';
import { checkDatasetSample, sampleFor } from '../../sources/sample-data/samples';
import { checkDatasetTable } from '../../sources/sample-data/table-ddl';
import type { DatasetConfig } from '../dataset';
import type { ReportIssue } from '../issues';
import type { AppConfig } from '../schema';

/**
 * Cross-section checks of the source databases, which exist when Amazon ML or replication is
 * on: every dataset's table can be created in the databases the app creates (and the sample
 * loaded, where it is), Amazon ML can reach a Redshift cluster it reads, and the reader users
 * are users of their own.
 */
export function checkSourcesConfig(config: AppConfig, report: ReportIssue): void {
  if (!config.features.amazonMl && !config.features.replication) return;
  checkTables(config, report);
  checkRedshiftReach(config, report);
  checkUsers(config, report);
}

const batchProblems = new Map<string, string | undefined>();

/** Why the dataset's Redshift load does not fit one Data API batch, computed once per dataset. */
function redshiftBatchProblem(dataset: DatasetConfig): string | undefined {
  const key = JSON.stringify(dataset);
  if (!batchProblems.has(key)) {
    try {
      redshiftTableBatch(dataset, { sample: sampleFor(dataset) });
      batchProblems.set(key, undefined);
    } catch (error) {
      batchProblems.set(key, (error as Error).message);
    }
  }
  return batchProblems.get(key);
}

function checkTables(config: AppConfig, report: ReportIssue): void {
  const { redshift, mysql } = config.sources;
  if (redshift.mode !== 'create' && mysql.mode !== 'create') return;
  const loadsSample =
    (redshift.mode === 'create' && redshift.sampleData) ||
    (mysql.mode === 'create' && mysql.sampleData);
  config.datasets.forEach((dataset, index) => {
    const path = ['datasets', index];
    let problems = 0;
    checkDatasetTable(dataset, path, (where, message) => {
      problems++;
      report(where, message);
    });
    if (!loadsSample || problems > 0) return;
    checkDatasetSample(dataset, path, (where, message) => {
      problems++;
      report(where, message);
    });
    if (problems > 0 || redshift.mode !== 'create' || !redshift.sampleData) return;
    const batchProblem = redshiftBatchProblem(dataset);
    if (batchProblem) report(path, batchProblem);
  });

  if (
    mysql.mode === 'create' &&
    config.network.mode === 'create' &&
    config.network.natGateways === 0
  ) {
    report(
      ['network', 'natGateways'],
      'the function that creates the dataset tables in the created MySQL instance reads its admin secret from Secrets Manager through a NAT gateway: set network.natGateways to at least 1',
    );
  }
}

/**
 * Amazon ML connects to Redshift "from the list of IP addresses (CIDRs) associated with Amazon
 * ML" (Amazon ML Developer Guide, "Creating an Amazon ML Amazon Redshift IAM Role"): a created
 * cluster that a datasource reads needs a public endpoint, which needs public subnets.
 */
function checkRedshiftReach(config: AppConfig, report: ReportIssue): void {
  const { redshift } = config.sources;
  if (redshift.mode !== 'create') return;
  const readers = config.features.amazonMl
    ? config.amazonMl.datasources
        .map((datasource, index) => ({ datasource, index }))
        .filter(({ datasource }) => datasource.source === 'redshift')
    : [];
  if (readers.length > 0 && redshift.publiclyAccessible === false) {
    const paths = readers.map(({ index }) => `amazonMl.datasources[${index}]`).join(', ');
    report(
      ['sources', 'redshift', 'publiclyAccessible'],
      `is false, but ${paths} read${readers.length === 1 ? 's' : ''} Redshift, and Amazon ML connects to a cluster from its own address ranges: leave it unset (or true) for a public endpoint that admits only Amazon ML and requires TLS, or read the dataset from MySQL`,
    );
  }
  if (!redshiftPubliclyAccessible(redshift, readers.length > 0)) return;
  if (config.network.mode === 'import') {
    report(
      ['sources', 'redshift', 'publiclyAccessible'],
      'a public cluster needs public subnets, and an imported network provides private subnets only: create the cluster in a network the app creates, or import an existing cluster',
    );
  } else if (config.network.natGateways === 0) {
    report(
      ['network', 'natGateways'],
      'the public Redshift cluster needs the public subnets, which the VPC has only with NAT gateways: set network.natGateways to at least 1',
    );
  }
}

function checkUsers(config: AppConfig, report: ReportIssue): void {
  for (const source of ['redshift', 'mysql'] as const) {
    const database = config.sources[source];
    const reader = database.readerUsername;
    if (database.mode === 'create' && reader === database.masterUsername.toLowerCase()) {
      report(
        ['sources', source, 'readerUsername'],
        `must differ from the master user "${database.masterUsername}": Amazon ML reads with its own, narrower user`,
      );
    }
  }
  if (
    config.features.replication &&
    config.sources.mysql.readerUsername === config.replication.dmsUser.username.toLowerCase()
  ) {
    report(
      ['sources', 'mysql', 'readerUsername'],
      `must differ from the DMS user "${config.replication.dmsUser.username}": each client has its own user`,
    );
  }
}
