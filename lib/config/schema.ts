import { z } from 'zod';
import { amazonMlConfigSchema } from '../amazon-ml/config';
import { catalogConfigSchema } from '../catalog/config';
import { edgeConfigSchema } from '../edge/config';
import { governanceConfigSchema } from '../governance/config';
import { replicationConfigSchema } from '../replication/config';
import { networkConfigSchema, sourcesConfigSchema } from '../sources/config';
import { storageConfigSchema } from '../storage/config';
import { datasetSchema } from './dataset';
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

/**
 * The structure of the whole configuration, section by section. The checks that relate one
 * section to another are in `cross-checks.ts`.
 */
export const appConfigSchema = z.strictObject({
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
});

/** The validated configuration of the whole app. */
export type AppConfig = z.infer<typeof appConfigSchema>;
/** The configuration as a user writes it: optional fields may be left out. */
export type AppConfigInput = z.input<typeof appConfigSchema>;
