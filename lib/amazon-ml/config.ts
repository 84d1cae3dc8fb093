import { z } from 'zod';
import { s3Prefix, sqlIdentifier } from '../config/names';

const datasourceId = z
  .string()
  .regex(
    /^[a-zA-Z0-9_.-]{1,48}$/,
    'datasource ids are 1 to 48 letters, digits, "_", "." or "-" (a 16-character version suffix is appended)',
  )
  .meta({
    description:
      'Datasource id prefix, 1 to 48 letters, digits, `_`, `.` or `-`; a hash of the definition is appended, so that a change makes a new datasource.',
  });

const datasourceName = z
  .string()
  .min(1)
  .max(1024)
  .optional()
  .meta({ description: 'A human-readable name shown in the Amazon ML console.' });

const computeStatistics = z
  .boolean()
  .default(true)
  .meta({ description: 'Compute statistics; required for datasources used to train a model.' });

const percent = (description: string) => z.int().min(0).max(100).meta({ description });

/** Amazon ML's `DataRearrangement` splitting: which share of the rows a datasource reads. */
export const dataRearrangementSchema = z
  .strictObject({
    percentBegin: percent('Where the share of the rows this datasource reads begins, in percent.'),
    percentEnd: percent('Where that share ends, in percent; greater than `percentBegin`.'),
    strategy: z.enum(['sequential', 'random']).default('sequential').meta({
      description:
        '`sequential` takes the rows in the order the export holds them; `random` assigns rows by a seeded pseudo-random number.',
    }),
    randomSeed: z.string().min(1).optional().meta({
      description:
        'The seed of a `random` split, any text. Unset: the datasource id, so that the split is the same on every deployment.',
    }),
  })
  .superRefine((split, ctx) => {
    if (split.percentBegin >= split.percentEnd) {
      ctx.addIssue({
        code: 'custom',
        path: ['percentEnd'],
        message: `percentEnd (${split.percentEnd}) must be greater than percentBegin (${split.percentBegin})`,
      });
    }
    if (split.randomSeed !== undefined && split.strategy !== 'random') {
      ctx.addIssue({
        code: 'custom',
        path: ['randomSeed'],
        message: 'a randomSeed needs strategy "random"',
      });
    }
  });
export type DataRearrangementConfig = z.infer<typeof dataRearrangementSchema>;

export const amazonMlDatasourceSchema = z.strictObject({
  id: datasourceId,
  name: datasourceName,
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
  computeStatistics,
  dataRearrangement: dataRearrangementSchema.optional().meta({
    description:
      'Read only a share of the rows, as a training datasource does; `complements` then names it for the evaluation datasource of the other rows. Unset: every row.',
  }),
  dataFileContainsHeader: z.boolean().default(false).meta({
    description:
      "Whether the export Amazon ML writes starts with a line of column names. Amazon ML's documentation does not say; each deployment reads the first staged line and fails, naming this setting, when it disagrees.",
  }),
});
export type AmazonMlDatasourceConfig = z.infer<typeof amazonMlDatasourceSchema>;

/** A datasource of the rows that a split datasource leaves out, read from its staged export. */
export const amazonMlComplementSchema = z.strictObject({
  id: datasourceId,
  name: datasourceName,
  complementOf: z.string().min(1).meta({
    description:
      'The id of the datasource (in `datasources`, with a `dataRearrangement`) whose other rows this datasource reads, from the very export that datasource staged, so that no row is in both.',
  }),
  computeStatistics,
});
export type AmazonMlComplementConfig = z.infer<typeof amazonMlComplementSchema>;

export const amazonMlConfigSchema = z.strictObject({
  dataPipelineRoles: z.enum(['dedicated', 'existing']).meta({
    description:
      '`dedicated` creates the two roles of the Data Pipeline that Amazon ML runs for RDS datasources, with generated names, allowed only what these datasources need; `existing` uses the account-wide `DataPipelineDefaultRole` and `DataPipelineDefaultResourceRole`, which only accounts that used Data Pipeline have (a synth with credentials checks that they exist).',
  }),
  datasources: z
    .array(amazonMlDatasourceSchema)
    .meta({ description: 'The Amazon ML datasources to create, each read from a database.' }),
  complements: z.array(amazonMlComplementSchema).default([]).meta({
    description:
      'Datasources of the rows that a split datasource leaves out, such as the evaluation datasource of a 70 % training datasource.',
  }),
});
export type AmazonMlConfig = z.infer<typeof amazonMlConfigSchema>;

export const DEFAULT_AMAZON_ML_CONFIG: z.input<typeof amazonMlConfigSchema> = {
  dataPipelineRoles: 'dedicated',
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
