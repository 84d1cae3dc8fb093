import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** The service principal of Amazon Machine Learning. */
export const AMAZON_ML_PRINCIPAL = 'machinelearning.amazonaws.com';

/** The staging prefix of an Amazon ML datasource, and who writes the export there. */
export interface AmazonMlStagingPrefix {
  /** The prefix, relative and ending with `/`. */
  readonly prefix: string;
  /**
   * Whether Amazon ML writes the export itself, as for Redshift (an UNLOAD), rather than a Data
   * Pipeline instance with its own role, as for RDS.
   */
  readonly writtenByAmazonMl: boolean;
}

/**
 * Admits Amazon ML, acting for this account's Amazon ML resources only (`aws:SourceAccount`,
 * `aws:SourceArn`), to the staging prefixes of the datasources: it lists and reads each
 * prefix, and writes the prefixes it exports to, through the bucket policy; and the bucket's
 * key lets it decrypt (and encrypt, where it writes) through S3 only.
 *
 * The statements are declared here because CloudFormation owns the whole bucket policy: a
 * statement that Amazon ML added through its role would be erased by the next deployment of
 * the policy, so the role is not allowed to change it.
 */
export function admitAmazonMlToStaging(
  bucket: s3.IBucket,
  key: kms.IKey,
  prefixes: readonly AmazonMlStagingPrefix[],
): void {
  if (prefixes.length === 0) return;
  const principals = [new iam.ServicePrincipal(AMAZON_ML_PRINCIPAL)];
  const fromThisAccount = {
    StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
    ArnLike: {
      'aws:SourceArn': `arn:${Aws.PARTITION}:machinelearning:${Aws.REGION}:${Aws.ACCOUNT_ID}:*`,
    },
  };
  const objects = (entries: readonly AmazonMlStagingPrefix[]) =>
    entries.map((entry) => bucket.arnForObjects(`${entry.prefix}*`));
  const written = prefixes.filter((entry) => entry.writtenByAmazonMl);

  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AmazonMlListsStaging',
      principals,
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: {
        ...fromThisAccount,
        StringLike: { 's3:prefix': prefixes.map((entry) => `${entry.prefix}*`) },
      },
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AmazonMlReadsStaging',
      principals,
      actions: ['s3:GetObject'],
      resources: objects(prefixes),
      conditions: fromThisAccount,
    }),
  );
  if (written.length > 0) {
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AmazonMlWritesStaging',
        principals,
        // A PUT that carries an ACL (bucket-owner-full-control) needs s3:PutObjectAcl too; the
        // bucket enforces bucket ownership, so no ACL takes effect.
        actions: ['s3:PutObject', 's3:PutObjectAcl'],
        resources: objects(written),
        conditions: fromThisAccount,
      }),
    );
  }

  // The key policy cannot name the bucket, whose key it is (a circular reference), and the
  // documents do not say which condition keys S3 passes on when it calls KMS for a service:
  // it admits Amazon ML through S3 in this Region only, and the bucket policies decide which
  // objects Amazon ML may read, here the staging prefixes above.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AmazonMlUsesKeyThroughS3',
      principals,
      actions: written.length > 0 ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
    }),
  );
}
