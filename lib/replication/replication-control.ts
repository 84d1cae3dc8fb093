import * as path from 'node:path';
import { ArnFormat, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type { IDependable } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcardResources } from '../shared/nag';
import { CUSTOM_RESOURCE_SERVICE_TIMEOUT, SharedProvider } from '../shared/shared-provider';
import type { DmsVpcRoleReadyProperties } from './handler/dms-vpc-role-ready-properties';
import { DMS_VPC_ROLE_READY_RESOURCE_TYPE } from './handler/dms-vpc-role-ready-properties';
import type { ReplicationPauseProperties } from './handler/replication-pause-properties';
import { REPLICATION_PAUSE_RESOURCE_TYPE } from './handler/replication-pause-properties';
import type { ReplicationStartProperties } from './handler/replication-start-properties';
import { REPLICATION_START_RESOURCE_TYPE } from './handler/replication-start-properties';

/**
 * CloudFormation creates a DMS replication but does not start it, and cannot modify or delete
 * one that runs. Two custom resources close the gap: {@link ReplicationPause}, ordered before
 * the replication and its endpoints, stops the replication when their settings are about to
 * change; {@link ReplicationStart}, ordered after it, starts it after create, resumes it after
 * an update, and stops it before delete. Both carry the same fingerprint of the settings, so
 * that a change of settings reaches both.
 */

/** The replications a {@link ReplicationPause} stops. */
export type PauseScope =
  | {
      readonly engine: 'instance';
      /** Every task on this replication instance is stopped. */
      readonly replicationInstanceArn: string;
    }
  | {
      readonly engine: 'serverless';
      /** The serverless replication of this configuration is stopped. */
      readonly replicationConfigIdentifier: string;
    };

/** The replication a {@link ReplicationStart} runs. */
export type StartTarget =
  | {
      readonly engine: 'instance';
      readonly replicationTaskArn: string;
      /** The instance the task runs on, which tests the endpoint connections first. */
      readonly replicationInstanceArn: string;
      /** The task's source and target endpoints. */
      readonly endpointArns: string[];
    }
  | { readonly engine: 'serverless'; readonly replicationConfigArn: string };

/**
 * The tag that every replication of the app carries, key and value: the only replications the
 * control functions may stop or start (`aws:ResourceTag`, which DMS evaluates for
 * StopReplicationTask and StopReplication on tasks and replication configurations).
 */
export interface ReplicationTag {
  readonly key: string;
  readonly value: string;
}

/** The stack's one provider for pausing and starting replications. */
function controlProvider(scope: Construct): SharedProvider {
  return SharedProvider.of(scope, 'DmsReplicationControlProvider', {
    entry: path.join(__dirname, 'handler', 'replication-control.ts'),
    description: 'Stops DMS replications before CloudFormation changes them, starts them after',
    polls: true,
    queryInterval: Duration.seconds(30),
  });
}

function dmsArn(scope: Construct, resource: string, resourceName: string): string {
  return Stack.of(scope).formatArn({
    service: 'dms',
    resource,
    resourceName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The DMS actions that read, start and stop a replication, by engine. */
const DMS_ACTIONS = {
  instance: {
    describe: 'dms:DescribeReplicationTasks',
    start: 'dms:StartReplicationTask',
    stop: 'dms:StopReplicationTask',
  },
  serverless: {
    describe: 'dms:DescribeReplications',
    start: 'dms:StartReplication',
    stop: 'dms:StopReplication',
  },
} as const;

/** A custom resource of the control provider, which waits up to CloudFormation's hour. */
function controlResource(
  scope: Construct,
  provider: SharedProvider,
  resourceType: string,
  properties: object,
): CustomResource {
  return new CustomResource(scope, 'Resource', {
    serviceToken: provider.serviceToken,
    resourceType,
    properties: { ...properties },
    serviceTimeout: CUSTOM_RESOURCE_SERVICE_TIMEOUT,
  });
}

const describeGrants = new WeakMap<SharedProvider, Map<string, iam.Grant>>();

/**
 * Lets the provider's handlers read replication status with `action`, which DMS authorizes on
 * any resource only; granted once per provider, however many resources ask.
 */
function grantDescribe(provider: SharedProvider, action: string): iam.Grant {
  const granted = describeGrants.get(provider) ?? new Map<string, iam.Grant>();
  describeGrants.set(provider, granted);
  const earlier = granted.get(action);
  if (earlier) return earlier;
  const grant = provider.grant({ actions: [action], resources: ['*'] });
  granted.set(action, grant);
  for (const role of provider.roles) {
    acknowledge(
      role,
      'AwsSolutions-IAM5',
      'Resource::*',
      `${action} is a list operation that DMS authorizes on all resources only; it reads status and changes nothing.`,
    );
  }
  return grant;
}

/** Properties of {@link ReplicationPause}. */
export interface ReplicationPauseProps {
  /** What to stop. */
  readonly scope: PauseScope;
  /** Digest of the replication's settings; when it changes, the replication is stopped first. */
  readonly fingerprint: string;
  /** The tag of the app's replications: the only ones the pause may stop. */
  readonly replicationTag: ReplicationTag;
}

/** Stops a running replication before CloudFormation changes it. */
export class ReplicationPause extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ReplicationPauseProps) {
    super(scope, id);
    const provider = controlProvider(this);
    this.grantStop(provider, props.scope, props.replicationTag);
    const properties: ReplicationPauseProperties =
      props.scope.engine === 'instance'
        ? {
            Engine: 'instance',
            ReplicationInstanceArn: props.scope.replicationInstanceArn,
            Fingerprint: props.fingerprint,
          }
        : {
            Engine: 'serverless',
            ReplicationConfigIdentifier: props.scope.replicationConfigIdentifier,
            Fingerprint: props.fingerprint,
          };
    this.resource = controlResource(this, provider, REPLICATION_PAUSE_RESOURCE_TYPE, properties);
  }

  /**
   * Lets the handlers find and stop the replications in `scope`: only those that carry the
   * app's tag. The pause runs before they are created or replaced, and stops the previous
   * generation's too, so it names them by a wildcard: DMS generates their ARNs.
   */
  private grantStop(provider: SharedProvider, scope: PauseScope, tag: ReplicationTag): iam.Grant {
    const actions = DMS_ACTIONS[scope.engine];
    const [replications, why] =
      scope.engine === 'instance'
        ? [
            dmsArn(this, 'task', '*'),
            `The pause stops the tasks of its replication instance before they are modified; task ARNs are generated by DMS and only known once the task exists. It may stop only tasks tagged ${tag.key}=${tag.value}.`,
          ]
        : [
            dmsArn(this, 'replication-config', '*'),
            `The pause runs before the replication configuration exists and finds it by its identifier; its ARN is generated by DMS. It may stop only configurations tagged ${tag.key}=${tag.value}.`,
          ];
    const grant = grantDescribe(provider, actions.describe).combine(
      provider.grant({
        actions: [actions.stop],
        resources: [replications],
        conditions: { StringEquals: { [`aws:ResourceTag/${tag.key}`]: tag.value } },
      }),
    );
    for (const role of provider.roles) acknowledgeWildcardResources(role, [replications], why);
    return grant;
  }
}

/** Properties of {@link ReplicationStart}. */
export interface ReplicationStartProps {
  /** What to run. */
  readonly target: StartTarget;
  /** Digest of the replication's settings; when it changes, the replication is resumed. */
  readonly fingerprint: string;
}

/** Starts a replication after create, resumes it after an update, stops it before delete. */
export class ReplicationStart extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ReplicationStartProps) {
    super(scope, id);
    const provider = controlProvider(this);
    const { target } = props;
    // The grant on this replication is a policy of its own, which only this resource waits for:
    // in the provider's default policy it would make the pause, which runs before the
    // replication exists, depend on the replication.
    const targetPolicy = new iam.Policy(this, 'TargetPolicy', { roles: provider.roles });
    const actions = DMS_ACTIONS[target.engine];
    grantDescribe(provider, actions.describe);
    targetPolicy.addStatements(
      new iam.PolicyStatement({
        actions: [actions.start, actions.stop],
        resources: [
          target.engine === 'instance' ? target.replicationTaskArn : target.replicationConfigArn,
        ],
      }),
    );
    if (target.engine === 'instance') {
      grantDescribe(provider, 'dms:DescribeConnections');
      targetPolicy.addStatements(
        new iam.PolicyStatement({
          actions: ['dms:TestConnection'],
          resources: [target.replicationInstanceArn, ...target.endpointArns],
        }),
      );
    }
    const properties: ReplicationStartProperties =
      target.engine === 'instance'
        ? {
            Engine: 'instance',
            ReplicationTaskArn: target.replicationTaskArn,
            ReplicationInstanceArn: target.replicationInstanceArn,
            EndpointArns: target.endpointArns,
            Fingerprint: props.fingerprint,
          }
        : {
            Engine: 'serverless',
            ReplicationConfigArn: target.replicationConfigArn,
            Fingerprint: props.fingerprint,
          };
    this.resource = controlResource(this, provider, REPLICATION_START_RESOURCE_TYPE, properties);
    this.resource.node.addDependency(targetPolicy);
  }
}

/** Properties of {@link DmsVpcRoleReady}. */
export interface DmsVpcRoleReadyProps {
  /** The subnet group name that the check creates and deletes. */
  readonly probeSubnetGroupIdentifier: string;
  /** The subnets of the replication, two or more. */
  readonly subnetIds: string[];
  /** What must exist before the check: the role, when this app makes it. */
  readonly dependsOn: IDependable[];
}

/**
 * Completes once DMS can use `dms-vpc-role` (see `handler/dms-vpc-role-ready.ts`); the subnet
 * group and the replication, which DMS checks the role for, are created after it.
 */
export class DmsVpcRoleReady extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DmsVpcRoleReadyProps) {
    super(scope, id);
    const provider = controlProvider(this);
    const subnetGroups = dmsArn(this, 'subgrp', '*');
    provider.grant({
      actions: ['dms:CreateReplicationSubnetGroup', 'dms:DeleteReplicationSubnetGroup'],
      resources: [subnetGroups],
    });
    for (const role of provider.roles) {
      acknowledgeWildcardResources(
        role,
        [subnetGroups],
        `DMS identifies subnet groups by generated ids in their ARNs; the handler creates and deletes only the subnet group ${props.probeSubnetGroupIdentifier}, and DMS refuses to delete a subnet group in use.`,
      );
    }
    const properties: DmsVpcRoleReadyProperties = {
      ProbeSubnetGroupIdentifier: props.probeSubnetGroupIdentifier,
      SubnetIds: props.subnetIds,
    };
    this.resource = controlResource(this, provider, DMS_VPC_ROLE_READY_RESOURCE_TYPE, properties);
    for (const dependency of props.dependsOn) this.resource.node.addDependency(dependency);
  }
}
