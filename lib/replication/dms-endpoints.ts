import { Stack } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DMS_COLUMNS } from './dms-columns';
import { dmsBucketFolder, generationBucketFolder } from './data-lake-layout';
import { RdsCertificateAuthority } from './rds-certificate-authority';
import { acknowledgeWildcardResources } from '../shared/nag';

/**
 * Who may assume a role that DMS uses for this account's endpoints: DMS, on behalf of a DMS
 * resource of this account and Region only (`aws:SourceAccount` and `aws:SourceArn`), which
 * keeps another account's DMS from using the role. DMS honours these keys from version 3.4.7.
 */
function dmsPrincipal(scope: Construct, ...services: string[]): iam.IPrincipal {
  const stack = Stack.of(scope);
  const conditions = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'dms', resource: '*' }) },
  };
  const principals = services.map((service) => new iam.ServicePrincipal(service));
  const principal =
    principals.length === 1 ? principals[0] : new iam.CompositePrincipal(...principals);
  return principal.withConditions(conditions);
}

/** Properties of {@link MySqlSourceEndpoint}. */
export interface MySqlSourceEndpointProps {
  /** Secret with the `host`, `port`, `username` and `password` DMS connects with. */
  readonly secret: secretsmanager.ISecret;
}

/**
 * The DMS source endpoint for MySQL. Its connection details come from Secrets Manager at run
 * time, through a role that may read only that secret: no password appears in the template.
 * DMS connects over TLS and verifies the server's certificate against the RDS root
 * certificates of the Region, and the host name against it (`verify-full`; for a MySQL source
 * DMS supports `verify-ca` and `verify-full`, not `require`).
 */
export class MySqlSourceEndpoint extends Construct {
  readonly endpoint: dms.CfnEndpoint;
  readonly secretAccessRole: iam.Role;
  readonly certificateAuthority: RdsCertificateAuthority;

  constructor(scope: Construct, id: string, props: MySqlSourceEndpointProps) {
    super(scope, id);
    this.secretAccessRole = new iam.Role(this, 'SecretAccessRole', {
      description: 'Lets DMS read the connection secret of the MySQL source endpoint',
      // Secrets Manager access is granted to the regional DMS principal.
      assumedBy: dmsPrincipal(
        this,
        'dms.amazonaws.com',
        `dms.${Stack.of(this).region}.amazonaws.com`,
      ),
    });
    props.secret.grantRead(this.secretAccessRole);
    this.certificateAuthority = new RdsCertificateAuthority(this, 'RdsCertificateAuthority');

    this.endpoint = new dms.CfnEndpoint(this, 'Endpoint', {
      endpointType: 'source',
      engineName: 'mysql',
      sslMode: 'verify-full',
      certificateArn: this.certificateAuthority.certificate.ref,
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
  /** The endpoint's identifier: one per replication generation. */
  readonly endpointIdentifier: string;
  /** The data lake bucket. */
  readonly bucket: s3.IBucket;
  /** The key that encrypts what DMS writes. */
  readonly encryptionKey: kms.IKey;
  /** Prefix of the bucket that every generation writes under, ending with a slash. */
  readonly bucketFolder: string;
  /** The replication generation, whose folder under `bucketFolder` the endpoint writes. */
  readonly generation: number;
  /** Longest time DMS holds changes before writing a file, in seconds. */
  readonly cdcMaxBatchIntervalSeconds: number;
  /** Smallest file DMS writes before the interval has passed, in KB. */
  readonly cdcMinFileSizeKb: number;
}

/**
 * The DMS target endpoint of one replication generation: it writes every change as a row to
 * Parquet files in the generation's folder of the data lake (`<bucketFolder>generation=<n>/`),
 * the operation first (`I` for full-load rows too), the commit timestamp, KMS-encrypted, in
 * few large files rather than many small ones.
 *
 * Its role may add files to that folder and nothing else, and may delete nothing anywhere in
 * the history: an explicit deny on every delete under `bucketFolder` holds whatever else is
 * granted. With `DO_NOTHING` preparation and the DDL handlers off (`task-settings.ts`), no
 * documented DMS operation of this app deletes; if DMS ever tries, it fails with AccessDenied
 * in the task log instead of removing history.
 */
export class S3TargetEndpoint extends Construct {
  readonly endpoint: dms.CfnEndpoint;
  readonly serviceAccessRole: iam.Role;
  /** The endpoint's `BucketFolder`: `<bucketFolder>generation=<n>`, without a trailing slash. */
  readonly bucketFolder: string;

  constructor(scope: Construct, id: string, props: S3TargetEndpointProps) {
    super(scope, id);
    this.bucketFolder = generationBucketFolder(props.bucketFolder, props.generation);

    this.serviceAccessRole = new iam.Role(this, 'ServiceAccessRole', {
      description: `Lets DMS add change data to ${this.bucketFolder}/ in the data lake, and delete nothing`,
      assumedBy: dmsPrincipal(this, 'dms.amazonaws.com'),
    });
    const generationObjects = props.bucket.arnForObjects(`${this.bucketFolder}/*`);
    const history = props.bucket.arnForObjects(`${dmsBucketFolder(props.bucketFolder)}/*`);
    this.serviceAccessRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:PutObjectTagging'],
        resources: [generationObjects],
      }),
    );
    this.serviceAccessRole.addToPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [history],
      }),
    );
    acknowledgeWildcardResources(
      this.serviceAccessRole,
      [generationObjects, history],
      'DMS names the files it writes (per table, per load and per batch of changes); the role may add files only under its generation folder, and is denied every delete under the change-data prefix.',
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
      endpointIdentifier: props.endpointIdentifier,
      engineName: 's3',
      s3Settings: {
        bucketName: props.bucket.bucketName,
        bucketFolder: this.bucketFolder,
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
