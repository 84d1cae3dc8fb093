import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { IDependable } from 'constructs';
import type { Permission } from '../shared/grant';
import { grantPermissions } from '../shared/grant';
import { acknowledge, acknowledgeWildcardResources } from '../shared/nag';
import { S3PrefixAccess } from '../shared/s3-prefix-access';
import { SharedProvider } from '../shared/shared-provider';
import type { SnapshotProperties } from './handler/snapshot-properties';
import {
  ATHENA_OUTPUT_PREFIX,
  SNAPSHOT_RESOURCE_TYPE,
  STAGING_PREFIX,
  snapshotLayout,
  stagingFolder,
} from './handler/snapshot-properties';
import type { PlannedSnapshot } from './snapshot-definition';

const APP_VERSION: string = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'),
).version;

/**
 * The stack's provider of `Custom::TrainingSnapshot`. Its isComplete function does the work
 * (see {@link TrainingSnapshot}); its role is the one that needs the grants on the sources.
 */
export function snapshotProvider(scope: Construct): SharedProvider {
  return SharedProvider.of(scope, 'TrainingSnapshotProvider', {
    entry: path.join(__dirname, 'handler', 'snapshot-handler.ts'),
    description: 'Writes training snapshots to S3 once, and waits until they are complete',
    polls: true,
    queryInterval: Duration.seconds(30),
    // CloudFormation waits at most an hour for a custom resource; the handler stops at 50 minutes.
    totalTimeout: Duration.minutes(55),
    handlerTimeout: Duration.minutes(10),
  });
}

/** Where a history snapshot reads: the Glue catalog and, without Lake Formation, the data lake. */
export interface HistoryAccess {
  readonly source: 'history';
  /** The snapshot workgroup. */
  readonly workgroupName: string;
  /** The Glue database of the change history. */
  readonly databaseName: string;
  /** The Glue tables the snapshot query reads. */
  readonly tables: readonly string[];
  /**
   * The data lake prefix of the change history and the key that encrypts it, which the handler
   * reads with its own rights when Lake Formation does not govern the catalog.
   * @default - Lake Formation vends the credentials that read the data lake
   */
  readonly dataLake?: {
    readonly bucket: s3.IBucket;
    readonly prefix: string;
    readonly key: kms.IKey;
  };
}

/** Where a Redshift snapshot reads, and the role its UNLOAD writes with. */
export interface RedshiftAccess {
  readonly source: 'redshift';
  readonly clusterIdentifier: string;
  readonly databaseName: string;
  /** The secret the Data API signs in with. */
  readonly secret: secretsmanager.ISecret;
  /** The role of the cluster that UNLOAD writes to S3 with. */
  readonly unloadRoleArn: string;
}

/** Properties of a {@link TrainingSnapshot}. */
export interface TrainingSnapshotProps {
  /** The snapshot's name. */
  readonly name: string;
  /** What it is and the SELECT that reads it. */
  readonly plan: PlannedSnapshot;
  /** The snapshots bucket and its key. */
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  /** Where the rows come from. */
  readonly access: HistoryAccess | RedshiftAccess;
  /** `destroy` deletes the snapshot with its resource; anything else keeps it. */
  readonly removal: 'retain' | 'destroy';
  /** Accept a snapshot without rows. */
  readonly allowEmpty: boolean;
  /**
   * What must exist before the handler runs: grants made by other constructs.
   * @default - nothing beyond the handler's own grants
   */
  readonly dependsOn?: IDependable[];
}

/**
 * One training snapshot: a `Custom::TrainingSnapshot` that writes it at deploy time and never
 * changes it afterwards, and the permissions its shared handler needs for it. The handler's
 * isComplete function does all the work (starting queries or statements, waiting, copying,
 * checking, writing): a Redshift Data API statement can be described only by the identity that
 * ran it, so one role must do both.
 */
export class TrainingSnapshot extends Construct {
  readonly resource: CustomResource;
  /** `s3://bucket/snapshots/<name>/`. */
  readonly location: string;
  /** The CSV that Amazon ML reads. */
  readonly csvLocation: string;
  /** Every object of the snapshot, as policies name them. */
  readonly objectsArn: string;
  private readonly access: S3PrefixAccess;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: TrainingSnapshotProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const provider = snapshotProvider(this);
    const layout = snapshotLayout(props.name);
    this.key = props.key;
    this.access = new S3PrefixAccess({
      bucketArn: props.bucket.bucketArn,
      prefix: layout.prefix,
      region: stack.region,
    });
    this.objectsArn = this.access.objectsArn;

    const onEventRole = provider.onEventHandler.role;
    const worker = provider.isCompleteHandler!.role;
    const grants = [
      this.grantCheck(onEventRole),
      this.grantWrite(worker, props.bucket, props.name),
      props.access.source === 'history'
        ? grantHistoryQueries(worker, props.access)
        : grantRedshiftUnload(worker, props.access),
    ];

    const properties: SnapshotProperties = {
      Name: props.name,
      Definition: JSON.stringify(props.plan.definition),
      SelectSql: props.plan.select,
      Bucket: props.bucket.bucketName,
      KmsKeyArn: props.key.keyArn,
      RemovalPolicy: props.removal,
      AllowEmpty: props.allowEmpty,
      AppVersion: APP_VERSION,
      ...(props.access.source === 'history'
        ? { Source: 'history' as const, Workgroup: props.access.workgroupName }
        : {
            Source: 'redshift' as const,
            ClusterIdentifier: props.access.clusterIdentifier,
            Database: props.access.databaseName,
            SecretArn: props.access.secret.secretArn,
            UnloadRoleArn: props.access.unloadRoleArn,
            KmsKeyId: props.key.keyId,
          }),
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: SNAPSHOT_RESOURCE_TYPE,
      properties: { ...properties },
    });
    for (const grant of grants) grant.applyBefore(this.resource);
    this.resource.node.addDependency(...(props.dependsOn ?? []));
    this.location = this.resource.getAttString('Location');
    this.csvLocation = this.resource.getAttString('CsvLocation');

    for (const role of [onEventRole, worker]) {
      acknowledgeWildcardResources(
        role,
        [this.access.objectsArn],
        `The handler writes and checks the objects of snapshot "${props.name}", under its own folder.`,
      );
    }
  }

  /** Lets `grantee` list and read the snapshot's objects, and decrypt them through S3. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return grantPermissions(
      grantee,
      this.access.onObjects(['s3:GetObject']),
      this.access.onBucket(['s3:ListBucket'], { listPrefixOnly: true }),
      this.access.onBucket(['s3:GetBucketLocation']),
      this.access.onKey(this.key, ['kms:Decrypt'], { bucketObjectsOnly: true }),
    );
  }

  /** Reading the manifest (a missing key reads as 404 only with s3:ListBucket) and deleting. */
  private grantCheck(grantee: iam.IGrantable): iam.Grant {
    return grantPermissions(
      grantee,
      this.access.onObjects(['s3:GetObject', 's3:DeleteObject']),
      this.access.onBucket(['s3:ListBucket'], { listPrefixOnly: true }),
      this.access.onKey(this.key, ['kms:Decrypt'], { bucketObjectsOnly: true }),
    );
  }

  /** Writing the snapshot, its staging folder, and the snapshot workgroup's results. */
  private grantWrite(grantee: iam.IRole, bucket: s3.IBucket, name: string): iam.Grant {
    const region = Stack.of(this).region;
    const staging = new S3PrefixAccess({
      bucketArn: bucket.bucketArn,
      prefix: STAGING_PREFIX,
      region,
    });
    const results = new S3PrefixAccess({
      bucketArn: bucket.bucketArn,
      prefix: ATHENA_OUTPUT_PREFIX,
      region,
    });
    const work = new S3PrefixAccess({
      bucketArn: bucket.bucketArn,
      prefix: stagingFolder(name),
      region,
    });
    const permissions: Permission[] = [
      this.access.onObjects(['s3:GetObject', 's3:PutObject', 's3:DeleteObject']),
      this.access.onBucket(['s3:ListBucket'], { listPrefixOnly: true }),
      this.access.onKey(this.key, ['kms:GenerateDataKey', 'kms:Decrypt'], {
        bucketObjectsOnly: true,
      }),
      staging.onBucket(['s3:ListBucket'], { listPrefixOnly: true }),
      staging.onBucket(['s3:GetBucketLocation', 's3:ListBucketMultipartUploads']),
      results.onObjects([
        's3:GetObject',
        's3:PutObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
      ]),
      work.onObjects([
        's3:GetObject',
        's3:PutObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
      ]),
      staging.onKey(this.key, ['kms:GenerateDataKey', 'kms:Decrypt'], { bucketObjectsOnly: true }),
    ];
    acknowledgeWildcardResources(
      grantee,
      [results.objectsArn, work.objectsArn, staging.objectsArn],
      'Athena names the result and UNLOAD objects itself, under the snapshot workgroup output location and the staging folder of each attempt.',
    );
    return grantPermissions(grantee, ...permissions);
  }
}

/** What the snapshot query needs: the workgroup, the tables' metadata and their data. */
function grantHistoryQueries(grantee: iam.IRole, access: HistoryAccess): iam.Grant {
  const stack = Stack.of(grantee);
  const glueArn = (resource: string, resourceName?: string) =>
    stack.formatArn({ service: 'glue', resource, resourceName });
  const permissions: Permission[] = [
    {
      actions: [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:StopQueryExecution',
      ],
      resources: [
        stack.formatArn({
          service: 'athena',
          resource: 'workgroup',
          resourceName: access.workgroupName,
        }),
      ],
    },
    {
      actions: [
        'glue:GetDatabase',
        'glue:GetTable',
        'glue:GetPartition',
        'glue:GetPartitions',
        'glue:BatchGetPartition',
      ],
      resources: [
        glueArn('catalog'),
        glueArn('database', access.databaseName),
        ...access.tables.map((table) => glueArn('table', `${access.databaseName}/${table}`)),
      ],
    },
  ];
  if (access.dataLake) {
    const lake = new S3PrefixAccess({
      bucketArn: access.dataLake.bucket.bucketArn,
      prefix: access.dataLake.prefix,
      region: stack.region,
    });
    permissions.push(
      lake.onObjects(['s3:GetObject']),
      lake.onBucket(['s3:ListBucket'], { listPrefixOnly: true }),
      lake.onBucket(['s3:GetBucketLocation']),
      lake.onKey(access.dataLake.key, ['kms:Decrypt'], { bucketObjectsOnly: true }),
    );
    acknowledgeWildcardResources(
      grantee,
      [lake.objectsArn],
      'Athena reads every file of the change history under the replication prefix, with the caller’s rights when Lake Formation does not govern the catalog.',
    );
  } else {
    permissions.push({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] });
    acknowledge(
      grantee,
      'AwsSolutions-IAM5',
      'Resource::*',
      'lakeformation:GetDataAccess takes no resource-level permissions; Lake Formation grants decide which data it vends credentials for.',
    );
  }
  return grantPermissions(grantee, ...permissions);
}

/** What the UNLOAD statements need: the Data API on the cluster and the cluster's secret. */
function grantRedshiftUnload(grantee: iam.IRole, access: RedshiftAccess): iam.Grant {
  const stack = Stack.of(grantee);
  const grant = grantPermissions(
    grantee,
    {
      actions: ['redshift-data:BatchExecuteStatement'],
      resources: [
        stack.formatArn({
          service: 'redshift',
          resource: 'cluster',
          resourceName: access.clusterIdentifier,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    },
    {
      actions: ['redshift-data:DescribeStatement', 'redshift-data:CancelStatement'],
      resources: ['*'],
    },
  );
  acknowledge(
    grantee,
    'AwsSolutions-IAM5',
    'Resource::*',
    'redshift-data:DescribeStatement and CancelStatement take no resource; the Data API lets a role act only on the statements it ran.',
  );
  return grant.combine(access.secret.grantRead(grantee));
}
