import { z } from 'zod';
import { s3Prefix, sqlIdentifier } from '../config/names';

export const amazonMlDatasourceSchema = z.strictObject({
  id: z
    .string()
    .regex(
      /^[a-zA-Z0-9_.-]{1,48}$/,
      'datasource ids are 1 to 48 letters, digits, "_", "." or "-" (a 16-character version suffix is appended)',
    )
    .meta({
      description:
        'Datasource id prefix, 1 to 48 letters, digits, `_`, `.` or `-`; a hash of the definition is appended, so that a change makes a new datasource.',
    }),
  name: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .meta({ description: 'A human-readable name shown in the Amazon ML console.' }),
  source: z
    .enum(['redshift', 'mysql'])
    .meta({ description: 'Which source database Amazon ML reads.' }),
  dataset: sqlIdentifier.meta({
    description: 'The dataset (see `datasets`) whose columns form the data schema.',
  }),
  columns: z.array(sqlIdentifier).min(1).optional().meta({
    description:
      'The columns to read, in order. Unset: every column of the dataset except its primary key (an identifier predicts nothing), unless the key is the `rowIdAttribute`.',
  }),
  selectSql: z.string().min(1).optional().meta({
    description:
      'The SELECT that Amazon ML runs; it must return `columns`. Unset: those columns, every row, shuffled (`ORDER BY random()` on Redshift, `ORDER BY rand()` on MySQL); synth warns about a query that does not shuffle.',
  }),
  stagingPrefix: s3Prefix.meta({
    description:
      'Prefix under the Amazon ML staging bucket where the export is written; Amazon ML reads everything under it, so the prefixes of two datasources must not overlap.',
  }),
  targetAttribute: sqlIdentifier.optional().meta({
    description: 'Attribute that the model predicts; one of the columns read.',
  }),
  rowIdAttribute: sqlIdentifier.optional().meta({
    description: 'Attribute that identifies a row in predictions; one of the columns read.',
  }),
  excludedAttributes: z
    .array(sqlIdentifier)
    .default([])
    .meta({ description: 'Columns read by the query but left out of the model.' }),
  computeStatistics: z
    .boolean()
    .default(true)
    .meta({ description: 'Compute statistics; required for datasources used to train a model.' }),
});
export type AmazonMlDatasourceConfig = z.infer<typeof amazonMlDatasourceSchema>;

export const amazonMlConfigSchema = z.strictObject({
  dataPipelineRoles: z.enum(['create', 'existing']).meta({
    description:
      '`existing` refers to the account-wide `DataPipelineDefaultRole` and `DataPipelineDefaultResourceRole` by name (accounts that used Data Pipeline have them); `create` makes them (which fails if the account has them).',
  }),
  datasources: z
    .array(amazonMlDatasourceSchema)
    .meta({ description: 'The Amazon ML datasources to create.' }),
});
export type AmazonMlConfig = z.infer<typeof amazonMlConfigSchema>;

export const DEFAULT_AMAZON_ML_CONFIG: z.input<typeof amazonMlConfigSchema> = {
  dataPipelineRoles: 'existing',
  datasources: [
    {
      id: 'banking-redshift',
      name: 'Banking from Redshift',
      source: 'redshift',
      dataset: 'banking',
      stagingPrefix: 'redshift/banking/',
      targetAttribute: 'y',
    },
    {
      id: 'banking-mysql',
      name: 'Banking from RDS MySQL',
      source: 'mysql',
      dataset: 'banking',
      stagingPrefix: 'rds/banking/',
      targetAttribute: 'y',
    },
  ],
};
