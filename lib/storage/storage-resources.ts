import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** The key and buckets that every other stack of the app writes to. */
export interface StorageResources {
  /** Customer-managed key that encrypts the data buckets. */
  readonly dataKey: kms.IKey;
  /** Where Amazon ML writes the exports of its datasources. */
  readonly amazonMlStagingBucket: s3.IBucket;
  /** Where DMS writes the change history of the source tables. */
  readonly dataLakeBucket: s3.IBucket;
  /** Where Athena writes query results. */
  readonly athenaResultsBucket: s3.IBucket;
  /** Where Greengrass component artifacts (models, inference client) live. */
  readonly edgeArtifactsBucket: s3.IBucket;
  /** Where S3 server access logs of the other buckets go. */
  readonly accessLogsBucket: s3.IBucket;
}
