import { z } from 'zod';
import { exclusiveModes } from '../config/modes';
import { databaseUsername, s3Prefix, sqlIdentifier } from '../config/names';

/** The capacities that DMS Serverless accepts, in DMS capacity units (DCU). */
export const SERVERLESS_CAPACITY_UNITS = [1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384] as const;

const capacityUnits = z
  .int()
  .refine(
    (units) => (SERVERLESS_CAPACITY_UNITS as readonly number[]).includes(units),
    `must be one of ${SERVERLESS_CAPACITY_UNITS.join(', ')}`,
  );

const instanceEngine = z.strictObject({
  /** A provisioned replication instance runs the replication task. */
  mode: z.literal('instance'),
  /** Replication instance class. */
  instanceClass: z.string().regex(/^dms\.[a-z0-9]+\.[a-z0-9]+$/, 'must look like dms.t3.medium'),
  /** Storage of the replication instance, in GiB. */
  allocatedStorageGiB: z.int().min(5).max(6144),
  /** Run the replication instance in two availability zones. */
  multiAz: z.boolean(),
});

const serverlessEngine = z.strictObject({
  /** DMS Serverless runs the replication, scaling within `capacity`. */
  mode: z.literal('serverless'),
  /** Capacity range, in DMS capacity units. */
  capacity: z
    .strictObject({ min: capacityUnits, max: capacityUnits })
    .superRefine(({ min, max }, ctx) => {
      if (min > max)
        ctx.addIssue({ code: 'custom', message: `min (${min}) is greater than max (${max})` });
    })
    .default({ min: 1, max: 4 }),
  /** Run the serverless capacity in two availability zones. */
  multiAz: z.boolean(),
});

/** What runs the replication: a replication instance, or DMS Serverless. */
export const replicationEngineSchema = exclusiveModes([instanceEngine, serverlessEngine]);
export type ReplicationEngineConfig = z.infer<typeof replicationEngineSchema>;

export const replicationConfigSchema = z.strictObject({
  engine: replicationEngineSchema,
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
  /** The MySQL user that DMS reads as; the app creates it with only the grants change capture needs. */
  dmsUser: z.strictObject({
    username: databaseUsername,
    /** Days between two rotations of its password. */
    passwordRotationDays: z.int().min(1).max(365),
  }),
  /**
   * VPC endpoints this stack creates in the VPC. DMS Serverless reaches Secrets Manager and S3
   * only through endpoints; so do DMS and the setup functions in subnets without NAT. The
   * app's own VPC has an S3 gateway endpoint already; add `s3` only for an imported VPC that
   * has none (a second gateway endpoint on the same route tables fails).
   */
  vpcEndpoints: z.array(z.enum(['s3', 'secretsmanager'])),
  /**
   * Start the replication once it is created, resume it after each change, and stop it before
   * it is deleted. Either way, a running replication is stopped before CloudFormation modifies
   * it (DMS refuses to modify one that runs); with `false`, start or resume it yourself.
   */
  startTask: z.boolean(),
});
export type ReplicationConfig = z.infer<typeof replicationConfigSchema>;

export const DEFAULT_REPLICATION_CONFIG: z.input<typeof replicationConfigSchema> = {
  engine: {
    mode: 'instance',
    instanceClass: 'dms.t3.medium',
    allocatedStorageGiB: 50,
    multiAz: false,
  },
  dmsRoles: 'create',
  tables: ['banking'],
  bucketFolder: 'cdc/',
  cdcMaxBatchIntervalSeconds: 300,
  cdcMinFileSizeKb: 64_000,
  binlogRetentionHours: 24,
  dmsUser: { username: 'dms_cdc', passwordRotationDays: 30 },
  vpcEndpoints: [],
  startTask: true,
};
