import { z } from 'zod';
import { parseTime } from '../catalog/athena/parse-time';
import { athenaWorkgroupName, bucketName, iamPrincipalArn, sqlIdentifier } from '../config/names';

/**
 * A snapshot name: the folder of the snapshot (`snapshots/<name>/`) and, with `-` read as `_`,
 * a Glue table name. Lower-case letters, digits and single hyphens, so that one name is never
 * the prefix-with-a-slash of another and the Glue form of two names never collides.
 */
export const snapshotName = z
  .string()
  .regex(
    /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,62}$/,
    'snapshot names are 1 to 63 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen',
  );

/** An ISO 8601 time that names its zone, so that a reviewer reads the same moment as the app. */
const pinnedMoment = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be an ISO 8601 time with its zone, such as 2026-11-01T00:00:00Z',
  )
  .refine((text) => {
    try {
      parseTime(text);
      return true;
    } catch {
      return false;
    }
  }, 'there is no such date or time of day');

const amazonMlDatasource = z.strictObject({
  id: z
    .string()
    .regex(
      /^[a-zA-Z0-9_.-]{1,48}$/,
      'datasource ids are 1 to 48 letters, digits, "_", "." or "-" (a 16-character version suffix is appended)',
    )
    .meta({
      description:
        'Datasource id prefix; a hash of the snapshot is appended, as for the other datasources.',
    }),
  name: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .meta({ description: 'A human-readable name shown in the Amazon ML console.' }),
  computeStatistics: z
    .boolean()
    .default(true)
    .meta({ description: 'Compute statistics; required for datasources used to train a model.' }),
});

const common = {
  name: snapshotName.meta({
    description:
      'The snapshot, and its folder `snapshots/<name>/` in the snapshots bucket: 1 to 63 lower-case letters, digits and single hyphens. A name stands for one definition forever.',
  }),
  dataset: sqlIdentifier.meta({
    description: 'The dataset (see `datasets`) whose columns the snapshot holds, all of them.',
  }),
  targetAttribute: sqlIdentifier.optional().meta({
    description: 'The Amazon ML schema file names it as the attribute a model predicts.',
  }),
  rowIdAttribute: sqlIdentifier.optional().meta({
    description: 'The Amazon ML schema file names it as the row id.',
  }),
  excludedAttributes: z.array(sqlIdentifier).default([]).meta({
    description: 'Columns the Amazon ML schema file excludes from models.',
  }),
  allowEmpty: z.boolean().default(false).meta({
    description:
      'Accept a snapshot without rows. Off, an empty result fails the deploy: a time before the change history starts reads as an empty table.',
  }),
  amazonMlDatasource: amazonMlDatasource.optional().meta({
    description:
      'An Amazon ML datasource over the snapshot CSV (`CreateDataSourceFromS3`); needs `features.amazonMl`.',
  }),
};

const historySnapshot = z.strictObject({
  source: z.literal('history').meta({
    description: 'The replicated table as it was at `at`, read from its change history by Athena.',
  }),
  ...common,
  at: pinnedMoment.meta({
    description:
      'The moment, ISO 8601 with its zone; at least `replicationLagMinutes` in the past.',
  }),
});

const redshiftSnapshot = z.strictObject({
  source: z.literal('redshift').meta({
    description: "The dataset's Redshift table as it is when the snapshot is made.",
  }),
  ...common,
});

export const snapshotSchema = z.discriminatedUnion('source', [historySnapshot, redshiftSnapshot]);
export type SnapshotConfig = z.infer<typeof snapshotSchema>;
export type HistorySnapshotConfig = Extract<SnapshotConfig, { source: 'history' }>;

export const snapshotsConfigSchema = z.strictObject({
  declared: z.array(snapshotSchema).meta({
    description:
      'The training snapshots, each written once to S3 (Parquet, CSV with header, Amazon ML schema, manifest.json) and never changed: `{ source: "history", name, dataset, at }` (the replicated table as it was at `at`, ISO 8601 with its zone, at least `replicationLagMinutes` old) or `{ source: "redshift", name, dataset }` (the Redshift table when the snapshot is made). `name` (lower-case letters, digits, single hyphens) stands for one definition forever. Optional: `targetAttribute`, `rowIdAttribute`, `excludedAttributes` (roles in the Amazon ML schema file), `allowEmpty` (default false: no rows fails the deploy), `amazonMlDatasource: { id, name, computeStatistics }` (needs `features.amazonMl`).',
  }),
  bucketName: bucketName.optional().meta({
    description:
      'Explicit name of the snapshots bucket; unset, CloudFormation generates one. With a name, `npm run athena -- export` writes there by default.',
  }),
  workgroupName: athenaWorkgroupName.optional().meta({
    description:
      'The Athena workgroup the snapshot queries run in, whose results only the snapshot handler reads. Unset: `<projectName>-snapshots`.',
  }),
  bytesScannedCutoffPerQuery: z
    .int()
    .min(10_000_000, 'Athena requires at least 10000000 bytes')
    .meta({
      description: 'Snapshot queries that would scan more than this many bytes are cancelled.',
    }),
  replicationLagMinutes: z.int().min(1).max(10_080).meta({
    description:
      'How far DMS may lag behind the source, in minutes: a snapshot time must be at least this old, or changes committed before it may not be in the history yet.',
  }),
  stagingExpirationDays: z.int().min(1).max(365).meta({
    description:
      'Days after which the intermediate query results and unloads under `staging/` expire.',
  }),
  redshiftUnloadRoleArn: iamPrincipalArn
    .refine((arn) => arn.includes(':role/'), 'must be an IAM role ARN')
    .optional()
    .meta({
      description:
        'For an existing Redshift cluster (`sources.redshift.mode` `import`): a role associated with the cluster that UNLOAD writes to S3 with. A created cluster gets one of its own.',
    }),
});
export type SnapshotsConfig = z.infer<typeof snapshotsConfigSchema>;

export const DEFAULT_SNAPSHOTS_CONFIG: z.input<typeof snapshotsConfigSchema> = {
  declared: [],
  bytesScannedCutoffPerQuery: 100 * 1024 ** 3,
  replicationLagMinutes: 60,
  stagingExpirationDays: 7,
};
