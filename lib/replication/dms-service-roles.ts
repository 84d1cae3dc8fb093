import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { IDependable } from 'constructs';
import { acknowledge } from '../shared/nag';

/** Properties of {@link DmsServiceRoles}. */
export interface DmsServiceRolesProps {
  /**
   * `create` makes the two roles; `existing` refers to the ones the account already has
   * (creating a role that exists fails the deployment).
   */
  readonly mode: 'create' | 'existing';
}

/** The names DMS looks the roles up by; they are fixed by the service. */
export const DMS_VPC_ROLE_NAME = 'dms-vpc-role';
export const DMS_CLOUDWATCH_LOGS_ROLE_NAME = 'dms-cloudwatch-logs-role';

/**
 * The account-wide roles that DMS needs before it can place a replication in a VPC and write
 * its logs. Created roles are retained when the stack is deleted: other DMS workloads of the
 * account rely on them too.
 */
export class DmsServiceRoles extends Construct {
  readonly vpcRole: iam.IRole;
  readonly cloudWatchLogsRole: iam.IRole;
  /**
   * What a DMS resource must depend on so that the roles exist first; empty when the roles are
   * referenced.
   */
  readonly created: IDependable[];

  constructor(scope: Construct, id: string, props: DmsServiceRolesProps) {
    super(scope, id);
    if (props.mode === 'existing') {
      this.vpcRole = iam.Role.fromRoleName(this, 'VpcRole', DMS_VPC_ROLE_NAME);
      this.cloudWatchLogsRole = iam.Role.fromRoleName(
        this,
        'CloudWatchLogsRole',
        DMS_CLOUDWATCH_LOGS_ROLE_NAME,
      );
      this.created = [];
      return;
    }
    const vpcRole = this.createRole(
      'VpcRole',
      DMS_VPC_ROLE_NAME,
      'AmazonDMSVPCManagementRole',
      'Lets DMS manage the network interfaces of replication instances and serverless replications',
    );
    const logsRole = this.createRole(
      'CloudWatchLogsRole',
      DMS_CLOUDWATCH_LOGS_ROLE_NAME,
      'AmazonDMSCloudWatchLogsRole',
      'Lets DMS write replication logs to CloudWatch Logs',
    );
    this.vpcRole = vpcRole;
    this.cloudWatchLogsRole = logsRole;
    this.created = [vpcRole, logsRole];
  }

  private createRole(
    id: string,
    roleName: string,
    managedPolicy: string,
    description: string,
  ): iam.Role {
    const role = new iam.Role(this, id, {
      roleName,
      description,
      assumedBy: new iam.ServicePrincipal('dms.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName(`service-role/${managedPolicy}`),
      ],
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledge(
      role,
      'AwsSolutions-IAM4',
      `Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${managedPolicy}`,
      `DMS requires the role named ${roleName} to carry exactly this AWS managed policy; the service looks it up by name.`,
    );
    return role;
  }
}
