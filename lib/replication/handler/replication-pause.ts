import type * as cfn from '../../shared/handler/custom-resource';
import { required } from '../../shared/handler/required';
import type { DmsDependencies } from './dms-replications';
import { AT_REST, RUNNING, dmsReplications } from './dms-replications';
import type { ReplicationPauseProperties } from './replication-pause-properties';

/**
 * `Custom::DmsReplicationPause`: on update, stops the running replications in its scope, and
 * in the scope it had before when that changed, so that CloudFormation can modify their
 * settings. The provider framework calls `isComplete` until all of them are at rest.
 */

type UpdateEvent = Extract<ReplicationPauseEvent, { RequestType: 'Update' }>;

/** The physical id: the scope of the pause. */
function pauseId(properties: ReplicationPauseProperties): string {
  return properties.Engine === 'instance'
    ? `pause:${required(properties, 'ReplicationInstanceArn')}`
    : `pause:${required(properties, 'ReplicationConfigIdentifier')}`;
}

/** The scopes an update pauses: the new one, and the old one when it differs. */
function pauseScopes(event: UpdateEvent): ReplicationPauseProperties[] {
  const scopes: ReplicationPauseProperties[] = [event.ResourceProperties];
  const old = event.OldResourceProperties;
  if (old && pauseId(old) !== pauseId(event.ResourceProperties)) scopes.push(old);
  return scopes;
}

export type ReplicationPauseEvent = cfn.OnEvent<ReplicationPauseProperties>;
export type ReplicationPauseIsCompleteEvent = cfn.IsCompleteEvent<ReplicationPauseProperties>;

/** The onEvent and isComplete handlers of `Custom::DmsReplicationPause`. */
export function replicationPauseHandlers(deps: DmsDependencies) {
  const dmsApi = dmsReplications(deps);

  /**
   * Stops every running replication in the scopes; returns whether all of them are at rest.
   */
  async function pauseStep(scopes: ReplicationPauseProperties[]): Promise<boolean> {
    let settled = true;
    for (const scope of scopes) {
      if (scope.Engine === 'instance') {
        const tasks = await dmsApi.describeTasks({
          Name: 'replication-instance-arn',
          Values: [required(scope, 'ReplicationInstanceArn')],
        });
        for (const task of tasks) {
          if (task.Status === RUNNING) {
            await dmsApi.stop('instance', task.ReplicationTaskArn!);
          }
          if (!AT_REST.has(task.Status ?? '')) settled = false;
        }
      } else {
        const replications =
          (await dmsApi.describeReplications({
            Name: 'replication-config-id',
            Values: [required(scope, 'ReplicationConfigIdentifier')],
          })) ?? [];
        for (const replication of replications) {
          if (replication.Status === RUNNING) {
            await dmsApi.stop('serverless', replication.ReplicationConfigArn!);
          }
          if (!AT_REST.has(replication.Status ?? '')) settled = false;
        }
      }
    }
    return settled;
  }

  async function onEvent(event: ReplicationPauseEvent): Promise<cfn.OnEventResponse> {
    if (event.RequestType === 'Update') await pauseStep(pauseScopes(event));
    return { PhysicalResourceId: pauseId(event.ResourceProperties) };
  }

  async function isComplete(
    event: ReplicationPauseIsCompleteEvent,
  ): Promise<cfn.IsCompleteResponse> {
    if (event.RequestType !== 'Update') return { IsComplete: true };
    return (await pauseStep(pauseScopes(event))) ? { IsComplete: true } : { IsComplete: false };
  }

  return { onEvent, isComplete };
}
