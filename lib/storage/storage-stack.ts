import type { StackProps } from 'aws-cdk-lib';
import { Annotations, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledge, acknowledgeControl } from '../shared/nag';
import { addOutputs } from '../shared/outputs';
import type { AmazonMlStagingPrefix } from './amazon-ml-staging-access';
import { admitAmazonMlToStaging } from './amazon-ml-staging-access';
import { DataKey } from './data-key';
import { SecureBucket } from './secure-bucket';
import type { StorageConfig } from './config';
import type { StorageResources } from './storage-resources';

/** Properties of the {@link StorageStack}. */
export interface StorageStackProps extends StackProps {
  /** Prefix of the data key's alias, `<projectName>/data`. */
  readonly projectName: string;
  /** What happens to the buckets, their objects and the data key when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** Bucket names and expirations; the removal policy is the one above. */
  readonly storage: Omit<StorageConfig, 'removalPolicy'>;
  /**
   * The staging prefixes of the Amazon ML datasources, which Amazon ML itself reads (and, for
   * Redshift, writes).
   * @default - none: Amazon ML is not admitted to the staging bucket
   */
  readonly amazonMlStagingPrefixes?: readonly AmazonMlStagingPrefix[];
}

/** The KMS key and the buckets that the other stacks use. */
export class StorageStack extends Stack implements StorageResources {
  readonly dataKey: kms.IKey;
  readonly amazonMlStagingBucket: s3.IBucket;
  readonly dataLakeBucket: s3.IBucket;
  readonly athenaResultsBucket: s3.IBucket;
  readonly edgeArtifactsBucket: s3.IBucket;
  readonly accessLogsBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const { storage, projectName, removalPolicy } = props;
    if (removalPolicy === RemovalPolicy.DESTROY) {
      Annotations.of(this).addWarningV2(
        'ml-foundation:storage-destroy',
        'storage.removalPolicy is "destroy": deleting this stack deletes every bucket with all its objects, and schedules the KMS key for deletion.',
      );
    }

    this.dataKey = new DataKey(this, 'DataKey', {
      aliasName: `${projectName}/data`,
      removalPolicy,
    }).key;

    const accessLogs = new SecureBucket(this, 'AccessLogs', {
      versioned: false,
      expirationDays: storage.accessLogsExpirationDays,
      removalPolicy,
      bucketName: storage.bucketNames.accessLogs,
    });
    acknowledge(
      accessLogs.bucket,
      'AwsSolutions-S1',
      undefined,
      'This bucket receives the server access logs of every other bucket; logging it to itself would loop.',
    );
    acknowledgeControl(
      accessLogs.bucket,
      's3_bucket_logging_enabled_check',
      'This bucket receives the server access logs of every other bucket; logging it to itself would loop.',
    );
    acknowledgeControl(
      accessLogs.bucket,
      's3_bucket_default_encryption_kms_check',
      'S3 server access log delivery supports only SSE-S3 on the destination bucket, not SSE-KMS.',
    );
    acknowledgeControl(
      accessLogs.bucket,
      's3_bucket_versioning_enabled_check',
      'Access logs are written once by S3 log delivery and expire on schedule; versions would only keep expired logs.',
    );
    this.accessLogsBucket = accessLogs.bucket;

    const dataBucket = (
      id: string,
      options: {
        versioned: boolean;
        expirationDays?: number;
        bucketName?: string;
        logPrefix: string;
      },
    ) =>
      new SecureBucket(this, id, {
        encryptionKey: this.dataKey,
        versioned: options.versioned,
        expirationDays: options.expirationDays,
        noncurrentVersionExpirationDays: storage.noncurrentVersionExpirationDays,
        serverAccessLogsBucket: accessLogs.bucket,
        serverAccessLogsPrefix: options.logPrefix,
        removalPolicy,
        bucketName: options.bucketName,
      }).bucket;

    // No expiry of current objects: a datasource reads its staged export for as long as it
    // exists, and the datasource handler deletes the export with the datasource.
    this.amazonMlStagingBucket = dataBucket('AmazonMlStaging', {
      versioned: true,
      bucketName: storage.bucketNames.amazonMlStaging,
      logPrefix: 'amazon-ml-staging/',
    });
    admitAmazonMlToStaging(
      this.amazonMlStagingBucket,
      this.dataKey,
      props.amazonMlStagingPrefixes ?? [],
    );
    this.dataLakeBucket = dataBucket('DataLake', {
      versioned: true,
      bucketName: storage.bucketNames.dataLake,
      logPrefix: 'data-lake/',
    });
    this.athenaResultsBucket = dataBucket('AthenaResults', {
      versioned: false,
      expirationDays: storage.athenaResultsExpirationDays,
      bucketName: storage.bucketNames.athenaResults,
      logPrefix: 'athena-results/',
    });
    acknowledgeControl(
      this.athenaResultsBucket,
      's3_bucket_versioning_enabled_check',
      'Query results can be rebuilt by running the query again and expire on schedule; versions would keep results, personal columns included, after they expired or were deleted on purpose.',
    );
    this.edgeArtifactsBucket = dataBucket('EdgeArtifacts', {
      versioned: true,
      bucketName: storage.bucketNames.edgeArtifacts,
      logPrefix: 'edge-artifacts/',
    });

    addOutputs(this, [
      {
        id: 'DataKeyArn',
        value: this.dataKey.keyArn,
        description: 'KMS key that encrypts the data buckets',
      },
      {
        id: 'AmazonMlStagingBucketName',
        value: this.amazonMlStagingBucket.bucketName,
        description: 'Bucket where Amazon ML stages the rows it reads',
      },
      {
        id: 'DataLakeBucketName',
        value: this.dataLakeBucket.bucketName,
        description: 'Bucket that holds the change history DMS writes',
      },
      {
        id: 'AthenaResultsBucketName',
        value: this.athenaResultsBucket.bucketName,
        description: 'Bucket of Athena query results',
      },
      {
        id: 'EdgeArtifactsBucketName',
        value: this.edgeArtifactsBucket.bucketName,
        description: 'Bucket of Greengrass component artifacts',
      },
      {
        id: 'AccessLogsBucketName',
        value: this.accessLogsBucket.bucketName,
        description: 'Bucket of S3 server access logs',
      },
    ]);
  }
}
