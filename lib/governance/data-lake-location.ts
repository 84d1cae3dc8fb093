import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../shared/nag';
import { S3PrefixAccess } from '../shared/s3-prefix-access';

/** Properties of a {@link DataLakeLocation}. */
export interface DataLakeLocationProps {
  /** The bucket registered with Lake Formation. */
  readonly bucket: s3.IBucket;
  /** The key that encrypts the bucket's objects. */
  readonly key: kms.IKey;
}

/**
 * The data lake bucket registered with Lake Formation, through a role of its own. Lake
 * Formation assumes the role to hand scoped credentials to Athena and Glue for what a principal
 * was granted. The service-linked role would do for this bucket (it is ruled out only for
 * locations in another account, encrypted with the AWS managed `aws/s3` key, or read by EMR:
 * Lake Formation, "Requirements for roles used to register locations"); a role of the app's
 * own makes its access to the bucket and to the key explicit and reviewable here.
 */
export class DataLakeLocation extends Construct {
  /** The registration. */
  readonly resource: lakeformation.CfnResource;
  /** The role Lake Formation reads and writes the location with. */
  readonly role: iam.Role;
  /** ARN of the registered location, for DATA_LOCATION_ACCESS grants. */
  readonly locationArn: string;

  constructor(scope: Construct, id: string, props: DataLakeLocationProps) {
    super(scope, id);
    const { bucket, key } = props;
    const region = Stack.of(this).region;

    const location = new S3PrefixAccess({ bucketArn: bucket.bucketArn, region });
    const lakeFormation = new iam.ServicePrincipal('lakeformation.amazonaws.com');
    this.role = new iam.Role(this, 'Role', {
      description:
        'Assumed by Lake Formation to access the data lake bucket for granted principals',
      assumedBy: lakeFormation,
      inlinePolicies: {
        location: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement(location.onBucket(['s3:ListBucket', 's3:GetBucketLocation'])),
            new iam.PolicyStatement(
              location.onObjects(['s3:GetObject', 's3:PutObject', 's3:DeleteObject']),
            ),
            new iam.PolicyStatement(location.onKey(key, ['kms:Decrypt', 'kms:GenerateDataKey'])),
          ],
        }),
      },
    });
    // Carries the IAM Identity Center user into CloudTrail when such users query.
    this.role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({ actions: ['sts:SetContext'], principals: [lakeFormation] }),
    );
    acknowledgeWildcardResources(
      this.role,
      [location.objectsArn],
      'Lake Formation reads and writes any object under the registered bucket on behalf of granted principals; its grants decide which tables, and so which objects, each principal reaches.',
    );

    this.locationArn = bucket.bucketArn;
    this.resource = new lakeformation.CfnResource(this, 'Registration', {
      resourceArn: this.locationArn,
      roleArn: this.role.roleArn,
      useServiceLinkedRole: false,
      hybridAccessEnabled: false,
    });
  }
}
