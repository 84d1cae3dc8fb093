import * as path from 'node:path';
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { dataSourceArn } from '../amazon-ml/amazon-ml-role';
import { grantPermissions } from '../shared/grant';
import { acknowledgeWildcardResources } from '../shared/nag';
import { S3PrefixAccess } from '../shared/s3-prefix-access';
import { SharedProvider } from '../shared/shared-provider';
import type { S3DataSourceProperties } from './handler/s3-datasource-properties';
import { S3_DATASOURCE_RESOURCE_TYPE } from './handler/s3-datasource-properties';
import { snapshotLayout } from './handler/snapshot-properties';
import type { TrainingSnapshot } from './training-snapshot';

/** Properties of a {@link SnapshotDataSource}. */
export interface SnapshotDataSourceProps {
  /** The snapshot whose CSV Amazon ML reads; the datasource deploys once it is complete. */
  readonly snapshot: TrainingSnapshot;
  readonly snapshotName: string;
  /** The snapshots bucket and its key. */
  readonly bucket: s3.IBucket;
  readonly key: kms.Key;
  /** The configured id prefix; the handler appends a version suffix. */
  readonly dataSourceIdPrefix: string;
  /**
   * The name shown in the Amazon ML console.
   * @default - none
   */
  readonly dataSourceName?: string;
  readonly computeStatistics: boolean;
}

/**
 * An Amazon ML datasource over a snapshot's CSV (`CreateDataSourceFromS3`), in the shape of the
 * datasources read from databases: a custom resource whose handler creates it and waits until
 * Amazon ML has read it. Amazon ML reads S3 as itself, not through a role, so the bucket policy
 * lets it read the snapshot's `csv/` folder (for this account's datasources of the id prefix
 * only), and the key policy lets it decrypt through S3.
 */
export class SnapshotDataSource extends Construct {
  readonly resource: CustomResource;
  readonly dataSourceId: string;

  constructor(scope: Construct, id: string, props: SnapshotDataSourceProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const provider = SharedProvider.of(this, 'SnapshotDataSourceProvider', {
      entry: path.join(__dirname, 'handler', 's3-datasource-handler.ts'),
      description:
        'Creates Amazon ML datasources over training snapshots and waits until Amazon ML has read them',
      polls: true,
      queryInterval: Duration.minutes(1),
      totalTimeout: Duration.minutes(55),
    });
    const dataSources = dataSourceArn(this, `${props.dataSourceIdPrefix}-*`);
    const layout = snapshotLayout(props.snapshotName);
    const snapshotFiles = new S3PrefixAccess({
      bucketArn: props.bucket.bucketArn,
      prefix: layout.prefix,
      region: stack.region,
    });
    const csvFolder = new S3PrefixAccess({
      bucketArn: props.bucket.bucketArn,
      prefix: `${layout.prefix}csv/`,
      region: stack.region,
    });

    const grant = grantPermissions(
      provider.roles,
      {
        actions: [
          'machinelearning:CreateDataSourceFromS3',
          'machinelearning:GetDataSource',
          'machinelearning:DeleteDataSource',
        ],
        resources: [dataSources],
      },
      {
        actions: ['s3:GetObject'],
        resources: [
          props.bucket.arnForObjects(layout.manifestKey),
          props.bucket.arnForObjects(layout.schemaKey),
        ],
      },
      snapshotFiles.onBucket(['s3:ListBucket'], { listPrefixOnly: true }),
      snapshotFiles.onKey(props.key, ['kms:Decrypt'], { bucketObjectsOnly: true }),
    );
    for (const role of provider.roles) {
      acknowledgeWildcardResources(
        role,
        [dataSources],
        `The handler names each datasource it creates with a new version suffix; it may only manage the datasources of the "${props.dataSourceIdPrefix}" prefix.`,
      );
    }

    const fromAmazonMl = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': dataSources },
    };
    const amazonMl = new iam.ServicePrincipal('machinelearning.amazonaws.com');
    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AmazonMlReads${props.snapshotName.replace(/-/g, '')}`,
        principals: [amazonMl],
        actions: ['s3:GetObject'],
        resources: [csvFolder.objectsArn],
        conditions: fromAmazonMl,
      }),
    );
    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AmazonMlLists${props.snapshotName.replace(/-/g, '')}`,
        principals: [amazonMl],
        actions: ['s3:ListBucket'],
        resources: [props.bucket.bucketArn],
        conditions: { ...fromAmazonMl, StringLike: { 's3:prefix': [`${layout.prefix}csv/*`] } },
      }),
    );
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AmazonMlDecrypts${props.snapshotName.replace(/-/g, '')}`,
        principals: [amazonMl],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        // Through S3 only. The key encrypts the snapshots bucket and nothing else; naming the
        // bucket here would make the key and the bucket depend on each other.
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );

    const properties: S3DataSourceProperties = {
      DataSourceIdPrefix: props.dataSourceIdPrefix,
      ...(props.dataSourceName ? { DataSourceName: props.dataSourceName } : {}),
      ComputeStatistics: props.computeStatistics,
      Bucket: props.bucket.bucketName,
      SnapshotName: props.snapshotName,
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: S3_DATASOURCE_RESOURCE_TYPE,
      properties: { ...properties },
    });
    grant.applyBefore(this.resource);
    this.resource.node.addDependency(props.snapshot.resource, props.bucket.policy ?? props.bucket);
    this.dataSourceId = this.resource.getAttString('DataSourceId');
  }
}
