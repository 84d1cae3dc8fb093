import {
  DescribeConnectionsCommand,
  StartReplicationCommand,
  StartReplicationTaskCommand,
  TestConnectionCommand,
} from '@aws-sdk/client-database-migration-service';
import type {
  Connection,
  StartReplicationTaskTypeValue,
} from '@aws-sdk/client-database-migration-service';
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
 * replication has started (or, on delete, is at rest).
 *
 * - A task on a replication instance starts only once the instance has connected to both
 *   endpoints (`TestConnection`, then `DescribeConnections` until `successful`); a failed
 *   connection fails with DMS's message. The request completes once the task runs.
 * - DMS Serverless tests its connections itself (the `testing_connection` state) and takes 40
 *   to 60 minutes from a start to `running`, longer than CloudFormation waits for a custom
 *   resource. The request completes once the replication has left its resting state on the way
 *   to running; a later failure is reported by the replication's failure alarm.
 * - A failure fails the request only when the replication had never run before it: on create,
 *   and on an update that replaced it. Any other update reports the failure (in the log, and
 *   in the `StartFailed` attribute) and completes, because CloudFormation rolls an update back
 *   with another update, which would meet the same failure and leave the stack in
 *   UPDATE_ROLLBACK_FAILED (aws/aws-cdk#29581).
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
  /**
   * How long a request may wait for the replication to start before it gives up with the
   * replication's state: inside the provider's 55 minutes, so that the reason reaches
   * CloudFormation rather than a timeout.
   * @default 50 minutes
   */
  readonly startPatienceMs?: number;
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
/**
 * The states of a serverless replication from a start request to running (DMS Serverless
 * components: initializing, preparing metadata resources, testing connection, fetching
 * metadata, calculating capacity, provisioning capacity, replication starting, running).
 */
const SERVERLESS_STARTED = new Set([
  'initializing',
  'preparing_metadata_resources',
  'testing_connection',
  'fetching_metadata',
  'calculating_capacity',
  'provisioning_capacity',
  'replication_starting',
  RUNNING,
]);

/** The replication the resource runs: its physical id. */
function targetArn(properties: ReplicationStartProperties): string {
  return properties.Engine === 'instance'
    ? required(properties, 'ReplicationTaskArn')
    : required(properties, 'ReplicationConfigArn');
}

export type ReplicationStartEvent = cfn.OnEvent<ReplicationStartProperties>;
export type ReplicationStartIsCompleteEvent = cfn.IsCompleteEvent<
  ReplicationStartProperties,
  Partial<ReplicationStartAttributes>
>;
type StartResponse = cfn.IsCompleteResponse<Partial<ReplicationStartAttributes>>;

/** The onEvent and isComplete handlers of `Custom::DmsReplicationStart`. */
export function replicationStartHandlers(deps: ReplicationStartHandlerDependencies) {
  const now = deps.now ?? Date.now;
  const startGraceMs = deps.startGraceMs ?? 120_000;
  const startPatienceMs = deps.startPatienceMs ?? 50 * 60_000;
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

  /** The endpoints whose connections the instance tests before the task starts. */
  function endpointsOf(properties: ReplicationStartProperties): string[] {
    const endpoints = properties.EndpointArns ?? [];
    if (endpoints.length === 0) {
      throw plainError('The resource property EndpointArns must list the endpoints of the task.');
    }
    return endpoints;
  }

  /** Asks the instance to connect to `endpoint`; a test already under way is left to run. */
  async function testConnection(properties: ReplicationStartProperties, endpoint: string) {
    console.log(JSON.stringify({ action: 'test-connection', endpoint }));
    try {
      await withRetry(
        () =>
          deps.dms.send(
            new TestConnectionCommand({
              ReplicationInstanceArn: required(properties, 'ReplicationInstanceArn'),
              EndpointArn: endpoint,
            }),
          ),
        deps.retry,
      );
    } catch (error) {
      if (!isInWrongState(error)) throw error;
    }
  }

  /** The instance's latest connection test of each endpoint, by endpoint ARN. */
  async function connections(
    properties: ReplicationStartProperties,
  ): Promise<Map<string, Connection>> {
    const page = await withRetry(
      () =>
        deps.dms.send(
          new DescribeConnectionsCommand({
            Filters: [
              {
                Name: 'replication-instance-arn',
                Values: [required(properties, 'ReplicationInstanceArn')],
              },
              { Name: 'endpoint-arn', Values: endpointsOf(properties) },
            ],
          }),
        ),
      deps.retry,
    );
    return new Map(
      (page.Connections ?? []).map((connection) => [connection.EndpointArn!, connection]),
    );
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
    if (state.status === undefined && event.RequestType === 'Create') {
      throw plainError(`The replication ${arn} does not exist.`);
    }
    const fresh =
      event.RequestType === 'Create' || (state.status !== undefined && !state.everStarted);
    let issued = false;
    // A replication that is being modified is started by isComplete once it is at rest; a
    // task starts there too, once its connections are tested.
    if (state.status !== undefined && AT_REST.has(state.status)) {
      if (properties.Engine === 'instance') {
        for (const endpoint of endpointsOf(properties)) await testConnection(properties, endpoint);
      } else {
        issued = await tryStart(properties, state);
      }
    }
    // A new target (the replication was replaced) gets a new physical id; CloudFormation
    // then deletes the old resource, which stops the old replication.
    return {
      PhysicalResourceId: arn,
      Data: {
        StartRequestedAt: new Date(now()).toISOString(),
        StartIssued: String(issued),
        FreshTarget: String(fresh),
      },
    };
  }

  async function isComplete(event: ReplicationStartIsCompleteEvent): Promise<StartResponse> {
    const properties = event.ResourceProperties;
    const state = await describeTarget(properties);
    const arn = targetArn(properties);

    if (event.RequestType === 'Delete') {
      if (state.status === undefined || AT_REST.has(state.status)) return { IsComplete: true };
      if (state.status === RUNNING) await dmsApi.stop(properties.Engine, arn);
      return { IsComplete: false };
    }

    /** Fails the request, or on an update of a replication that ran, reports and completes. */
    const giveUp = (message: string): StartResponse => {
      if (event.RequestType === 'Create' || event.Data?.FreshTarget !== 'false') {
        throw plainError(message);
      }
      console.error(JSON.stringify({ startFailed: message, target: arn }));
      return { IsComplete: true, Data: { StartFailed: message } };
    };

    if (state.status === RUNNING) return { IsComplete: true };
    if (properties.Engine === 'serverless' && SERVERLESS_STARTED.has(state.status ?? '')) {
      console.log(JSON.stringify({ started: arn, status: state.status }));
      return { IsComplete: true };
    }
    if (state.status === undefined) return giveUp(`The replication ${arn} no longer exists.`);

    const reason = state.reason ? ` (${state.reason})` : '';
    const requestedAt = Date.parse(event.Data?.StartRequestedAt ?? '');
    const sinceRequest = Number.isNaN(requestedAt) ? Infinity : now() - requestedAt;
    if (Number.isFinite(sinceRequest) && sinceRequest > startPatienceMs) {
      return giveUp(
        `The replication ${arn} has not started after ${Math.round(sinceRequest / 60_000)} minutes: it is ${state.status}${reason}.`,
      );
    }
    if (!AT_REST.has(state.status)) return { IsComplete: false };

    const issued = event.Data?.StartIssued !== 'false';
    // Right after a start request, DMS may still report the state from before it.
    if (issued && sinceRequest <= startGraceMs) return { IsComplete: false };
    if (FAILED.has(state.status)) {
      return giveUp(`The replication ${arn} failed${reason}. Its CloudWatch logs say why.`);
    }
    if (ERROR_STOP.test(state.reason ?? '')) {
      return giveUp(
        `The replication ${arn} stopped on an error${reason}. Its CloudWatch logs say why.`,
      );
    }

    if (properties.Engine === 'instance') {
      const tested = await connections(properties);
      let allSuccessful = true;
      for (const endpoint of endpointsOf(properties)) {
        const connection = tested.get(endpoint);
        if (connection?.Status === 'failed') {
          return giveUp(
            `The replication instance cannot connect to the endpoint ${endpoint}: ${connection.LastFailureMessage ?? 'DMS gives no reason'}.`,
          );
        }
        if (connection?.Status !== 'successful') allSuccessful = false;
        if (!connection) await testConnection(properties, endpoint);
      }
      if (!allSuccessful) return { IsComplete: false };
    }
    // At rest without an error: it was busy when asked, or stopped since; ask (again).
    await tryStart(properties, state);
    return { IsComplete: false };
  }

  return { onEvent, isComplete };
}
