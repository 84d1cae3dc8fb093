import { z } from 'zod';
import { amazonMlConfigSchema, checkAmazonMlConfig } from '../amazon-ml/config';
import { catalogConfigSchema } from '../catalog/config';
import { checkEdgeConfig, edgeConfigSchema } from '../edge/config';
import { checkGovernanceConfig, governanceConfigSchema } from '../governance/config';
import { checkReplicationConfig, replicationConfigSchema } from '../replication/config';
import { networkConfigSchema, sourcesConfigSchema } from '../sources/config';
import { storageConfigSchema } from '../storage/config';
import { datasetSchema } from './dataset';
import type { ReportIssue } from './issues';
import { reporterFor } from './issues';
import { resourcePrefix, tagKey, tagValue } from './names';

export const featuresSchema = z.strictObject({
  /** Amazon ML datasources from Redshift and RDS MySQL (closed to new AWS customers). */
  amazonMl: z.boolean(),
  /** DMS change capture into the data lake, with its Glue catalog and Athena workgroup. */
  replication: z.boolean(),
  /** Lake Formation governance over the catalog. */
  governance: z.boolean(),
  /** Lookout for Vision model deployed with Greengrass v2 (closed to new AWS customers). */
  edge: z.boolean(),
});
export type Features = z.infer<typeof featuresSchema>;

function checkDatasets(config: AppConfig, report: ReportIssue): void {
  const names = new Set<string>();
  config.datasets.forEach((dataset, index) => {
    if (names.has(dataset.name))
      report(['datasets', index, 'name'], `dataset "${dataset.name}" is declared twice`);
    names.add(dataset.name);
  });
}

/**
 * Checks that relate one section of the configuration to another. A capability's checks run
 * only when it is switched on, so that a section an account cannot use does not block the rest.
 */
const CROSS_CHECKS: ReadonlyArray<(config: AppConfig, report: ReportIssue) => void> = [
  checkDatasets,
  (config, report) => config.features.amazonMl && checkAmazonMlConfig(config, report),
  (config, report) => config.features.replication && checkReplicationConfig(config, report),
  checkGovernanceConfig,
  (config, report) => config.features.edge && checkEdgeConfig(config, report),
];

export const appConfigSchema = z
  .strictObject({
    /** Prefix of stack names and of the names of account-visible resources. */
    projectName: resourcePrefix,
    /** Which capabilities to deploy. */
    features: featuresSchema,
    /** Tags applied to every taggable resource. */
    tags: z.record(tagKey, tagValue),
    storage: storageConfigSchema,
    network: networkConfigSchema,
    sources: sourcesConfigSchema,
    /** Source tables, shared by Amazon ML, replication and the catalog. */
    datasets: z.array(datasetSchema).min(1),
    amazonMl: amazonMlConfigSchema,
    replication: replicationConfigSchema,
    catalog: catalogConfigSchema,
    governance: governanceConfigSchema,
    edge: edgeConfigSchema,
  })
  .superRefine(
    (config, ctx) => {
      const report = reporterFor(ctx);
      for (const check of CROSS_CHECKS) {
        // Runs even when other parts are malformed, so that every problem is reported at once;
        // a check that trips over a malformed part has nothing reliable to add.
        try {
          check(config, report);
        } catch {
          continue;
        }
      }
    },
    { when: () => true },
  );

/** The validated configuration of the whole app. */
export type AppConfig = z.infer<typeof appConfigSchema>;
/** The configuration as a user writes it: optional fields may be left out. */
export type AppConfigInput = z.input<typeof appConfigSchema>;
