import { z } from 'zod';
import { s3Prefix, sqlIdentifier } from '../config/names';

export const amazonMlDatasourceSchema = z.strictObject({
  /** The Amazon ML datasource id prefix (1-48 of [a-zA-Z0-9_.-]). A version suffix is appended so that a change creates a new datasource. */
  id: z
    .string()
    .regex(
      /^[a-zA-Z0-9_.-]{1,48}$/,
      'datasource ids are 1 to 48 letters, digits, "_", "." or "-" (a 16-character version suffix is appended)',
    ),
  /** A human-readable name shown in the Amazon ML console. */
  name: z.string().min(1).max(1024).optional(),
  /** Which source database Amazon ML reads. */
  source: z.enum(['redshift', 'mysql']),
  /** The dataset (see `datasets`) whose columns form the data schema. */
  dataset: sqlIdentifier,
  /**
   * The columns to read, in order. Unset: every column of the dataset except its primary key
   * (an identifier predicts nothing), unless the key is the `rowIdAttribute`.
   */
  columns: z.array(sqlIdentifier).min(1).optional(),
  /**
   * The SELECT that Amazon ML runs; it must return `columns`. Unset: those columns, every
   * row, shuffled (`ORDER BY random()` on Redshift, `ORDER BY rand()` on MySQL).
   */
  selectSql: z.string().min(1).optional(),
  /** Prefix under the Amazon ML staging bucket where the export is written. */
  stagingPrefix: s3Prefix,
  /** Attribute that the model predicts; must be one of the columns read. */
  targetAttribute: sqlIdentifier.optional(),
  /** Attribute that identifies a row in predictions; must be one of the columns read. */
  rowIdAttribute: sqlIdentifier.optional(),
  /** Columns read by the query but left out of the model. */
  excludedAttributes: z.array(sqlIdentifier).default([]),
  /** Compute statistics; required for datasources used to train a model. */
  computeStatistics: z.boolean().default(true),
});
export type AmazonMlDatasourceConfig = z.infer<typeof amazonMlDatasourceSchema>;

export const amazonMlConfigSchema = z.strictObject({
  /**
   * `create` makes the account-wide `DataPipelineDefaultRole` and `DataPipelineDefaultResourceRole`;
   * `existing` refers to them by name (accounts that already used Data Pipeline have them).
   */
  dataPipelineRoles: z.enum(['create', 'existing']),
  /** The datasources to create. */
  datasources: z.array(amazonMlDatasourceSchema),
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
