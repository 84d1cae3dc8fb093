import { DataSchema, attributesFromColumns } from '../../amazon-ml/data-schema';
import { datasetNamed } from '../dataset';
import type { ReportIssue } from '../issues';
import type { AppConfig } from '../schema';
import { checkDatasetReference } from './datasets';

/** The workgroup of the snapshot queries: the configured one, else `<projectName>-snapshots`. */
export function snapshotWorkgroupName(
  config: Pick<AppConfig, 'projectName' | 'snapshots'>,
): string {
  return config.snapshots.workgroupName ?? `${config.projectName}-snapshots`;
}

/**
 * Cross-section checks of the snapshots: unique names; a dataset that is declared and, for the
 * change history, replicated; a moment old enough that the history holds every change made
 * before it; a source that the configuration deploys; schema roles that are columns of the
 * dataset; Amazon ML datasources only where Amazon ML is on, with id prefixes that no other
 * datasource's grants cover.
 */
export function checkSnapshotsConfig(
  config: AppConfig,
  report: ReportIssue,
  now: number = Date.now(),
): void {
  const { snapshots } = config;
  const lagMs = snapshots.replicationLagMinutes * 60_000;
  if (
    snapshots.declared.some((snapshot) => snapshot.source === 'history') &&
    snapshots.replicationLagMinutes * 60 < config.replication.cdcMaxBatchIntervalSeconds
  ) {
    report(
      ['snapshots', 'replicationLagMinutes'],
      `must be at least replication.cdcMaxBatchIntervalSeconds (${config.replication.cdcMaxBatchIntervalSeconds} s): DMS holds changes that long before it writes them`,
    );
  }
  if (
    snapshots.declared.length > 0 &&
    snapshotWorkgroupName(config) === config.catalog.athena.workgroupName
  ) {
    report(
      ['snapshots', 'workgroupName'],
      'must differ from catalog.athena.workgroupName: every persona reads the results of that workgroup, and a snapshot query returns personal columns',
    );
  }

  const names = new Set<string>();
  const dataSourceIds = config.amazonMl.datasources.map((datasource) => ({
    id: datasource.id,
    where: `amazonMl.datasources`,
  }));
  snapshots.declared.forEach((snapshot, index) => {
    const path = ['snapshots', 'declared', index];
    if (names.has(snapshot.name))
      report([...path, 'name'], `snapshot "${snapshot.name}" is declared twice`);
    names.add(snapshot.name);

    if (snapshot.source === 'history') {
      if (!config.features.replication) {
        report([...path, 'source'], 'a snapshot of the change history needs features.replication');
      } else if (!config.replication.tables.includes(snapshot.dataset)) {
        report(
          [...path, 'dataset'],
          `"${snapshot.dataset}" has no change history: it is not in replication.tables`,
        );
      }
      const at = Date.parse(snapshot.at);
      if (at > now - lagMs) {
        report(
          [...path, 'at'],
          `must be at least snapshots.replicationLagMinutes (${snapshots.replicationLagMinutes}) in the past: changes committed before it may not be in the history yet`,
        );
      }
    } else {
      if (!config.features.amazonMl && !config.features.replication) {
        report(
          [...path, 'source'],
          'a Redshift snapshot needs the Redshift cluster, which deploys with features.amazonMl or features.replication',
        );
      }
      if (config.sources.redshift.mode === 'import' && !snapshots.redshiftUnloadRoleArn) {
        report(
          ['snapshots', 'redshiftUnloadRoleArn'],
          'a Redshift snapshot of an existing cluster needs a role associated with the cluster for UNLOAD to write with',
        );
      }
    }

    if (snapshot.amazonMlDatasource) {
      const id = snapshot.amazonMlDatasource.id;
      if (!config.features.amazonMl) {
        report([...path, 'amazonMlDatasource'], 'an Amazon ML datasource needs features.amazonMl');
      }
      const clash = dataSourceIds.find(
        (other) =>
          other.id === id || other.id.startsWith(`${id}-`) || id.startsWith(`${other.id}-`),
      );
      if (clash) {
        report(
          [...path, 'amazonMlDatasource', 'id'],
          `"${id}" overlaps the datasource id "${clash.id}" of ${clash.where}: each id prefix names the datasources its handler may manage`,
        );
      }
      dataSourceIds.push({ id, where: `snapshots.declared[${index}]` });
    }

    if (!checkDatasetReference(config, snapshot.dataset, [...path, 'dataset'], report)) return;
    const dataset = datasetNamed(config.datasets, snapshot.dataset);
    const schema = new DataSchema({
      attributes: attributesFromColumns(dataset.columns),
      targetAttribute: snapshot.targetAttribute,
      rowIdAttribute: snapshot.rowIdAttribute,
      excludedAttributes: snapshot.excludedAttributes,
    });
    for (const problem of schema.problems()) report(path, problem);
  });
}
