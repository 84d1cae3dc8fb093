import { z } from 'zod';
import { athenaWorkgroupName, glueName } from '../config/names';

/** A Glue crawler schedule: a cron expression in CloudWatch Events syntax. */
const crawlerSchedule = z
  .string()
  .regex(
    /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/,
    'must be a six-field cron expression such as cron(0 3 * * ? *)',
  );

export const catalogConfigSchema = z.strictObject({
  databaseName: glueName.meta({
    description: 'The Glue database that holds the tables of the change history.',
  }),
  crawlerSchedule: crawlerSchedule.meta({
    description: 'When the crawlers run, as a six-field cron expression.',
  }),
  discoveredTablePrefix: z
    .string()
    .regex(
      /^[a-z][a-z0-9_]{0,62}_$/,
      'must be lower-case letters, digits or underscores ending with "_"',
    )
    .meta({
      description:
        'Name prefix of the tables that the discovery crawler creates for data that no declared table reads.',
    }),
  athena: z.strictObject({
    workgroupName: athenaWorkgroupName.meta({
      description: 'The Athena workgroup, which enforces its settings on every query.',
    }),
    bytesScannedCutoffPerQuery: z
      .int()
      .min(10_000_000, 'Athena requires at least 10000000 bytes')
      .meta({
        description: 'Queries that would scan more than this many bytes are cancelled.',
      }),
  }),
});
export type CatalogConfig = z.infer<typeof catalogConfigSchema>;

export const DEFAULT_CATALOG_CONFIG: z.input<typeof catalogConfigSchema> = {
  databaseName: 'ml_foundation',
  crawlerSchedule: 'cron(0 3 * * ? *)',
  discoveredTablePrefix: 'discovered_',
  athena: {
    workgroupName: 'ml-foundation',
    bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
  },
};
