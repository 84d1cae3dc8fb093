import type {
  DatabaseMigrationServiceClient,
  Filter,
  Replication,
  ReplicationTask,
} from '@aws-sdk/client-database-migration-service';
import {
  DescribeReplicationTasksCommand,
  DescribeReplicationsCommand,
  StopReplicationCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { isError } from '../../shared/handler/aws-errors';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';

/**
 * What the replication handlers read from DMS and how they stop a replication, for both
 * engines: tasks on a replication instance and DMS Serverless replications.
 */

/** A DMS client and how to retry its calls; tests replace both. */
export interface DmsDependencies {
  readonly dms: DatabaseMigrationServiceClient;
  /**
   * How throttling and server errors are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

/** The status of a replication that runs. */
export const RUNNING = 'running';
/** States in which a replication neither runs nor moves towards running or stopping. */
export const AT_REST = new Set(['ready', 'stopped', 'created', 'failed', 'failed-move']);

/** DMS's answer for a replication that does not exist, and for a filter that matches nothing. */
export const isNotFound = (error: unknown) => isError(error, 'ResourceNotFoundFault');
/** DMS's answer for a replication that is not in a state for the request (busy, not running). */
export const isInWrongState = (error: unknown) => isError(error, 'InvalidResourceStateFault');

/** The reads and the stop request of the replication handlers. */
export function dmsReplications(deps: DmsDependencies) {
  /** The replication tasks that `filter` matches, without their settings. */
  async function describeTasks(filter: Filter): Promise<ReplicationTask[]> {
    const tasks: ReplicationTask[] = [];
    let marker: string | undefined;
    do {
      try {
        const page = await withRetry(
          () =>
            deps.dms.send(
              new DescribeReplicationTasksCommand({
                Filters: [filter],
                WithoutSettings: true,
                Marker: marker,
              }),
            ),
          deps.retry,
        );
        tasks.push(...(page.ReplicationTasks ?? []));
        marker = page.Marker;
      } catch (error) {
        if (isNotFound(error)) return tasks;
        throw error;
      }
    } while (marker);
    return tasks;
  }

  /** The serverless replications that `filter` matches; `undefined` when DMS finds none. */
  async function describeReplications(filter: Filter): Promise<Replication[] | undefined> {
    try {
      const page = await withRetry(
        () => deps.dms.send(new DescribeReplicationsCommand({ Filters: [filter] })),
        deps.retry,
      );
      return page.Replications ?? [];
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Asks the replication to stop; one that is gone or not running is left as it is. */
  async function stop(engine: 'instance' | 'serverless', arn: string): Promise<void> {
    console.log(JSON.stringify({ action: 'stop', target: arn }));
    try {
      if (engine === 'instance') {
        await withRetry(
          () => deps.dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: arn })),
          deps.retry,
        );
      } else {
        await withRetry(
          () => deps.dms.send(new StopReplicationCommand({ ReplicationConfigArn: arn })),
          deps.retry,
        );
      }
    } catch (error) {
      if (isNotFound(error) || isInWrongState(error)) return;
      throw error;
    }
  }

  return { describeTasks, describeReplications, stop };
}
