import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  DescribeReplicationsCommand,
  StartReplicationCommand,
  StartReplicationTaskCommand,
  StopReplicationCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import type {
  Filter,
  StartReplicationTaskTypeValue,
} from '@aws-sdk/client-database-migration-service';
import { isError } from '../../shared/handler/aws-errors';
import { withRetry } from '../../shared/handler/retry';

/**
 * Custom resources that keep a DMS replication running across CloudFormation changes:
 * `Custom::DmsReplicationStart` starts it after create, resumes it after an update and stops it
 * before delete; `Custom::DmsReplicationPause` stops it before its settings are modified. The
 * provider framework calls `isComplete` until the replication reaches the wanted state.
 */

type Engine = 'instance' | 'serverless';

/** The properties of both resource types; CloudFormation passes numbers as strings. */
export interface ControlProperties {
  readonly Engine: Engine;
  readonly Fingerprint: string;
  readonly ReplicationInstanceArn?: string;
  readonly ReplicationConfigIdentifier?: string;
  readonly ReplicationTaskArn?: string;
  readonly ReplicationConfigArn?: string;
}

/** The event the provider framework passes to `onEvent` and, with its result, to `isComplete`. */
export interface ControlEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: ControlProperties;
  readonly OldResourceProperties?: ControlProperties;
  readonly Data?: Record<string, string>;
}

export interface OnEventResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

export interface IsCompleteResult {
  readonly IsComplete: boolean;
}

/** What the handlers need from outside; tests replace the waits and the clock. */
export interface ControlDependencies {
  readonly dms: DatabaseMigrationServiceClient;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
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

const RUNNING = 'running';
const FAILED = new Set(['failed', 'failed-move']);
/** States in which a replication neither runs nor moves towards running or stopping. */
const AT_REST = new Set(['ready', 'stopped', 'created', 'failed', 'failed-move']);
/** Stop reasons that mean the replication stopped on a problem rather than on request. */
const ERROR_STOP = /ERROR|LOW_MEMORY|LOW_DISK/;

const START_RESOURCE = 'Custom::DmsReplicationStart';
const PAUSE_RESOURCE = 'Custom::DmsReplicationPause';

export function replicationControl(deps: ControlDependencies) {
  const now = deps.now ?? Date.now;
  const startGraceMs = deps.startGraceMs ?? 120_000;
  const call = <T>(operation: () => Promise<T>) => withRetry(operation, { sleep: deps.sleep });

  const notFound = (error: unknown) => isError(error, 'ResourceNotFoundFault');
  const notRunning = (error: unknown) => isError(error, 'InvalidResourceStateFault');

  async function describeTasks(filter: Filter) {
    const tasks = [];
    let marker: string | undefined;
    do {
      try {
        const page = await call(() =>
          deps.dms.send(
            new DescribeReplicationTasksCommand({
              Filters: [filter],
              WithoutSettings: true,
              Marker: marker,
            }),
          ),
        );
        tasks.push(...(page.ReplicationTasks ?? []));
        marker = page.Marker;
      } catch (error) {
        // DMS answers a filter that matches nothing with ResourceNotFoundFault.
        if (notFound(error)) return tasks;
        throw error;
      }
    } while (marker);
    return tasks;
  }

  async function describeReplications(filter: Filter) {
    try {
      const page = await call(() =>
        deps.dms.send(new DescribeReplicationsCommand({ Filters: [filter] })),
      );
      return page.Replications ?? [];
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  /** The current state of the replication a Start resource runs. */
  async function describeTarget(properties: ControlProperties): Promise<ReplicationState> {
    if (properties.Engine === 'instance') {
      const [task] = await describeTasks({
        Name: 'replication-task-arn',
        Values: [required(properties.ReplicationTaskArn, 'ReplicationTaskArn')],
      });
      if (!task) return { status: undefined, everStarted: false };
      return {
        status: task.Status,
        everStarted: task.ReplicationTaskStartDate !== undefined,
        reason: [task.StopReason, task.LastFailureMessage].filter(Boolean).join(': ') || undefined,
      };
    }
    const replications = await describeReplications({
      Name: 'replication-config-arn',
      Values: [required(properties.ReplicationConfigArn, 'ReplicationConfigArn')],
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
    properties: ControlProperties,
    type: StartReplicationTaskTypeValue,
  ): Promise<void> {
    console.log(JSON.stringify({ action: 'start', type, target: targetArn(properties) }));
    if (properties.Engine === 'instance') {
      await call(() =>
        deps.dms.send(
          new StartReplicationTaskCommand({
            ReplicationTaskArn: properties.ReplicationTaskArn,
            StartReplicationTaskType: type,
          }),
        ),
      );
    } else {
      await call(() =>
        deps.dms.send(
          new StartReplicationCommand({
            ReplicationConfigArn: properties.ReplicationConfigArn,
            StartReplicationType: type,
          }),
        ),
      );
    }
  }

  /** Asks the replication to stop; one that is gone or not running is left as it is. */
  async function stop(engine: Engine, arn: string): Promise<void> {
    console.log(JSON.stringify({ action: 'stop', target: arn }));
    try {
      if (engine === 'instance') {
        await call(() =>
          deps.dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: arn })),
        );
      } else {
        await call(() => deps.dms.send(new StopReplicationCommand({ ReplicationConfigArn: arn })));
      }
    } catch (error) {
      if (notFound(error) || notRunning(error)) return;
      throw error;
    }
  }

  /**
   * Starts the replication, or resumes it where it stopped; returns false when DMS refuses
   * because the replication is busy (being modified, or already starting).
   */
  async function tryStart(properties: ControlProperties, state: ReplicationState) {
    try {
      await start(properties, state.everStarted ? 'resume-processing' : 'start-replication');
      return true;
    } catch (error) {
      if (notRunning(error)) return false;
      throw error;
    }
  }

  async function startOnEvent(event: ControlEvent): Promise<OnEventResult> {
    const properties = event.ResourceProperties;
    const arn = targetArn(properties);
    if (event.RequestType === 'Delete') {
      await stop(properties.Engine, arn);
      return { PhysicalResourceId: event.PhysicalResourceId ?? arn };
    }
    const state = await describeTarget(properties);
    if (state.status === undefined) throw new Error(`The replication ${arn} does not exist.`);
    // A replication that is being modified is started by isComplete once it is at rest.
    const issued = AT_REST.has(state.status) && (await tryStart(properties, state));
    // A new target (the replication was replaced) gets a new physical id; CloudFormation
    // then deletes the old resource, which stops the old replication.
    return {
      PhysicalResourceId: arn,
      Data: { StartRequestedAt: new Date(now()).toISOString(), StartIssued: String(issued) },
    };
  }

  async function startIsComplete(event: ControlEvent): Promise<IsCompleteResult> {
    const properties = event.ResourceProperties;
    const state = await describeTarget(properties);
    const arn = targetArn(properties);

    if (event.RequestType === 'Delete') {
      if (state.status === undefined || AT_REST.has(state.status)) return { IsComplete: true };
      if (state.status === RUNNING) await stop(properties.Engine, arn);
      return { IsComplete: false };
    }

    if (state.status === RUNNING) return { IsComplete: true };
    if (state.status === undefined) throw new Error(`The replication ${arn} no longer exists.`);
    if (!AT_REST.has(state.status)) return { IsComplete: false };

    const issued = event.Data?.StartIssued !== 'false';
    const requestedAt = Date.parse(event.Data?.StartRequestedAt ?? '');
    const sinceRequest = Number.isNaN(requestedAt) ? Infinity : now() - requestedAt;
    // Right after a start request, DMS may still report the state from before it.
    if (issued && sinceRequest <= startGraceMs) return { IsComplete: false };
    const reason = state.reason ? ` (${state.reason})` : '';
    if (FAILED.has(state.status)) {
      throw new Error(`The replication ${arn} failed${reason}. Its CloudWatch logs say why.`);
    }
    if (ERROR_STOP.test(state.reason ?? '')) {
      throw new Error(
        `The replication ${arn} stopped on an error${reason}. Its CloudWatch logs say why.`,
      );
    }
    // At rest without an error: it was busy when asked, or stopped since; ask (again).
    await tryStart(properties, state);
    return { IsComplete: false };
  }

  /**
   * Stops every running replication in the scope of the pause; returns whether all of them
   * are at rest.
   */
  async function pauseStep(scopes: ControlProperties[]): Promise<boolean> {
    let settled = true;
    for (const scope of scopes) {
      if (scope.Engine === 'instance') {
        const tasks = await describeTasks({
          Name: 'replication-instance-arn',
          Values: [required(scope.ReplicationInstanceArn, 'ReplicationInstanceArn')],
        });
        for (const task of tasks) {
          if (task.Status === RUNNING) await stop('instance', task.ReplicationTaskArn!);
          if (!AT_REST.has(task.Status ?? '')) settled = false;
        }
      } else {
        const replications =
          (await describeReplications({
            Name: 'replication-config-id',
            Values: [required(scope.ReplicationConfigIdentifier, 'ReplicationConfigIdentifier')],
          })) ?? [];
        for (const replication of replications) {
          if (replication.Status === RUNNING) {
            await stop('serverless', replication.ReplicationConfigArn!);
          }
          if (!AT_REST.has(replication.Status ?? '')) settled = false;
        }
      }
    }
    return settled;
  }

  function pauseScopes(event: ControlEvent): ControlProperties[] {
    const scopes = [event.ResourceProperties];
    const old = event.OldResourceProperties;
    if (old && pauseId(old) !== pauseId(event.ResourceProperties)) scopes.push(old);
    return scopes;
  }

  async function pauseOnEvent(event: ControlEvent): Promise<OnEventResult> {
    if (event.RequestType === 'Update') await pauseStep(pauseScopes(event));
    return { PhysicalResourceId: pauseId(event.ResourceProperties) };
  }

  async function pauseIsComplete(event: ControlEvent): Promise<IsCompleteResult> {
    if (event.RequestType !== 'Update') return { IsComplete: true };
    return { IsComplete: await pauseStep(pauseScopes(event)) };
  }

  return {
    async onEvent(event: ControlEvent): Promise<OnEventResult> {
      console.log(JSON.stringify({ requestType: event.RequestType, type: event.ResourceType }));
      if (event.ResourceType === START_RESOURCE) return startOnEvent(event);
      if (event.ResourceType === PAUSE_RESOURCE) return pauseOnEvent(event);
      throw new Error(`Unknown resource type ${event.ResourceType}`);
    },
    async isComplete(event: ControlEvent): Promise<IsCompleteResult> {
      if (event.ResourceType === START_RESOURCE) return startIsComplete(event);
      if (event.ResourceType === PAUSE_RESOURCE) return pauseIsComplete(event);
      throw new Error(`Unknown resource type ${event.ResourceType}`);
    },
  };
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`The resource property ${name} is missing.`);
  return value;
}

function targetArn(properties: ControlProperties): string {
  return properties.Engine === 'instance'
    ? required(properties.ReplicationTaskArn, 'ReplicationTaskArn')
    : required(properties.ReplicationConfigArn, 'ReplicationConfigArn');
}

function pauseId(properties: ControlProperties): string {
  return properties.Engine === 'instance'
    ? `pause:${required(properties.ReplicationInstanceArn, 'ReplicationInstanceArn')}`
    : `pause:${required(properties.ReplicationConfigIdentifier, 'ReplicationConfigIdentifier')}`;
}

const handlers = replicationControl({ dms: new DatabaseMigrationServiceClient({}) });
export const onEvent = handlers.onEvent;
export const isComplete = handlers.isComplete;
