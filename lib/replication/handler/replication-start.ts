import {
  StartReplicationCommand,
  StartReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import type { StartReplicationTaskTypeValue } from '@aws-sdk/client-database-migration-service';
import type * as cfn from '../../shared/handler/custom-resource';
import { plainError } from '../../shared/handler/plain-error';
import { required } from '../../shared/handler/required';
import { withRetry } from '../../shared/handler/retry';
import type { DmsDependencies } from './dms-replications';
import { AT_REST, RUNNING, dmsReplications, isInWrongState } from './dms-replications';
import type {
  ReplicationStartAttributes,
  ReplicationStartProperties,
} from './replication-start-properties';

/**
 * `Custom::DmsReplicationStart`: starts its replication after create, resumes it after an
 * update and stops it before delete. The provider framework calls `isComplete` until the
 * replication runs (or, on delete, is at rest).
 */

/** The DMS client, retries and clock of the handlers; tests replace them. */
export interface ReplicationStartHandlerDependencies extends DmsDependencies {
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * How long a replication may still look stopped after it was asked to start.
   * @default 120000
   */
  readonly startGraceMs?: number;
}

/** A replication as the handlers see it, whichever engine runs it. */
interface ReplicationState {
  /** `undefined` when the replication no longer exists. */
  readonly status: string | undefined;
  /** Whether it has run before, so that it resumes rather than starts over. */
  readonly everStarted: boolean;
  /** Why it stopped or failed, when DMS says. */
  readonly reason?: string;
}

const FAILED = new Set(['failed', 'failed-move']);
/** Stop reasons that mean the replication stopped on a problem rather than on request. */
const ERROR_STOP = /ERROR|LOW_MEMORY|LOW_DISK/;

/** The replication the resource runs: its physical id. */
function targetArn(properties: ReplicationStartProperties): string {
  return properties.Engine === 'instance'
    ? required(properties, 'ReplicationTaskArn')
    : required(properties, 'ReplicationConfigArn');
}

export type ReplicationStartEvent = cfn.OnEvent<ReplicationStartProperties>;
export type ReplicationStartIsCompleteEvent = cfn.IsCompleteEvent<ReplicationStartProperties>;

/** The onEvent and isComplete handlers of `Custom::DmsReplicationStart`. */
export function replicationStartHandlers(deps: ReplicationStartHandlerDependencies) {
  const now = deps.now ?? Date.now;
  const startGraceMs = deps.startGraceMs ?? 120_000;
  const dmsApi = dmsReplications(deps);

  /** The current state of the replication the resource runs. */
  async function describeTarget(properties: ReplicationStartProperties): Promise<ReplicationState> {
    if (properties.Engine === 'instance') {
      const [task] = await dmsApi.describeTasks({
        Name: 'replication-task-arn',
        Values: [required(properties, 'ReplicationTaskArn')],
      });
      if (!task) return { status: undefined, everStarted: false };
      return {
        status: task.Status,
        everStarted: task.ReplicationTaskStartDate !== undefined,
        reason: [task.StopReason, task.LastFailureMessage].filter(Boolean).join(': ') || undefined,
      };
    }
    const replications = await dmsApi.describeReplications({
      Name: 'replication-config-arn',
      Values: [required(properties, 'ReplicationConfigArn')],
    });
    if (!replications) return { status: undefined, everStarted: false };
    const [replication] = replications;
    if (!replication) return { status: 'created', everStarted: false };
    return {
      status: replication.Status,
      everStarted: replication.StartReplicationType !== undefined,
      reason:
        [replication.StopReason, ...(replication.FailureMessages ?? [])]
          .filter(Boolean)
          .join(': ') || undefined,
    };
  }

  async function start(
    properties: ReplicationStartProperties,
    type: StartReplicationTaskTypeValue,
  ): Promise<void> {
    console.log(JSON.stringify({ action: 'start', type, target: targetArn(properties) }));
    if (properties.Engine === 'instance') {
      await withRetry(
        () =>
          deps.dms.send(
            new StartReplicationTaskCommand({
              ReplicationTaskArn: properties.ReplicationTaskArn,
              StartReplicationTaskType: type,
            }),
          ),
        deps.retry,
      );
    } else {
      await withRetry(
        () =>
          deps.dms.send(
            new StartReplicationCommand({
              ReplicationConfigArn: properties.ReplicationConfigArn,
              StartReplicationType: type,
            }),
          ),
        deps.retry,
      );
    }
  }

  /**
   * Starts the replication, or resumes it where it stopped; returns false when DMS refuses
   * because the replication is busy (being modified, or already starting).
   */
  async function tryStart(properties: ReplicationStartProperties, state: ReplicationState) {
    try {
      await start(properties, state.everStarted ? 'resume-processing' : 'start-replication');
      return true;
    } catch (error) {
      if (isInWrongState(error)) return false;
      throw error;
    }
  }

  async function onEvent(
    event: ReplicationStartEvent,
  ): Promise<cfn.OnEventResponse<ReplicationStartAttributes>> {
    const properties = event.ResourceProperties;
    const arn = targetArn(properties);
    if (event.RequestType === 'Delete') {
      await dmsApi.stop(properties.Engine, arn);
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    const state = await describeTarget(properties);
    if (state.status === undefined) throw plainError(`The replication ${arn} does not exist.`);
    // A replication that is being modified is started by isComplete once it is at rest.
    const issued = AT_REST.has(state.status) && (await tryStart(properties, state));
    // A new target (the replication was replaced) gets a new physical id; CloudFormation
    // then deletes the old resource, which stops the old replication.
    return {
      PhysicalResourceId: arn,
      Data: { StartRequestedAt: new Date(now()).toISOString(), StartIssued: String(issued) },
    };
  }

  async function isComplete(
    event: ReplicationStartIsCompleteEvent,
  ): Promise<cfn.IsCompleteResponse<ReplicationStartAttributes>> {
    const properties = event.ResourceProperties;
    const state = await describeTarget(properties);
    const arn = targetArn(properties);

    if (event.RequestType === 'Delete') {
      if (state.status === undefined || AT_REST.has(state.status)) return { IsComplete: true };
      if (state.status === RUNNING) await dmsApi.stop(properties.Engine, arn);
      return { IsComplete: false };
    }

    if (state.status === RUNNING) return { IsComplete: true };
    if (state.status === undefined) throw plainError(`The replication ${arn} no longer exists.`);
    if (!AT_REST.has(state.status)) return { IsComplete: false };

    const issued = event.Data?.StartIssued !== 'false';
    const requestedAt = Date.parse(event.Data?.StartRequestedAt ?? '');
    const sinceRequest = Number.isNaN(requestedAt) ? Infinity : now() - requestedAt;
    // Right after a start request, DMS may still report the state from before it.
    if (issued && sinceRequest <= startGraceMs) return { IsComplete: false };
    const reason = state.reason ? ` (${state.reason})` : '';
    if (FAILED.has(state.status)) {
      throw plainError(`The replication ${arn} failed${reason}. Its CloudWatch logs say why.`);
    }
    if (ERROR_STOP.test(state.reason ?? '')) {
      throw plainError(
        `The replication ${arn} stopped on an error${reason}. Its CloudWatch logs say why.`,
      );
    }
    // At rest without an error: it was busy when asked, or stopped since; ask (again).
    await tryStart(properties, state);
    return { IsComplete: false };
  }

  return { onEvent, isComplete };
}
