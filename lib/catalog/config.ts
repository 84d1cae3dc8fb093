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
  /** The Glue database that holds the replicated tables. */
  databaseName: glueName,
  /** When the crawlers run. */
  crawlerSchedule,
  /** Name prefix of the tables the discovery crawler creates for data no table declares. */
  discoveredTablePrefix: z
    .string()
    .regex(
      /^[a-z][a-z0-9_]{0,62}_$/,
      'must be lower-case letters, digits or underscores ending with "_"',
    ),
  athena: z.strictObject({
    workgroupName: athenaWorkgroupName,
    /** Queries that would scan more than this many bytes are cancelled (at least 10 MB). */
    bytesScannedCutoffPerQuery: z.int().min(10_000_000, 'Athena requires at least 10000000 bytes'),
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
