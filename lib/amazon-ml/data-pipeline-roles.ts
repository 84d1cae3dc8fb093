import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { grantPermissions } from '../shared/grant';
import { acknowledge, acknowledgeWildcardResources } from '../shared/nag';
import { amazonMlPrincipal } from './amazon-ml-role';
import { checkRoleExists } from './existing-role-check';
import type { StagingLocation } from './staging-location';

/** Properties of {@link DataPipelineRoles}. */
export interface DataPipelineRolesProps {
  /**
   * `dedicated` creates the two roles for this app's datasources, with names CloudFormation
   * generates (prefixed with the stack name); `existing` uses the account-wide
   * `DataPipelineDefaultRole` and `DataPipelineDefaultResourceRole`.
   */
  readonly mode: 'dedicated' | 'existing';
}

/** EC2 actions that AWS Data Pipeline uses to run, watch and stop its instances. */
const PIPELINE_EC2_ACTIONS = [
  'ec2:CreateTags',
  'ec2:DeleteTags',
  'ec2:RunInstances',
  'ec2:TerminateInstances',
  'ec2:ModifyInstanceAttribute',
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DetachNetworkInterface',
  'ec2:DescribeAccountAttributes',
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeImages',
  'ec2:DescribeInstanceStatus',
  'ec2:DescribeInstances',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeRouteTables',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcs',
  'ec2:DescribeVolumes',
];

/** Actions of the Task Runner on a pipeline instance: take tasks and report on them. */
const TASK_RUNNER_ACTIONS = [
  'datapipeline:PollForTask',
  'datapipeline:ReportTaskProgress',
  'datapipeline:ReportTaskRunnerHeartbeat',
  'datapipeline:SetTaskStatus',
  'datapipeline:DescribeObjects',
  'datapipeline:EvaluateExpression',
];

/**
 * The two roles of the AWS Data Pipeline that Amazon ML creates for each RDS datasource: the
 * service role, which Data Pipeline assumes to run the pipeline's EC2 instance, and the
 * resource role, which that instance runs as, with an instance profile of the same name.
 * Amazon ML takes them by name (`RDSDataSpec.ServiceRole`, `ResourceRole`: any name of 1 to 64
 * characters), so dedicated roles with generated names work on every account and collide with
 * nothing; existing ones are the account-wide defaults of accounts that used Data Pipeline.
 */
export class DataPipelineRoles extends Construct {
  static readonly SERVICE_ROLE_NAME = 'DataPipelineDefaultRole';
  static readonly RESOURCE_ROLE_NAME = 'DataPipelineDefaultResourceRole';

  readonly serviceRole: iam.IRole;
  readonly resourceRole: iam.IRole;
  /** Whether this app created the roles. */
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: DataPipelineRolesProps) {
    super(scope, id);
    this.created = props.mode === 'dedicated';
    if (!this.created) {
      for (const roleName of [
        DataPipelineRoles.SERVICE_ROLE_NAME,
        DataPipelineRoles.RESOURCE_ROLE_NAME,
      ]) {
        checkRoleExists(this, {
          roleName,
          advice:
            'amazonMl.dataPipelineRoles is "existing", which needs the account-wide roles of an account that used AWS Data Pipeline; set it to "dedicated" to create roles for this app',
        });
      }
      this.serviceRole = iam.Role.fromRoleName(
        this,
        'ServiceRole',
        DataPipelineRoles.SERVICE_ROLE_NAME,
        { mutable: false },
      );
      // Mutable: the instances write to staging locations encrypted with the app's key, which
      // the managed policy of an existing role does not cover; this stack adds that policy.
      this.resourceRole = iam.Role.fromRoleName(
        this,
        'ResourceRole',
        DataPipelineRoles.RESOURCE_ROLE_NAME,
      );
      return;
    }

    const resourceRole = new iam.Role(this, 'ResourceRole', {
      description:
        'EC2 instances of the AWS Data Pipeline of Amazon ML RDS datasources: copy rows to staging',
      // The instances assume it; the Amazon ML guide's RDS page lists Amazon ML as trusted too.
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('ec2.amazonaws.com'),
        amazonMlPrincipal(this),
      ),
    });
    // Data Pipeline launches the instance with the instance profile named like the role.
    const instanceProfile = new iam.CfnInstanceProfile(this, 'InstanceProfile', {
      instanceProfileName: resourceRole.roleName,
      roles: [resourceRole.roleName],
    });
    resourceRole.addToPolicy(
      new iam.PolicyStatement({ actions: TASK_RUNNER_ACTIONS, resources: ['*'] }),
    );
    acknowledge(
      resourceRole,
      'AwsSolutions-IAM5',
      'Resource::*',
      'The Task Runner takes tasks of pipelines that Amazon ML creates at run time, whose ids are not known in advance.',
    );

    const serviceRole = new iam.Role(this, 'ServiceRole', {
      description: 'AWS Data Pipeline of Amazon ML RDS datasources: run the pipeline EC2 instances',
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('datapipeline.amazonaws.com'),
        new iam.ServicePrincipal('elasticmapreduce.amazonaws.com'),
      ),
    });
    const instanceProfileArn = Stack.of(this).formatArn({
      service: 'iam',
      region: '',
      resource: 'instance-profile',
      resourceName: instanceProfile.ref,
    });
    serviceRole.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'iam:GetRole',
          'iam:GetRolePolicy',
          'iam:ListAttachedRolePolicies',
          'iam:ListRolePolicies',
        ],
        resources: [serviceRole.roleArn, resourceRole.roleArn],
      }),
    );
    serviceRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [resourceRole.roleArn] }),
    );
    serviceRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:GetInstanceProfile'],
        resources: [instanceProfileArn],
      }),
    );
    serviceRole.addToPolicy(
      new iam.PolicyStatement({
        actions: [...PIPELINE_EC2_ACTIONS, 'iam:ListInstanceProfiles'],
        resources: ['*'],
      }),
    );
    serviceRole.node.addDependency(instanceProfile);
    acknowledge(
      serviceRole,
      'AwsSolutions-IAM5',
      'Resource::*',
      'Data Pipeline launches and terminates instances whose ids are not known in advance; EC2 Describe actions and iam:ListInstanceProfiles do not support resource-level permissions.',
    );
    this.serviceRole = serviceRole;
    this.resourceRole = resourceRole;
  }

  /** The ARNs of both roles, for `iam:PassRole`. */
  get roleArns(): string[] {
    return [this.serviceRole.roleArn, this.resourceRole.roleArn];
  }

  /** Lets the pipeline instances write the rows they copy into `staging`, and read them back. */
  grantStaging(staging: StagingLocation): iam.Grant {
    const grant = staging
      .grantWrite(this.resourceRole)
      .combine(staging.grantRead(this.resourceRole));
    acknowledgeWildcardResources(
      this.resourceRole,
      staging.wildcardResources,
      'Data Pipeline instances write objects with generated names under the staging prefix of each RDS datasource only.',
    );
    return grant;
  }

  /**
   * Lets the roles this app created describe the database, which pipelines find by instance id.
   * Existing roles keep their own policies, which allow it: for them the grant is dropped.
   */
  grantDescribeDatabase(rdsInstanceArn: string): iam.Grant {
    if (!this.created) {
      return iam.Grant.drop(this.resourceRole, 'describe the database with the existing roles');
    }
    return grantPermissions([this.serviceRole, this.resourceRole], {
      actions: ['rds:DescribeDBInstances'],
      resources: [rdsInstanceArn],
    });
  }
}
