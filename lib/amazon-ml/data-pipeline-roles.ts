import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { grantPermissions } from '../shared/grant';
import { acknowledge, acknowledgeWildcardResources } from '../shared/nag';
import type { StagingLocation } from './staging-location';

/** Properties of {@link DataPipelineRoles}. */
export interface DataPipelineRolesProps {
  /**
   * `create` makes the two account-wide roles (creating a role that exists fails);
   * `existing` refers to them by name, as accounts that used Data Pipeline have them.
   */
  readonly mode: 'create' | 'existing';
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
 * The two roles of AWS Data Pipeline, which Amazon ML names in the pipelines it creates for
 * RDS datasources: `DataPipelineDefaultRole` (the service's) and
 * `DataPipelineDefaultResourceRole` (its EC2 instances', with an instance profile of the same
 * name). Their names are fixed and account-wide.
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
    this.created = props.mode === 'create';
    if (!this.created) {
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
      roleName: DataPipelineRoles.RESOURCE_ROLE_NAME,
      description: 'EC2 instances of AWS Data Pipeline: run pipeline tasks',
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    });
    const instanceProfile = new iam.CfnInstanceProfile(this, 'InstanceProfile', {
      instanceProfileName: DataPipelineRoles.RESOURCE_ROLE_NAME,
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
      roleName: DataPipelineRoles.SERVICE_ROLE_NAME,
      description: 'AWS Data Pipeline: run the EC2 instances of pipelines',
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('datapipeline.amazonaws.com'),
        new iam.ServicePrincipal('elasticmapreduce.amazonaws.com'),
      ),
    });
    const instanceProfileArn = Stack.of(this).formatArn({
      service: 'iam',
      region: '',
      resource: 'instance-profile',
      resourceName: DataPipelineRoles.RESOURCE_ROLE_NAME,
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
