import {
  CreateReplicationSubnetGroupCommand,
  DeleteReplicationSubnetGroupCommand,
} from '@aws-sdk/client-database-migration-service';
import { isError } from '../../shared/handler/aws-errors';
import type * as cfn from '../../shared/handler/custom-resource';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import { required } from '../../shared/handler/required';
import { withRetry } from '../../shared/handler/retry';
import type { DmsDependencies } from './dms-replications';
import { isNotFound } from './dms-replications';
import type {
  DmsVpcRoleReadyAttributes,
  DmsVpcRoleReadyProperties,
} from './dms-vpc-role-ready-properties';

/**
 * `Custom::DmsVpcRoleReady`: on create, waits until DMS can use `dms-vpc-role`. IAM is
 * eventually consistent, and DMS checks the role when it creates a subnet group, a replication
 * instance or a serverless replication; until the role has reached DMS, that fails with
 * "The IAM Role arn:...:role/dms-vpc-role is not configured properly" (aws/aws-cdk#7632,
 * hashicorp/terraform-provider-aws#11025: a dependency on the role "is not adequate"). No API
 * reports the role as usable, so the handler asks DMS the question itself: it creates a
 * subnet group of its own in the replication's subnets, and deletes it again once DMS accepts.
 */

/** The DMS client, retries and clock of the handler; tests replace them. */
export interface DmsVpcRoleReadyDependencies extends DmsDependencies {
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * How long DMS may keep refusing the role before the deployment fails with its answer.
   * @default 15 minutes
   */
  readonly patienceMs?: number;
}

/** DMS's answer while it cannot use the role yet (or the role is not set up for DMS). */
const NOT_CONFIGURED = /is not configured properly/i;

export type DmsVpcRoleReadyEvent = cfn.OnEvent<DmsVpcRoleReadyProperties>;
export type DmsVpcRoleReadyIsCompleteEvent = cfn.IsCompleteEvent<
  DmsVpcRoleReadyProperties,
  DmsVpcRoleReadyAttributes
>;

/** The onEvent and isComplete handlers of `Custom::DmsVpcRoleReady`. */
export function dmsVpcRoleReadyHandlers(deps: DmsVpcRoleReadyDependencies) {
  const now = deps.now ?? Date.now;
  const patienceMs = deps.patienceMs ?? 15 * 60_000;

  /** Deletes the probe's subnet group; one that is gone is fine. */
  async function deleteProbe(identifier: string): Promise<void> {
    try {
      await withRetry(
        () =>
          deps.dms.send(
            new DeleteReplicationSubnetGroupCommand({
              ReplicationSubnetGroupIdentifier: identifier,
            }),
          ),
        deps.retry,
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Whether DMS accepted a subnet group in the subnets; throws what it said otherwise. */
  async function tryRole(properties: DmsVpcRoleReadyProperties): Promise<boolean> {
    const identifier = required(properties, 'ProbeSubnetGroupIdentifier');
    try {
      await withRetry(
        () =>
          deps.dms.send(
            new CreateReplicationSubnetGroupCommand({
              ReplicationSubnetGroupIdentifier: identifier,
              ReplicationSubnetGroupDescription:
                'Checks that DMS can use dms-vpc-role; deleted right away',
              SubnetIds: properties.SubnetIds,
            }),
          ),
        deps.retry,
      );
    } catch (error) {
      // Left behind by an earlier attempt: delete it and try again.
      if (isError(error, 'ResourceAlreadyExistsFault')) {
        await deleteProbe(identifier);
        return false;
      }
      throw error;
    }
    await deleteProbe(identifier);
    return true;
  }

  async function onEvent(
    event: DmsVpcRoleReadyEvent,
  ): Promise<cfn.OnEventResponse<DmsVpcRoleReadyAttributes>> {
    const identifier = required(event.ResourceProperties, 'ProbeSubnetGroupIdentifier');
    if (event.RequestType === 'Delete') await deleteProbe(identifier);
    return {
      PhysicalResourceId: identifier,
      Data: { TriedSince: new Date(now()).toISOString() },
    };
  }

  async function isComplete(
    event: DmsVpcRoleReadyIsCompleteEvent,
  ): Promise<cfn.IsCompleteResponse> {
    // The role only needs to reach DMS once: before the first subnet group.
    if (event.RequestType !== 'Create') return { IsComplete: true };
    try {
      return { IsComplete: await tryRole(event.ResourceProperties) };
    } catch (error) {
      if (!NOT_CONFIGURED.test(messageOf(error))) throw error;
      const since = Date.parse(event.Data?.TriedSince ?? '');
      const waited = Number.isNaN(since) ? 0 : now() - since;
      if (waited < patienceMs) {
        console.log(JSON.stringify({ waitingFor: 'dms-vpc-role', said: messageOf(error) }));
        return { IsComplete: false };
      }
      throw plainError(
        `DMS still cannot use dms-vpc-role after ${Math.round(waited / 60_000)} minutes: ${messageOf(error)} ` +
          'The role needs the AWS managed policy AmazonDMSVPCManagementRole and a trust policy for dms.amazonaws.com; with replication.dmsRoles "existing" the account must have it, "create" makes it when it is missing.',
      );
    }
  }

  return { onEvent, isComplete };
}
