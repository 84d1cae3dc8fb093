import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { IDependable } from 'constructs';
import { operationalLogGroup } from '../shared/log-group';
import { acknowledgeBuiltInProvider } from '../shared/provider-acknowledgements';
import { CUSTOM_RESOURCE_SERVICE_TIMEOUT } from '../shared/shared-provider';
import { DmsVpcRoleReady } from './replication-control';

/** Properties of {@link DmsServiceRoles}. */
export interface DmsServiceRolesProps {
  /**
   * `create` makes the two roles unless the account has them; `existing` uses the ones the
   * account has.
   */
  readonly mode: 'create' | 'existing';
  /** The subnets of the replication, in which the check that DMS can use `dms-vpc-role` runs. */
  readonly subnetIds: string[];
  /** The name of the subnet group that check creates and deletes again. */
  readonly probeSubnetGroupIdentifier: string;
}

/** The names DMS looks the roles up by; they are fixed by the service. */
export const DMS_VPC_ROLE_NAME = 'dms-vpc-role';
export const DMS_CLOUDWATCH_LOGS_ROLE_NAME = 'dms-cloudwatch-logs-role';

/** The AWS managed policy each role carries. */
const MANAGED_POLICIES: Readonly<Record<string, string>> = {
  [DMS_VPC_ROLE_NAME]: 'AmazonDMSVPCManagementRole',
  [DMS_CLOUDWATCH_LOGS_ROLE_NAME]: 'AmazonDMSCloudWatchLogsRole',
};

/**
 * The account-wide roles that DMS needs before it can place a replication in a VPC and write
 * its logs, and a check that DMS can use `dms-vpc-role`, which everything that DMS places in
 * the VPC waits for.
 *
 * The roles belong to the account, not to this app: the DMS console creates them the first
 * time anyone uses it, and every DMS workload of the account uses them. So with `create` the
 * app makes each role only if the account lacks it (a role with a fixed name that exists cannot
 * be created again, so a CloudFormation role would fail in any account that used DMS before),
 * and never deletes it, also when a first deployment rolls back: nothing is left that blocks
 * the next attempt. A role the app makes trusts DMS on behalf of this account only
 * (`aws:SourceAccount`); no `aws:SourceArn`, as the same role serves every instance and
 * serverless replication of the account.
 *
 * IAM is eventually consistent, and a dependency on the role does not wait for DMS to see it:
 * {@link ready} completes once DMS accepts the role for a subnet group in the replication's
 * subnets.
 */
export class DmsServiceRoles extends Construct {
  readonly vpcRole: iam.IRole;
  readonly cloudWatchLogsRole: iam.IRole;
  /** What a DMS resource in the VPC must depend on: DMS can use `dms-vpc-role`. */
  readonly ready: IDependable[];

  constructor(scope: Construct, id: string, props: DmsServiceRolesProps) {
    super(scope, id);
    this.vpcRole = iam.Role.fromRoleName(this, 'VpcRole', DMS_VPC_ROLE_NAME);
    this.cloudWatchLogsRole = iam.Role.fromRoleName(
      this,
      'CloudWatchLogsRole',
      DMS_CLOUDWATCH_LOGS_ROLE_NAME,
    );
    const made = props.mode === 'create' ? this.makeMissingRoles() : [];
    const check = new DmsVpcRoleReady(this, 'VpcRoleReady', {
      probeSubnetGroupIdentifier: props.probeSubnetGroupIdentifier,
      subnetIds: props.subnetIds,
      dependsOn: made,
    });
    this.ready = [check.resource];
  }

  /** Creates each role the account lacks and attaches its managed policy; deletes nothing. */
  private makeMissingRoles(): IDependable[] {
    const stack = Stack.of(this);
    const roleArns = Object.keys(MANAGED_POLICIES).map((name) =>
      stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: name,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    const policyArns = Object.values(MANAGED_POLICIES).map(
      (policy) => `arn:${stack.partition}:iam::aws:policy/service-role/${policy}`,
    );
    const logGroup = operationalLogGroup(this, 'RoleSetupLogs');
    // The role of aws-cdk-lib's AwsCustomResource function: it may create only these two roles
    // and attach only their managed policies.
    const setupRole = new iam.Role(this, 'RoleSetupRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Makes the DMS service roles that the account lacks',
    });
    setupRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    setupRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['iam:CreateRole'], resources: roleArns }),
    );
    setupRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:AttachRolePolicy'],
        resources: roleArns,
        conditions: { ArnEquals: { 'iam:PolicyARN': policyArns } },
      }),
    );
    const sdkCall = (id: string, call: cr.AwsSdkCall) => {
      const resource = new cr.AwsCustomResource(this, id, {
        resourceType: 'Custom::DmsServiceRole',
        onCreate: call,
        onUpdate: call,
        role: setupRole,
        logGroup,
        installLatestAwsSdk: false,
        serviceTimeout: CUSTOM_RESOURCE_SERVICE_TIMEOUT,
      });
      resource.node.addDependency(setupRole);
      return resource;
    };

    const made: IDependable[] = [];
    for (const [name, managedPolicy] of Object.entries(MANAGED_POLICIES)) {
      const slug = name === DMS_VPC_ROLE_NAME ? 'VpcRole' : 'CloudWatchLogsRole';
      const create = sdkCall(`Make${slug}`, {
        service: 'IAM',
        action: 'CreateRole',
        parameters: {
          RoleName: name,
          Description: `The role DMS uses by this name, made by ${stack.stackName}; kept for every DMS workload of the account`,
          AssumeRolePolicyDocument: stack.toJsonString({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'dms.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': stack.account } },
              },
            ],
          }),
        },
        physicalResourceId: cr.PhysicalResourceId.of(name),
        // The account has the role already: it is used as it is.
        ignoreErrorCodesMatching: 'EntityAlreadyExists',
      });
      const attach = sdkCall(`Attach${slug}Policy`, {
        service: 'IAM',
        action: 'AttachRolePolicy',
        parameters: {
          RoleName: name,
          PolicyArn: `arn:${stack.partition}:iam::aws:policy/service-role/${managedPolicy}`,
        },
        physicalResourceId: cr.PhysicalResourceId.of(`${name}:${managedPolicy}`),
      });
      attach.node.addDependency(create);
      made.push(attach);
    }
    // The function of aws-cdk-lib's AwsCustomResource, one per stack.
    acknowledgeBuiltInProvider(
      this,
      `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
      'makes the DMS service roles',
    );
    return made;
  }
}
