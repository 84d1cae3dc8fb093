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

/**
 * A policy on the devices' token exchange role that lets Greengrass download the component
 * artifacts: the model under its prefix and each uploaded object, and nothing else.
 */
export class TokenExchangeAccess extends Construct {
  readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, props: TokenExchangeAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const role = iam.Role.fromRoleName(this, 'Role', props.roleName);
    const assetObjects = (props.assets ?? []).map((asset) =>
      stack.formatArn({
        service: 's3',
        region: '',
        account: '',
        resource: asset.s3BucketName,
        resourceName: asset.s3ObjectKey,
      }),
    );

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
