import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Properties of an {@link AmazonMlRole}. */
export interface AmazonMlRoleProps {
  /** What the role lets Amazon ML do, shown in the IAM console. */
  readonly description: string;
}

/**
 * The role that Amazon ML assumes to read a source into its staging location. It trusts
 * Amazon ML only when it acts for a datasource of this account and Region (`aws:SourceAccount`
 * and `aws:SourceArn`, in the form of the developer guide's role trust policies), which keeps
 * callers of the service in other accounts from using it as a confused deputy. Which
 * datasources use the role is up to whoever may pass it: only the datasource handler.
 */
export class AmazonMlRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AmazonMlRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      description: props.description,
      assumedBy: amazonMlPrincipal(this),
    });
  }
}

/**
 * Amazon ML as a principal, acting for a datasource of this stack's account and Region only.
 */
export function amazonMlPrincipal(scope: Construct): iam.ServicePrincipal {
  return new iam.ServicePrincipal('machinelearning.amazonaws.com', {
    conditions: {
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
      ArnLike: { 'aws:SourceArn': dataSourceArn(scope, '*') },
    },
  });
}

/** The ARN of an Amazon ML datasource of this stack's account and region. */
export function dataSourceArn(scope: Construct, dataSourceId: string): string {
  return Stack.of(scope).formatArn({
    service: 'machinelearning',
    resource: 'datasource',
    resourceName: dataSourceId,
  });
}
