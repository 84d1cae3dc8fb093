import { z } from 'zod';
import { amazonMlConfigSchema } from '../amazon-ml/config';
import { catalogConfigSchema } from '../catalog/config';
import { edgeConfigSchema } from '../edge/config';
import { governanceConfigSchema } from '../governance/config';
import { replicationConfigSchema } from '../replication/config';
import { snapshotsConfigSchema } from '../snapshots/config';
import { networkConfigSchema, sourcesConfigSchema } from '../sources/config';
import { storageConfigSchema } from '../storage/config';
import { datasetSchema } from './dataset';
import { resourcePrefix, tagKey, tagValue } from './names';

export const featuresSchema = z.strictObject({
  amazonMl: z.boolean().meta({
    description:
      'Amazon ML datasources read from Redshift and RDS for MySQL (Amazon ML is closed to new AWS customers).',
  }),
  replication: z.boolean().meta({
    description:
      'DMS change capture from MySQL into the data lake, with its Glue catalog and Athena workgroup.',
  }),
  governance: z.boolean().meta({
    description: 'Lake Formation governance of the catalog; needs `features.replication`.',
  }),
  edge: z.boolean().meta({
    description:
      'A Lookout for Vision model deployed to Greengrass devices (Lookout for Vision is closed to new AWS customers).',
  }),
});
export type Features = z.infer<typeof featuresSchema>;

/**
 * The structure of the whole configuration, section by section. The checks that relate one
 * section to another are in `cross-checks.ts`.
 */
export const appConfigSchema = z.strictObject({
  projectName: resourcePrefix.meta({
    description:
      'Prefix of stack names and of the names of account-visible resources: 3 to 20 lower-case letters, digits or hyphens, starting with a letter.',
  }),
  features: featuresSchema,
  tags: z.record(tagKey, tagValue).meta({ description: 'Tags on every taggable resource.' }),
  storage: storageConfigSchema,
  network: networkConfigSchema,
  sources: sourcesConfigSchema,
  datasets: z.array(datasetSchema).min(1).meta({
    description:
      'Source tables, shared by Amazon ML, replication and the catalog: one description feeds the Amazon ML data schema, the DMS table mapping and the Glue table.',
  }),
  amazonMl: amazonMlConfigSchema,
  replication: replicationConfigSchema,
  catalog: catalogConfigSchema,
  governance: governanceConfigSchema,
  edge: edgeConfigSchema,
  snapshots: snapshotsConfigSchema,
});

/** The validated configuration of the whole app. */
export type AppConfig = z.infer<typeof appConfigSchema>;
/** The configuration as a user writes it: optional fields may be left out. */
export type AppConfigInput = z.input<typeof appConfigSchema>;
