import type { RemovalPolicy, StackProps } from 'aws-cdk-lib';
import { Annotations, CfnOutput, RemovalPolicy as Removal, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct, IDependable } from 'constructs';
import { TRUNCATIONS_TABLE } from '../catalog/as-of-query';
import type { DatasetConfig } from '../config/dataset';
import { datasetNamed } from '../config/dataset';
import type { GovernanceConfig } from '../governance/config';
import type { QueryPersona } from '../governance/tag-model';
import { QUERY_PERSONAS } from '../governance/tag-model';
import { acknowledgeWildcardResources } from '../shared/nag';
import { S3PrefixAccess } from '../shared/s3-prefix-access';
import type { SnapshotConfig, SnapshotsConfig } from './config';
import { STAGING_PREFIX, stagingFolder } from './handler/snapshot-properties';
import { SnapshotDataSource } from './snapshot-datasource';
import { planSnapshot } from './snapshot-definition';
import { SnapshotLakeFormationAccess } from './snapshot-lake-formation';
import { snapshotReaders } from './snapshot-readers';
import { SnapshotStorage } from './snapshot-storage';
import type { HistoryAccess, RedshiftAccess } from './training-snapshot';
import { snapshotProvider, TrainingSnapshot } from './training-snapshot';

/** The change history that history snapshots read. */
export interface SnapshotHistorySource {
  /** The Glue database of the change history. */
  readonly databaseName: string;
  /** Whether Lake Formation governs it: the handler then needs Lake Formation grants. */
  readonly governed: boolean;
  /** The data lake bucket, the prefix DMS writes the history under, and their key. */
  readonly dataLakeBucket: s3.IBucket;
  readonly changeDataPrefix: string;
  readonly dataKey: kms.IKey;
}

/** The Redshift cluster that Redshift snapshots read. */
export interface SnapshotRedshiftSource {
  readonly clusterIdentifier: string;
  readonly databaseName: string;
  readonly secret: secretsmanager.ISecret;
  /**
   * A role associated with the cluster, or the ARN of one, that UNLOAD writes with; this stack
   * attaches a policy that lets it write the staging folders of the Redshift snapshots.
   */
  readonly unloadRole: iam.IRole | string;
}

/** The personas that may read snapshots whose every column their grants cover. */
export interface SnapshotReaderPersonas {
  /** The governance whose tags and grants decide which persona may read which snapshot. */
  readonly governance: GovernanceConfig;
  /** The role of each query persona. */
  readonly roles: Readonly<Record<QueryPersona, iam.IRole>>;
}

/** Properties of the {@link SnapshotsStack}. */
export interface SnapshotsStackProps extends StackProps {
  /** Prefix of the key's alias. */
  readonly projectName: string;
  /** Whether the bucket, the key, and each snapshot with its resource, are kept on delete. */
  readonly removalPolicy: RemovalPolicy;
  /** The declared snapshots and their settings, with the workgroup name resolved. */
  readonly snapshots: SnapshotsConfig & { readonly workgroupName: string };
  /** The datasets the snapshots name. */
  readonly datasets: readonly DatasetConfig[];
  /** Where the snapshots bucket's access logs go. */
  readonly accessLogsBucket: s3.IBucket;
  /** Days after which noncurrent versions expire in the snapshots bucket. */
  readonly noncurrentVersionExpirationDays: number;
  /**
   * The change history, for history snapshots.
   * @default - no history snapshot may be declared
   */
  readonly history?: SnapshotHistorySource;
  /**
   * The Redshift cluster, for Redshift snapshots.
   * @default - no Redshift snapshot may be declared
   */
  readonly redshift?: SnapshotRedshiftSource;
  /**
   * The personas of governance.
   * @default - no persona reads snapshots (governance is off)
   */
  readonly readers?: SnapshotReaderPersonas;
  /** Whether Amazon ML datasources over snapshots may be made. */
  readonly amazonMl: boolean;
}

/** A construct id part from a snapshot name (`banking-2026-11` → `Banking202611`). */
function idOf(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * Training snapshots: tables as of a pinned moment, or Redshift tables, written once to S3
 * with their schema and manifest, never overwritten, and readable by the personas whose grants
 * cover all their columns.
 */
export class SnapshotsStack extends Stack {
  readonly storage: SnapshotStorage;
  /** The snapshots, by name. */
  readonly snapshots = new Map<string, TrainingSnapshot>();
  /** The Amazon ML datasources over snapshots, by snapshot name. */
  readonly dataSources = new Map<string, SnapshotDataSource>();
  /** Who may read each snapshot, by snapshot name. */
  readonly readers = new Map<string, string[]>();

  constructor(scope: Construct, id: string, props: SnapshotsStackProps) {
    super(scope, id, props);
    const config = props.snapshots;
    const removal = props.removalPolicy === Removal.DESTROY ? 'destroy' : 'retain';
    this.storage = new SnapshotStorage(this, 'Storage', {
      projectName: props.projectName,
      removalPolicy: props.removalPolicy,
      bucketName: config.bucketName,
      accessLogsBucket: props.accessLogsBucket,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays,
      stagingExpirationDays: config.stagingExpirationDays,
      workgroup: {
        name: config.workgroupName,
        bytesScannedCutoffPerQuery: config.bytesScannedCutoffPerQuery,
      },
    });
    const { bucket, key } = this.storage;

    const history = config.declared.filter((snapshot) => snapshot.source === 'history');
    const redshift = config.declared.filter((snapshot) => snapshot.source === 'redshift');
    const historyAccess = history.length > 0 ? this.historyAccess(props, history) : undefined;
    const redshiftAccess = redshift.length > 0 ? this.redshiftAccess(props, redshift) : undefined;

    for (const snapshot of config.declared) {
      const dataset = datasetNamed(props.datasets, snapshot.dataset);
      const access = snapshot.source === 'history' ? historyAccess! : redshiftAccess!;
      const plan = planSnapshot(
        snapshot,
        dataset,
        access.access.source === 'history'
          ? { source: 'history', database: access.access.databaseName }
          : {
              source: 'redshift',
              clusterIdentifier: access.access.clusterIdentifier,
              database: access.access.databaseName,
            },
      );
      const made = new TrainingSnapshot(this, idOf(snapshot.name), {
        name: snapshot.name,
        plan,
        bucket,
        key,
        access: access.access,
        removal,
        allowEmpty: snapshot.allowEmpty,
        dependsOn: access.dependsOn,
      });
      this.snapshots.set(snapshot.name, made);
      this.grantReaders(props.readers, snapshot, dataset, made);

      if (snapshot.amazonMlDatasource && props.amazonMl) {
        this.dataSources.set(
          snapshot.name,
          new SnapshotDataSource(this, `${idOf(snapshot.name)}DataSource`, {
            snapshot: made,
            snapshotName: snapshot.name,
            bucket,
            key,
            dataSourceIdPrefix: snapshot.amazonMlDatasource.id,
            dataSourceName: snapshot.amazonMlDatasource.name,
            computeStatistics: snapshot.amazonMlDatasource.computeStatistics,
          }),
        );
      }
      new CfnOutput(this, `${idOf(snapshot.name)}Location`, {
        value: made.location,
        description: `Training snapshot ${snapshot.name}: manifest.json, parquet/ and csv/ under it`,
      });
    }

    new CfnOutput(this, 'SnapshotsBucketName', {
      value: bucket.bucketName,
      description: 'Bucket of the training snapshots',
    });
    new CfnOutput(this, 'SnapshotsWorkgroupName', {
      value: this.storage.workgroupName,
      description: 'Athena workgroup that the snapshot queries run in',
    });
  }

  /** Where history snapshots read, and the Lake Formation grants their queries need first. */
  private historyAccess(
    props: SnapshotsStackProps,
    snapshots: readonly SnapshotConfig[],
  ): { access: HistoryAccess; dependsOn: IDependable[] } {
    const source = props.history;
    if (!source)
      throw new Error('history snapshots need the change history (features.replication)');
    const tables = [
      ...new Set(snapshots.map((snapshot) => snapshot.dataset)),
      TRUNCATIONS_TABLE.name,
    ];
    const access: HistoryAccess = {
      source: 'history',
      workgroupName: this.storage.workgroupName,
      databaseName: source.databaseName,
      tables,
      ...(source.governed
        ? {}
        : {
            dataLake: {
              bucket: source.dataLakeBucket,
              prefix: source.changeDataPrefix,
              key: source.dataKey,
            },
          }),
    };
    if (!source.governed) return { access, dependsOn: [] };
    // The provider's worker role runs the queries; the first snapshot construct makes it.
    const lakeFormation = new SnapshotLakeFormationAccess(this, 'LakeFormationAccess', {
      role: snapshotProvider(this).isCompleteHandler!.role,
      databaseName: source.databaseName,
      tables,
    });
    return { access, dependsOn: lakeFormation.grants };
  }

  /** Where Redshift snapshots read, and the grant to the cluster's role that UNLOAD writes with. */
  private redshiftAccess(
    props: SnapshotsStackProps,
    snapshots: readonly SnapshotConfig[],
  ): { access: RedshiftAccess; dependsOn: IDependable[] } {
    const source = props.redshift;
    if (!source)
      throw new Error('Redshift snapshots need the Redshift cluster (the sources stack)');
    const { bucket, key } = this.storage;
    const staging = new S3PrefixAccess({
      bucketArn: bucket.bucketArn,
      prefix: STAGING_PREFIX,
      region: this.region,
    });
    const folders = snapshots.map(
      (snapshot) =>
        new S3PrefixAccess({
          bucketArn: bucket.bucketArn,
          prefix: stagingFolder(snapshot.name),
          region: this.region,
        }),
    );
    const unloadRole =
      typeof source.unloadRole === 'string'
        ? iam.Role.fromRoleArn(this, 'RedshiftUnloadRole', source.unloadRole, { mutable: true })
        : source.unloadRole;
    const policy = new iam.Policy(this, 'RedshiftUnloadAccess', {
      roles: [unloadRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteUnloads',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: folders.map((folder) => folder.objectsArn),
        }),
        new iam.PolicyStatement({
          sid: 'FindTheBucket',
          ...staging.onBucket(['s3:ListBucket', 's3:GetBucketLocation']),
        }),
        new iam.PolicyStatement({
          sid: 'EncryptUnloads',
          ...staging.onKey(key, ['kms:GenerateDataKey', 'kms:Decrypt'], {
            bucketObjectsOnly: true,
          }),
        }),
      ],
    });
    acknowledgeWildcardResources(
      policy,
      [...folders.map((folder) => folder.objectsArn), staging.objectsArn],
      'Redshift names the files of an UNLOAD itself, under the staging folder of each attempt at a snapshot.',
    );
    return {
      access: {
        source: 'redshift',
        clusterIdentifier: source.clusterIdentifier,
        databaseName: source.databaseName,
        secret: source.secret,
        unloadRoleArn: unloadRole.roleArn,
      },
      dependsOn: [policy],
    };
  }

  /** Lets the personas whose grants cover every column read the snapshot, and says who cannot. */
  private grantReaders(
    readers: SnapshotReaderPersonas | undefined,
    snapshot: SnapshotConfig,
    dataset: DatasetConfig,
    made: TrainingSnapshot,
  ): void {
    const allowed: string[] = [];
    if (readers) {
      const verdicts = snapshotReaders(readers.governance, QUERY_PERSONAS, dataset);
      for (const verdict of verdicts) {
        if (!verdict.canRead) {
          Annotations.of(made).addInfo(
            `${verdict.persona} cannot read snapshot ${snapshot.name}: its grants do not cover columns ${verdict.missingColumns.join(', ')}`,
          );
          continue;
        }
        const role = iam.Role.fromRoleArn(
          made,
          `${idOf(verdict.persona)}Reader`,
          readers.roles[verdict.persona].roleArn,
          {
            mutable: true,
          },
        );
        made.grantRead(role);
        acknowledgeWildcardResources(
          role,
          [made.objectsArn],
          `The ${verdict.persona} persona may read every file of snapshot ${snapshot.name}: its Lake Formation grants cover all its columns.`,
        );
        allowed.push(verdict.persona);
      }
    }
    this.readers.set(snapshot.name, allowed);
  }
}
