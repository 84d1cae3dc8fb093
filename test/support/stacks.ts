import type { App } from 'aws-cdk-lib';
import { catalogAccessOf } from '../../lib/app';
import { CatalogStack } from '../../lib/catalog/catalog-stack';
import type { DatasetConfig } from '../../lib/config/dataset';
import { datasetNamed } from '../../lib/config/dataset';
import type { AppConfig } from '../../lib/config/schema';
import { removalPolicyOf } from '../../lib/shared/removal-policy';
import { StorageStack } from '../../lib/storage/storage-stack';
import type { StorageResources } from '../../lib/storage/storage-resources';

/**
 * Single stacks wired from a configuration as `lib/app.ts` wires them, for fixtures that stand
 * in for the stacks around them.
 */

/** The storage stack of `config`. */
export function storageStackOf(app: App, config: AppConfig): StorageStack {
  return new StorageStack(app, 'Storage', {
    projectName: config.projectName,
    removalPolicy: removalPolicyOf(config.storage.removalPolicy),
    storage: config.storage,
  });
}

/** The datasets that `replication.tables` names, in its order. */
export function replicatedDatasetsOf(config: AppConfig): DatasetConfig[] {
  return config.replication.tables.map((table) => datasetNamed(config.datasets, table));
}

/** The catalog stack of `config`, over `storage`. */
export function catalogStackOf(
  app: App,
  config: AppConfig,
  storage: StorageResources,
): CatalogStack {
  return new CatalogStack(app, 'Catalog', {
    projectName: config.projectName,
    catalog: config.catalog,
    datasets: replicatedDatasetsOf(config),
    changeDataPrefix: config.replication.bucketFolder,
    replicationGeneration: config.replication.generation,
    access: catalogAccessOf(config, replicatedDatasetsOf(config)),
    removalPolicy: removalPolicyOf(config.storage.removalPolicy),
    storage,
  });
}
