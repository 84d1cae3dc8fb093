import { createHash } from 'node:crypto';
import type { MlAttributeType } from '../../config/dataset';
import { canonicalJson } from '../../shared/handler/canonical-json';

/**
 * The properties of a `Custom::TrainingSnapshot` resource: the construct writes them, the
 * handler reads them. What the snapshot is (its {@link SnapshotDefinition}) is one JSON
 * property, whose digest names the snapshot for good: the handler refuses to make a snapshot
 * with another definition under a name that has one.
 */

/** The CloudFormation type of a snapshot. */
export const SNAPSHOT_RESOURCE_TYPE = 'Custom::TrainingSnapshot';

/** A column of a snapshot, in the order of the files. */
export interface SnapshotColumn {
  readonly name: string;
  /** Its type in the files: the Glue type of the history, or the Redshift type. */
  readonly type: string;
  /** How Amazon ML reads it, for the schema file. */
  readonly mlType: MlAttributeType;
}

/** What a snapshot is; equal definitions are the same snapshot. */
export type SnapshotDefinition =
  | {
      readonly source: 'history';
      readonly dataset: string;
      /** The moment, `toISOString()`. */
      readonly at: string;
      /** The Glue database of the change history. */
      readonly database: string;
      readonly primaryKey: readonly string[];
      readonly columns: readonly SnapshotColumn[];
      readonly schema: SchemaRoles;
    }
  | {
      readonly source: 'redshift';
      readonly dataset: string;
      readonly cluster: string;
      readonly database: string;
      /** The Redshift schema of the table. */
      readonly tableSchema: string;
      readonly primaryKey: readonly string[];
      readonly columns: readonly SnapshotColumn[];
      readonly schema: SchemaRoles;
    };

/** The roles of attributes in the Amazon ML schema file, which is part of the snapshot. */
export interface SchemaRoles {
  readonly targetAttribute?: string;
  readonly rowIdAttribute?: string;
  readonly excludedAttributes?: readonly string[];
}

interface CommonProperties {
  /** The snapshot name, which names its folder and its CSV. */
  readonly Name: string;
  /** The {@link SnapshotDefinition} as JSON. */
  readonly Definition: string;
  /** The SELECT that reads the snapshot's rows; both files come from it. */
  readonly SelectSql: string;
  /** The snapshots bucket. */
  readonly Bucket: string;
  /** The key that encrypts every object the handler writes. */
  readonly KmsKeyArn: string;
  /** `retain` keeps a complete snapshot when the resource is deleted; `destroy` deletes it. */
  readonly RemovalPolicy: 'retain' | 'destroy';
  /** Accept a snapshot without rows; CloudFormation passes booleans as strings. */
  readonly AllowEmpty: boolean | 'true' | 'false';
  /** The app's version, recorded in the manifest. */
  readonly AppVersion: string;
}

/** A snapshot of the change history, made by Athena. */
export interface HistorySnapshotProperties extends CommonProperties {
  readonly Source: 'history';
  /** The workgroup of the snapshot queries; its output location is under `staging/`. */
  readonly Workgroup: string;
}

/** A snapshot of a Redshift table, made by UNLOAD through the Redshift Data API. */
export interface RedshiftSnapshotProperties extends CommonProperties {
  readonly Source: 'redshift';
  readonly ClusterIdentifier: string;
  readonly Database: string;
  /** The secret that the Data API signs in with. */
  readonly SecretArn: string;
  /** The role the cluster assumes to write the unload to S3. */
  readonly UnloadRoleArn: string;
  /** The id of the key UNLOAD encrypts with (`KMS_KEY_ID`). */
  readonly KmsKeyId: string;
}

export type SnapshotProperties = HistorySnapshotProperties | RedshiftSnapshotProperties;

/** The attributes of a snapshot (`Fn::GetAtt`). */
export interface SnapshotAttributes {
  /** `s3://bucket/snapshots/<name>/`. */
  readonly Location: string;
  /** `s3://bucket/snapshots/<name>/csv/<name>.csv`, what Amazon ML reads. */
  readonly CsvLocation: string;
  /** The number of rows, once the snapshot is complete. */
  readonly Rows?: string;
}

/** Where a snapshot's objects are, in the snapshots bucket. */
export const SNAPSHOTS_PREFIX = 'snapshots/';
/** Where the intermediate results are: query results, unloads, progress. Nobody else reads it. */
export const STAGING_PREFIX = 'staging/';

/** The keys of one snapshot, in its folder under `root` (a prefix ending in `/`). */
export function snapshotLayout(name: string, root: string = SNAPSHOTS_PREFIX) {
  const prefix = `${root}${name}/`;
  return {
    prefix,
    parquetPrefix: `${prefix}parquet/`,
    parquetKey: (index: number) =>
      `${prefix}parquet/part-${String(index).padStart(5, '0')}.parquet`,
    csvKey: `${prefix}csv/${name}.csv`,
    schemaKey: `${prefix}csv/${name}.csv.schema`,
    manifestKey: `${prefix}manifest.json`,
  };
}

/** The staging folder of a snapshot's attempts. */
export function stagingFolder(name: string): string {
  return `${STAGING_PREFIX}work/${name}/`;
}

/** The staging keys of one attempt at a snapshot. */
export function stagingLayout(name: string, attempt: string) {
  const prefix = `${stagingFolder(name)}${attempt}/`;
  return {
    prefix,
    /** Athena UNLOAD writes here: a folder that no earlier attempt wrote to. */
    unloadPrefix: `${prefix}unload/`,
    /** Redshift UNLOAD name prefixes: `<prefix>parquet/part_0000_part_00`, then `part_manifest`. */
    redshiftParquetPrefix: `${prefix}parquet/part_`,
    redshiftCsvPrefix: `${prefix}csv/part_`,
    progressKey: `${prefix}progress.json`,
  };
}

/** The prefix of the snapshot workgroup's output location. */
export const ATHENA_OUTPUT_PREFIX = `${STAGING_PREFIX}athena/`;

/** `sha256:<hex>` of the definition, its keys in order: what names a snapshot. */
export function definitionDigest(definition: SnapshotDefinition): string {
  return `sha256:${createHash('sha256').update(canonicalJson(definition)).digest('hex')}`;
}
