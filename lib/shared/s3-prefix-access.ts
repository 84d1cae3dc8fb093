import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Permission } from './grant';

/** Properties of an {@link S3PrefixAccess}. */
export interface S3PrefixAccessProps {
  /** ARN of the bucket. */
  readonly bucketArn: string;
  /**
   * The key prefix, ending with `/`.
   * @default - the whole bucket
   */
  readonly prefix?: string;
  /** The Region of the bucket: S3 there, and nothing else, may use the key for the principal. */
  readonly region: string;
}

/**
 * The permissions that reach the objects under a prefix of an S3 bucket, and the KMS key that
 * encrypts them, which the principal may use only through S3 (`kms:ViaService`): the key
 * decrypts the bucket's objects and nothing else. For identity policies (`grantPermissions`)
 * and policy documents (`new iam.PolicyStatement({ sid, ...permission })`).
 */
export class S3PrefixAccess {
  /** The ARN of every object under the prefix. */
  readonly objectsArn: string;
  private readonly bucketArn: string;
  private readonly prefix: string;
  private readonly region: string;

  constructor(props: S3PrefixAccessProps) {
    this.bucketArn = props.bucketArn;
    this.prefix = props.prefix ?? '';
    this.region = props.region;
    this.objectsArn = `${this.bucketArn}/${this.prefix}*`;
  }

  /** `actions` on the objects under the prefix. */
  onObjects(actions: string[]): Permission {
    return { actions, resources: [this.objectsArn] };
  }

  /**
   * `actions` on the bucket; with `listPrefixOnly`, `s3:ListBucket` lists the keys under the
   * prefix only (`s3:prefix`).
   */
  onBucket(actions: string[], options: { readonly listPrefixOnly?: boolean } = {}): Permission {
    return {
      actions,
      resources: [this.bucketArn],
      ...(options.listPrefixOnly
        ? { conditions: { StringLike: { 's3:prefix': [`${this.prefix}*`] } } }
        : {}),
    };
  }

  /**
   * `actions` on `key` through S3 in the bucket's Region only; with `bucketObjectsOnly`, only
   * for the bucket and its objects under the prefix (the encryption context that S3 sets,
   * `kms:EncryptionContext:aws:s3:arn`).
   */
  onKey(
    key: kms.IKey,
    actions: string[],
    options: { readonly bucketObjectsOnly?: boolean } = {},
  ): Permission {
    return {
      actions,
      resources: [key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` },
        ...(options.bucketObjectsOnly
          ? {
              StringLike: {
                'kms:EncryptionContext:aws:s3:arn': [this.bucketArn, this.objectsArn],
              },
            }
          : {}),
      },
    };
  }
}
