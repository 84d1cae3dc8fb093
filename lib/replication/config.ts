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

const multiAz = z.boolean().meta({
  description:
    'Run the replication instance, or the serverless capacity, in two availability zones.',
});

const instanceEngine = z.strictObject({
  mode: z.literal('instance').meta({
    description: 'A provisioned replication instance runs the replication task.',
  }),
  instanceClass: z
    .string()
    .regex(/^dms\.[a-z0-9]+\.[a-z0-9]+$/, 'must look like dms.t3.medium')
    .meta({ description: 'Replication instance class.' }),
  allocatedStorageGiB: z
    .int()
    .min(5)
    .max(6144)
    .meta({ description: 'Storage of the replication instance, in GiB.' }),
  multiAz,
});

const serverlessEngine = z.strictObject({
  mode: z.literal('serverless').meta({
    description:
      'DMS Serverless runs the replication within `capacity`; it needs `replication.vpcEndpoints` with `secretsmanager`.',
  }),
  capacity: z
    .strictObject({ min: capacityUnits, max: capacityUnits })
    .superRefine(({ min, max }, ctx) => {
      if (min > max)
        ctx.addIssue({ code: 'custom', message: `min (${min}) is greater than max (${max})` });
    })
    .default({ min: 1, max: 4 })
    .meta({
      description: `Capacity range in DMS capacity units, \`min\` not above \`max\`, each one of ${SERVERLESS_CAPACITY_UNITS.join(', ')}.`,
    }),
  multiAz,
});

/** What runs the replication: a replication instance, or DMS Serverless. */
export const replicationEngineSchema = exclusiveModes([instanceEngine, serverlessEngine]).meta({
  description: 'What runs the replication.',
});
export type ReplicationEngineConfig = z.infer<typeof replicationEngineSchema>;

/** The largest replication generation: it keeps the DMS identifiers within 31 characters. */
export const MAX_REPLICATION_GENERATION = 9999;

export const replicationConfigSchema = z.strictObject({
  engine: replicationEngineSchema,
  generation: z.int().min(1).max(MAX_REPLICATION_GENERATION).meta({
    description:
      'The replication generation, from 1: each generation is one replication (its own instance, task or serverless configuration, and target endpoint) that loads every table again into its own folder, `<bucketFolder>generation=<n>/`, next to the history of the earlier generations. Raise it for any change that replaces the replication (the engine, a create-only setting of the instance or an endpoint) and to reload the tables; such a change without a new generation fails the deployment, because the names of the new resources are already taken.',
  }),
  dmsRoles: z.enum(['create', 'existing']).meta({
    description:
      '`create` makes the account-wide `dms-vpc-role` and `dms-cloudwatch-logs-role` if the account lacks them (the DMS console creates them the first time it is used), and never deletes them; `existing` uses the ones the account has. Either way the deployment waits until DMS can use `dms-vpc-role`, and fails with what DMS says if it cannot.',
  }),
  tables: z
    .array(sqlIdentifier)
    .min(1, 'replicate at least one dataset')
    .meta({ description: 'Datasets (see `datasets`) whose MySQL tables are replicated.' }),
  bucketFolder: s3Prefix.meta({
    description:
      'Prefix under the data lake bucket that DMS writes to; each table lands in `<bucketFolder>generation=<n>/<mysqlDatabase>/<table>/`, and truncation marks in `<bucketFolder>truncations/`.',
  }),
  cdcMaxBatchIntervalSeconds: z.int().min(1).max(86_400).meta({
    description:
      'Longest time DMS holds changes before writing a file, in seconds; with `cdcMinFileSizeKb`, it batches changes into fewer, larger Parquet files.',
  }),
  cdcMinFileSizeKb: z
    .int()
    .min(1)
    .max(1_048_576)
    .meta({ description: 'Smallest file DMS writes before that interval has passed, in KB.' }),
  binlogRetentionHours: z.int().min(1).max(168).meta({
    description:
      'Hours that MySQL keeps binary logs, which DMS needs to survive interruptions; a setup function in the VPC sets it inside MySQL.',
  }),
  dmsUser: z.strictObject({
    username: databaseUsername.meta({
      description:
        'The MySQL user that DMS reads as, other than the master user; the app creates it with only the grants change capture needs (REPLICATION CLIENT, REPLICATION SLAVE, and SELECT on the replicated databases).',
    }),
    passwordRotationDays: z
      .int()
      .min(1)
      .max(365)
      .meta({ description: 'Days between two rotations of its password.' }),
  }),
  vpcEndpoints: z.array(z.enum(['s3', 'secretsmanager'])).meta({
    description:
      "VPC endpoints this stack creates in the VPC. DMS Serverless reaches Secrets Manager and S3 only through endpoints, and so do DMS and the setup functions in subnets without NAT. The app's own VPC has an S3 gateway endpoint already: add `s3` only for an imported VPC that has none (a second gateway endpoint on the same route tables fails).",
  }),
  startTask: z.boolean().meta({
    description:
      'Start the replication once it is created, resume it after each change, and stop it before it is deleted. Either way, a running replication is stopped before CloudFormation modifies it (DMS refuses to modify one that runs); with `false`, start or resume it yourself, and stop it before deleting the stack.',
  }),
});
export type ReplicationConfig = z.infer<typeof replicationConfigSchema>;

export const DEFAULT_REPLICATION_CONFIG: z.input<typeof replicationConfigSchema> = {
  engine: {
    mode: 'instance',
    instanceClass: 'dms.t3.medium',
    allocatedStorageGiB: 50,
    multiAz: false,
  },
  generation: 1,
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
