import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Properties of an {@link AmazonMlRole}. */
export interface AmazonMlRoleProps {
  /** The id prefix of the datasources that may use the role (`banking-redshift`). */
  readonly dataSourceIdPrefix: string;
  /** What the role lets Amazon ML do, shown in the IAM console. */
  readonly description: string;
}

/**
 * The role that Amazon ML assumes to read a source into its staging location. It trusts
 * Amazon ML only for this account's datasources whose id starts with the given prefix
 * (`aws:SourceAccount`, `aws:SourceArn`), which keeps other callers of the service from using
 * it as a confused deputy.
 */
export class AmazonMlRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AmazonMlRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      description: props.description,
      assumedBy: new iam.ServicePrincipal('machinelearning.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': dataSourceArn(this, `${props.dataSourceIdPrefix}-*`) },
        },
      }),
    });
  }
}

/** The ARN of an Amazon ML datasource of this stack's account and region. */
export function dataSourceArn(scope: Construct, dataSourceId: string): string {
  return Stack.of(scope).formatArn({
    service: 'machinelearning',
    resource: 'datasource',
    resourceName: dataSourceId,
  });
}
