import { Stack } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DMS_COLUMNS } from './dms-columns';
import { dmsBucketFolder } from './data-lake-layout';
import { acknowledgeWildcardResources } from '../shared/nag';

/** Properties of {@link MySqlSourceEndpoint}. */
export interface MySqlSourceEndpointProps {
  /** Secret with the `host`, `port`, `username` and `password` DMS connects with. */
  readonly secret: secretsmanager.ISecret;
}

/**
 * The DMS source endpoint for MySQL. Its connection details come from Secrets Manager at run
 * time, through a role that may read only that secret: no password appears in the template.
 */
export class MySqlSourceEndpoint extends Construct {
  readonly endpoint: dms.CfnEndpoint;
  readonly secretAccessRole: iam.Role;

  constructor(scope: Construct, id: string, props: MySqlSourceEndpointProps) {
    super(scope, id);
    this.secretAccessRole = new iam.Role(this, 'SecretAccessRole', {
      description: 'Lets DMS read the connection secret of the MySQL source endpoint',
      // Secrets Manager access is granted to the regional DMS principal.
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('dms.amazonaws.com'),
        new iam.ServicePrincipal(`dms.${Stack.of(this).region}.amazonaws.com`),
      ),
    });
    props.secret.grantRead(this.secretAccessRole);

    this.endpoint = new dms.CfnEndpoint(this, 'Endpoint', {
      endpointType: 'source',
      engineName: 'mysql',
      sslMode: 'require',
      mySqlSettings: {
        secretsManagerSecretId: props.secret.secretArn,
        secretsManagerAccessRoleArn: this.secretAccessRole.roleArn,
      },
    });
    this.endpoint.node.addDependency(this.secretAccessRole);
  }
}

/** Properties of {@link S3TargetEndpoint}. */
export interface S3TargetEndpointProps {
  /** The data lake bucket. */
  readonly bucket: s3.IBucket;
  /** The key that encrypts what DMS writes. */
  readonly encryptionKey: kms.IKey;
  /** Prefix of the bucket that DMS writes under, ending with a slash. */
  readonly bucketFolder: string;
  /** Longest time DMS holds changes before writing a file, in seconds. */
  readonly cdcMaxBatchIntervalSeconds: number;
  /** Smallest file DMS writes before the interval has passed, in KB. */
  readonly cdcMinFileSizeKb: number;
}

/**
 * The DMS target endpoint that writes every change as a row to Parquet files in the data lake:
 * the operation first (`I` for full-load rows too), the commit timestamp, KMS-encrypted, in few
 * large files rather than many small ones.
 */
export class S3TargetEndpoint extends Construct {
  readonly endpoint: dms.CfnEndpoint;
  readonly serviceAccessRole: iam.Role;

  constructor(scope: Construct, id: string, props: S3TargetEndpointProps) {
    super(scope, id);
    const folder = dmsBucketFolder(props.bucketFolder);

    this.serviceAccessRole = new iam.Role(this, 'ServiceAccessRole', {
      description: `Lets DMS write change data to ${folder}/ in the data lake`,
      assumedBy: new iam.ServicePrincipal('dms.amazonaws.com'),
    });
    const objects = props.bucket.arnForObjects(`${folder}/*`);
    this.serviceAccessRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectTagging'],
        resources: [objects],
      }),
    );
    acknowledgeWildcardResources(
      this.serviceAccessRole,
      [objects],
      'DMS names the files it writes (per table, per load and per batch of changes); the role may write only under the change-data prefix.',
    );
    this.serviceAccessRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [props.bucket.bucketArn],
      }),
    );
    props.encryptionKey.grant(
      this.serviceAccessRole,
      'kms:GenerateDataKey',
      'kms:Decrypt',
      'kms:DescribeKey',
    );

    this.endpoint = new dms.CfnEndpoint(this, 'Endpoint', {
      endpointType: 'target',
      engineName: 's3',
      s3Settings: {
        bucketName: props.bucket.bucketName,
        bucketFolder: folder,
        expectedBucketOwner: Stack.of(this).account,
        serviceAccessRoleArn: this.serviceAccessRole.roleArn,
        dataFormat: 'parquet',
        parquetVersion: 'parquet-2-0',
        parquetTimestampInMillisecond: true,
        compressionType: 'GZIP',
        enableStatistics: true,
        includeOpForFullLoad: true,
        timestampColumnName: DMS_COLUMNS.commitTimestamp,
        useTaskStartTimeForFullLoadTimestamp: true,
        cdcInsertsOnly: false,
        cdcInsertsAndUpdates: false,
        cdcMaxBatchInterval: props.cdcMaxBatchIntervalSeconds,
        cdcMinFileSize: props.cdcMinFileSizeKb,
        // Full-load files are never written to date folders; see data-lake-layout.ts.
        datePartitionEnabled: false,
        encryptionMode: 'SSE_KMS',
        serverSideEncryptionKmsKeyId: props.encryptionKey.keyArn,
      },
    });
    // DMS checks the role's access when the endpoint is created.
    this.endpoint.node.addDependency(this.serviceAccessRole);
  }
}
