import { z } from 'zod';
import { mysqlDatabaseName, sqlIdentifier } from './names';

/**
 * A dataset is one source table that the app reads: its columns and their SQL types are the
 * single description from which the Amazon ML data schema, the DMS table mapping and the Glue
 * table are all derived.
 */

/** The SQL types a dataset column may have, common to MySQL and Redshift. */
const COLUMN_TYPE =
  /^(tinyint|smallint|int|integer|bigint|boolean|bool|float|real|double|date|datetime|timestamp|text|(decimal|numeric)\(\d{1,2},\d{1,2}\)|(char|varchar)\(\d{1,5}\))$/;

/** The attribute types of an Amazon ML data schema. */
export const mlAttributeType = z.enum(['NUMERIC', 'CATEGORICAL', 'TEXT', 'BINARY']);
export type MlAttributeType = z.infer<typeof mlAttributeType>;

export const columnSchema = z.strictObject({
  name: sqlIdentifier.meta({ description: 'Column name, lower case.' }),
  type: z
    .string()
    .transform((type) => type.replace(/\s+/g, '').toLowerCase())
    .pipe(
      z
        .string()
        .regex(
          COLUMN_TYPE,
          'must be one of tinyint, smallint, int, bigint, boolean, float, real, double, decimal(p,s), numeric(p,s), char(n), varchar(n), text, date, datetime, timestamp',
        ),
    )
    .meta({
      description:
        'SQL type, common to MySQL and Redshift: `tinyint`, `smallint`, `int`, `bigint`, `boolean`, `float`, `real`, `double`, `decimal(p,s)`, `numeric(p,s)`, `char(n)`, `varchar(n)`, `text`, `date`, `datetime` or `timestamp`.',
    }),
  mlType: mlAttributeType.optional().meta({
    description: 'Amazon ML attribute type, when the one derived from the SQL type is not wanted.',
  }),
});
export type ColumnConfig = z.infer<typeof columnSchema>;

export const datasetSchema = z
  .strictObject({
    name: sqlIdentifier.meta({
      description: 'Table name, the same in MySQL, Redshift and the Glue catalog.',
    }),
    mysqlDatabase: mysqlDatabaseName.meta({
      description: 'The MySQL database (schema) that holds the table.',
    }),
    redshiftSchema: sqlIdentifier
      .default('public')
      .meta({ description: 'The Redshift schema that holds the table.' }),
    primaryKey: z
      .array(sqlIdentifier)
      .min(1, 'a dataset needs at least one primary key column')
      .meta({
        description:
          'Columns that identify a row; the catalog reconstructs the table at a point in time by them.',
      }),
    columns: z
      .array(columnSchema)
      .min(1, 'a dataset needs at least one column')
      .meta({ description: 'All columns of the table, in order.' }),
  })
  .superRefine((dataset, ctx) => {
    const seen = new Set<string>();
    dataset.columns.forEach((column, index) => {
      if (seen.has(column.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', index, 'name'],
          message: `column "${column.name}" is declared twice`,
        });
      }
      seen.add(column.name);
    });
    dataset.primaryKey.forEach((key, index) => {
      if (!seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['primaryKey', index],
          message: `primary key column "${key}" is not one of the dataset's columns`,
        });
      }
    });
  });
export type DatasetConfig = z.infer<typeof datasetSchema>;

/**
 * The declared dataset called `name`. Validation guarantees that every name the configuration
 * refers to is declared (see `lib/config/checks/`), so a miss is a defect, reported as one.
 */
export function datasetNamed(datasets: readonly DatasetConfig[], name: string): DatasetConfig {
  const dataset = datasets.find((candidate) => candidate.name === name);
  if (!dataset) {
    const declared = datasets.map((candidate) => candidate.name).join(', ') || 'none';
    throw new Error(`dataset "${name}" is not declared in datasets (declared: ${declared})`);
  }
  return dataset;
}

const categorical = (name: string): ColumnConfig => ({
  name,
  type: 'varchar(32)',
  mlType: 'CATEGORICAL',
});

/**
 * The `banking` table of the Amazon ML tutorials (bank marketing data), with a surrogate
 * primary key `id` so that its change history can be replayed.
 */
export const BANKING_DATASET: z.input<typeof datasetSchema> = {
  name: 'banking',
  mysqlDatabase: 'banking',
  redshiftSchema: 'public',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'age', type: 'int' },
    categorical('job'),
    categorical('marital'),
    categorical('education'),
    categorical('default'),
    categorical('housing'),
    categorical('loan'),
    categorical('contact'),
    categorical('month'),
    categorical('day_of_week'),
    { name: 'duration', type: 'int' },
    { name: 'campaign', type: 'int' },
    { name: 'pdays', type: 'int' },
    { name: 'previous', type: 'int' },
    categorical('poutcome'),
    { name: 'emp_var_rate', type: 'decimal(4,1)' },
    { name: 'cons_price_idx', type: 'decimal(6,3)' },
    { name: 'cons_conf_idx', type: 'decimal(4,1)' },
    { name: 'euribor3m', type: 'decimal(5,3)' },
    { name: 'nr_employed', type: 'decimal(6,1)' },
    { name: 'y', type: 'boolean' },
  ],
};
