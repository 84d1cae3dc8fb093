import { z } from 'zod';
import type { AppConfig } from '../config/schema';
import type { ReportIssue } from '../config/issues';
import { s3Prefix, sqlIdentifier } from '../config/names';

export const replicationConfigSchema = z.strictObject({
  /** `instance` runs a provisioned replication instance; `serverless` uses DMS Serverless. */
  engine: z.enum(['instance', 'serverless']),
  /** Replication instance class, for `engine: instance`. */
  instanceClass: z.string().regex(/^dms\.[a-z0-9]+\.[a-z0-9]+$/, 'must look like dms.t3.medium'),
  /** Storage of the replication instance, in GiB. */
  allocatedStorageGiB: z.int().min(5).max(6144),
  /** Capacity range for `engine: serverless`, in DMS capacity units. */
  serverlessCapacity: z.strictObject({
    min: z.int().min(1).max(384),
    max: z.int().min(1).max(384),
  }),
  /**
   * `create` makes the account-wide `dms-vpc-role` and `dms-cloudwatch-logs-role`;
   * `existing` refers to them (creating a role that exists fails).
   */
  dmsRoles: z.enum(['create', 'existing']),
  /** Datasets (see `datasets`) whose MySQL tables are replicated. */
  tables: z.array(sqlIdentifier).min(1, 'replicate at least one dataset'),
  /** Prefix under the data lake bucket that DMS writes to. */
  bucketFolder: s3Prefix,
  /** Longest time DMS holds changes before writing a file, in seconds. */
  cdcMaxBatchIntervalSeconds: z.int().min(1).max(86_400),
  /** Smallest file DMS writes when the interval has not passed, in KB. */
  cdcMinFileSizeKb: z.int().min(1).max(1_048_576),
  /** Hours that MySQL keeps binary logs; DMS needs them to survive interruptions. */
  binlogRetentionHours: z.int().min(1).max(168),
  /** Start the replication task once it is created (and stop it before it is deleted). */
  startTask: z.boolean(),
});
export type ReplicationConfig = z.infer<typeof replicationConfigSchema>;

export const DEFAULT_REPLICATION_CONFIG: z.input<typeof replicationConfigSchema> = {
  engine: 'instance',
  instanceClass: 'dms.t3.medium',
  allocatedStorageGiB: 50,
  serverlessCapacity: { min: 1, max: 4 },
  dmsRoles: 'create',
  tables: ['banking'],
  bucketFolder: 'cdc/',
  cdcMaxBatchIntervalSeconds: 300,
  cdcMinFileSizeKb: 64_000,
  binlogRetentionHours: 24,
  startTask: true,
};

/** Cross-section checks: replicated tables are declared datasets. */
export function checkReplicationConfig(config: AppConfig, report: ReportIssue): void {
  config.replication.tables.forEach((table, index) => {
    if (!config.datasets.some((dataset) => dataset.name === table)) {
      report(['replication', 'tables', index], `dataset "${table}" is not declared in datasets`);
    }
  });
  const { min, max } = config.replication.serverlessCapacity;
  if (min > max)
    report(['replication', 'serverlessCapacity'], `min (${min}) is greater than max (${max})`);
}
