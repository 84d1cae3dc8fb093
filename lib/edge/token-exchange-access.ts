import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../shared/nag';
import { S3PrefixAccess } from '../shared/s3-prefix-access';

/** Properties of a {@link TokenExchangeAccess}. */
export interface TokenExchangeAccessProps {
  /** Name of the existing role that the core devices' token exchange role alias points to. */
  readonly roleName: string;
  /** Bucket that holds the model artifacts. */
  readonly artifactsBucket: s3.IBucket;
  /** Prefix of the model artifacts, ending with `/`. */
  readonly artifactPrefix: string;
  /** Key that encrypts the bucket. */
  readonly encryptionKey: kms.IKey;
  /**
   * Uploaded component artifacts that the devices download as well.
   * @default - none
   */
  readonly assets?: s3assets.Asset[];
}

/** `arns` without repeats (assets share the bootstrap bucket), compared as the template holds them. */
function distinct(stack: Stack, arns: string[]): string[] {
  const seen = new Set<string>();
  return arns.filter((arn) => {
    const resolved = JSON.stringify(stack.resolve(arn));
    if (seen.has(resolved)) return false;
    seen.add(resolved);
    return true;
  });
}

/**
 * A policy on the devices' token exchange role that lets Greengrass download the component
 * artifacts: the model under its prefix and each uploaded object, the Region of their buckets,
 * and nothing else. The installer's default role policy allows `s3:GetBucketLocation` already;
 * a custom role does not.
 */
export class TokenExchangeAccess extends Construct {
  readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, props: TokenExchangeAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const role = iam.Role.fromRoleName(this, 'Role', props.roleName);
    const assets = props.assets ?? [];
    const s3Arn = (bucket: string, key?: string) =>
      stack.formatArn({
        service: 's3',
        region: '',
        account: '',
        resource: bucket,
        resourceName: key,
      });
    const assetObjects = assets.map((asset) => s3Arn(asset.s3BucketName, asset.s3ObjectKey));
    const bucketArns = distinct(stack, [
      props.artifactsBucket.bucketArn,
      ...assets.map((asset) => s3Arn(asset.s3BucketName)),
    ]);

    const modelArtifacts = new S3PrefixAccess({
      bucketArn: props.artifactsBucket.bucketArn,
      prefix: props.artifactPrefix,
      region: stack.region,
    });
    this.policy = new iam.Policy(this, 'Policy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadModelArtifacts',
          ...modelArtifacts.onObjects(['s3:GetObject']),
        }),
        // The nucleus asks for a bucket's Region (GetBucketLocation) before it downloads from it.
        new iam.PolicyStatement({
          sid: 'LocateArtifactBuckets',
          actions: ['s3:GetBucketLocation'],
          resources: bucketArns,
        }),
        new iam.PolicyStatement({
          sid: 'DecryptModelArtifacts',
          ...modelArtifacts.onKey(props.encryptionKey, ['kms:Decrypt']),
        }),
        ...(assetObjects.length > 0
          ? [
              new iam.PolicyStatement({
                sid: 'ReadComponentArtifacts',
                actions: ['s3:GetObject'],
                resources: assetObjects,
              }),
            ]
          : []),
      ],
    });
    acknowledgeWildcardResources(
      this.policy,
      [modelArtifacts.objectsArn],
      'Greengrass downloads the model artifacts, whose names the packaging job chooses, from the configured prefix only.',
    );
  }
}
