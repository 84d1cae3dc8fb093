import { z } from 'zod';
import type { ColumnConfig, DatasetConfig } from '../config/dataset';
import type { AppConfig } from '../config/schema';
import type { ReportIssue } from '../config/issues';
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

/** The columns of `dataset` that `datasource` reads, in order. */
export function datasourceColumns(
  datasource: Pick<AmazonMlDatasourceConfig, 'columns' | 'rowIdAttribute'>,
  dataset: DatasetConfig,
): ColumnConfig[] {
  if (datasource.columns) {
    return datasource.columns.flatMap((name) => {
      const column = dataset.columns.find((candidate) => candidate.name === name);
      return column ? [column] : [];
    });
  }
  return dataset.columns.filter(
    (column) =>
      !dataset.primaryKey.includes(column.name) || column.name === datasource.rowIdAttribute,
  );
}

/**
 * Cross-section checks: every datasource names a declared dataset and columns of it, staging
 * prefixes do not overlap (Amazon ML reads everything under a datasource's location), and
 * RDS datasources have a network route for their Data Pipeline instances.
 */
export function checkAmazonMlConfig(config: AppConfig, report: ReportIssue): void {
  const ids = new Set<string>();
  const prefixes: Array<{ prefix: string; index: number }> = [];
  config.amazonMl.datasources.forEach((datasource, index) => {
    const path = ['amazonMl', 'datasources', index];
    if (ids.has(datasource.id))
      report([...path, 'id'], `datasource id "${datasource.id}" is used twice`);
    ids.add(datasource.id);

    for (const other of prefixes) {
      if (
        datasource.stagingPrefix.startsWith(other.prefix) ||
        other.prefix.startsWith(datasource.stagingPrefix)
      ) {
        report(
          [...path, 'stagingPrefix'],
          `"${datasource.stagingPrefix}" overlaps the staging prefix "${other.prefix}" of datasources[${other.index}]`,
        );
      }
    }
    prefixes.push({ prefix: datasource.stagingPrefix, index });

    if (
      datasource.source === 'mysql' &&
      config.network.mode === 'create' &&
      config.network.natGateways === 0
    ) {
      report(
        [...path, 'source'],
        'RDS datasources run an AWS Data Pipeline instance that needs a route to AWS APIs: set network.natGateways to at least 1',
      );
    }

    const dataset = config.datasets.find((candidate) => candidate.name === datasource.dataset);
    if (!dataset) {
      report([...path, 'dataset'], `dataset "${datasource.dataset}" is not declared in datasets`);
      return;
    }
    const declared = new Set(dataset.columns.map((column) => column.name));
    (datasource.columns ?? []).forEach((column, columnIndex) => {
      if (!declared.has(column)) {
        report(
          [...path, 'columns', columnIndex],
          `column "${column}" is not a column of dataset "${dataset.name}"`,
        );
      }
    });
    const read = new Set(datasourceColumns(datasource, dataset).map((column) => column.name));
    const mustBeRead = (where: PropertyKey[], role: string, name: string | undefined) => {
      if (name !== undefined && !read.has(name)) {
        report(
          [...path, ...where],
          `the ${role} "${name}" is not one of the columns read (${[...read].join(', ')})`,
        );
      }
    };
    mustBeRead(['targetAttribute'], 'target attribute', datasource.targetAttribute);
    mustBeRead(['rowIdAttribute'], 'row id attribute', datasource.rowIdAttribute);
    datasource.excludedAttributes.forEach((name, excludedIndex) =>
      mustBeRead(['excludedAttributes', excludedIndex], 'excluded attribute', name),
    );
  });
}
