import { Aws } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Permission } from '../shared/grant';
import { grantPermissions } from '../shared/grant';
import { S3PrefixAccess } from '../shared/s3-prefix-access';

/** A relative S3 prefix ending with "/", without characters that IAM reads as wildcards. */
const PREFIX = /^([a-zA-Z0-9!_.'()-]+\/)+$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The S3 location where Amazon ML stages the rows it reads from a database. Roles are granted
 * access to this prefix only, through their own policies, so that no bucket policy in another
 * stack has to name them.
 */
export class StagingLocation {
  /** A prefix of a bucket of the app, encrypted with `encryptionKey` when given. */
  static inBucket(bucket: s3.IBucket, prefix: string, encryptionKey?: kms.IKey): StagingLocation {
    const problems = PREFIX.test(prefix)
      ? []
      : [
          `the staging prefix "${prefix}" must be relative and end with "/" (for example "exports/banking/"), without "*" or "?"`,
        ];
    return new StagingLocation(
      bucket.bucketName,
      bucket.bucketArn,
      prefix,
      encryptionKey,
      problems,
    );
  }

  /** An `s3://bucket/prefix/` location, encrypted with `encryptionKey` when given. */
  static fromUri(uri: string, encryptionKey?: kms.IKey): StagingLocation {
    const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
    if (!match) {
      return new StagingLocation('', '', '', encryptionKey, [
        `the staging location "${uri}" must look like s3://bucket/prefix/`,
      ]);
    }
    const [, bucketName, prefix] = match;
    const problems: string[] = [];
    if (!BUCKET_NAME.test(bucketName)) {
      problems.push(`the staging location "${uri}" does not name a valid S3 bucket`);
    }
    if (!PREFIX.test(prefix)) {
      problems.push(
        `the staging location "${uri}" needs a prefix that ends with "/" (s3://bucket/prefix/), without "*" or "?"`,
      );
    }
    const bucketArn = `arn:${Aws.PARTITION}:s3:::${bucketName}`;
    return new StagingLocation(bucketName, bucketArn, prefix, encryptionKey, problems);
  }

  /** The location as Amazon ML takes it: `s3://bucket/prefix/`. */
  readonly uri: string;
  /** The ARN of the objects under the prefix, for policies. */
  readonly objectsArn: string;
  private readonly access: S3PrefixAccess;

  private constructor(
    readonly bucketName: string,
    readonly bucketArn: string,
    readonly prefix: string,
    readonly encryptionKey: kms.IKey | undefined,
    private readonly locationProblems: string[],
  ) {
    this.uri = `s3://${bucketName}/${prefix}`;
    // Aws.REGION: the S3 endpoint of the Region of the stack whose policy names the key.
    this.access = new S3PrefixAccess({ bucketArn, prefix, region: Aws.REGION });
    this.objectsArn = this.access.objectsArn;
  }

  /** What is wrong with the location; empty when it is valid. */
  problems(): string[] {
    return [...this.locationProblems];
  }

  /**
   * Lets `grantee` write objects under the prefix (a Redshift UNLOAD, a Data Pipeline copy), and
   * use the key for them through S3.
   */
  grantWrite(grantee: iam.IGrantable): iam.Grant {
    return grantPermissions(
      grantee,
      this.access.onObjects(['s3:PutObject', 's3:AbortMultipartUpload']),
      // Multipart uploads decrypt the parts they assemble.
      ...this.keyUse(['kms:GenerateDataKey', 'kms:Decrypt']),
    );
  }

  /** Lets `grantee` list and read the objects under the prefix, and decrypt them through S3. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return grantPermissions(
      grantee,
      this.access.onObjects(['s3:GetObject']),
      this.access.onBucket(['s3:ListBucket'], { listPrefixOnly: true }),
      this.access.onBucket(['s3:GetBucketLocation']),
      ...this.keyUse(['kms:Decrypt']),
    );
  }

  /** Lets `grantee` list the objects under the prefix and delete them. */
  grantDelete(grantee: iam.IGrantable): iam.Grant {
    return grantPermissions(
      grantee,
      this.access.onObjects(['s3:DeleteObject']),
      this.access.onBucket(['s3:ListBucket'], { listPrefixOnly: true }),
    );
  }

  /** The ARNs that grants name with a wildcard, for the cdk-nag acknowledgements. */
  get wildcardResources(): string[] {
    return [this.objectsArn];
  }

  private keyUse(actions: string[]): Permission[] {
    return this.encryptionKey ? [this.access.onKey(this.encryptionKey, actions)] : [];
  }
}
