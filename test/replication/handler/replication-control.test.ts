import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  DescribeReplicationsCommand,
  StartReplicationCommand,
  StartReplicationTaskCommand,
  StopReplicationCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import type { ReplicationTask } from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import type { CdkCustomResourceIsCompleteEvent } from 'aws-lambda';
import { replicationControlHandlers } from '../../../lib/replication/handler/replication-control';
import type { ReplicationPauseProperties } from '../../../lib/replication/handler/replication-pause-properties';
import { REPLICATION_PAUSE_RESOURCE_TYPE } from '../../../lib/replication/handler/replication-pause-properties';
import type { ReplicationStartProperties } from '../../../lib/replication/handler/replication-start-properties';
import { REPLICATION_START_RESOURCE_TYPE } from '../../../lib/replication/handler/replication-start-properties';

const dms = mockClient(DatabaseMigrationServiceClient);
const TASK_ARN = 'arn:aws:dms:us-east-1:123456789012:task:NEWTASK';
const OLD_TASK_ARN = 'arn:aws:dms:us-east-1:123456789012:task:OLDTASK';
const INSTANCE_ARN = 'arn:aws:dms:us-east-1:123456789012:rep:INSTANCE';
const CONFIG_ARN = 'arn:aws:dms:us-east-1:123456789012:replication-config:CONFIG';
const NOW = Date.parse('2024-05-01T10:00:00Z');

function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $metadata: { httpStatusCode: status },
  });
}

function handlers(now = NOW) {
  const sleeps: number[] = [];
  const control = replicationControlHandlers({
    dms: new DatabaseMigrationServiceClient({ region: 'us-east-1' }),
    retry: { sleep: async (ms) => void sleeps.push(ms) },
    now: () => now,
  });
  return { ...control, sleeps };
}

/** An event as the provider framework passes it to onEvent and, with its result, to isComplete. */
type ControlEvent = CdkCustomResourceIsCompleteEvent;
type RequestType = ControlEvent['RequestType'];
const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent';
const eventBase = {
  ServiceToken: SERVICE_TOKEN,
  ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/ml-foundation-replication/1',
  RequestId: 'request-1',
  LogicalResourceId: 'Replication',
};

function startEvent(
  requestType: RequestType,
  properties: Partial<ReplicationStartProperties> = {},
  extra: {
    readonly PhysicalResourceId?: string;
    readonly OldResourceProperties?: ReplicationStartProperties;
    readonly Data?: Record<string, string>;
  } = {},
): ControlEvent {
  return {
    ...eventBase,
    RequestType: requestType,
    ResourceType: REPLICATION_START_RESOURCE_TYPE,
    ResourceProperties: {
      ServiceToken: SERVICE_TOKEN,
      Engine: 'instance',
      ReplicationTaskArn: TASK_ARN,
      Fingerprint: 'abc',
      ...properties,
    },
    ...extra,
  } as ControlEvent;
}

function pauseEvent(
  requestType: RequestType,
  properties: Partial<ReplicationPauseProperties> = {},
  old?: Partial<ReplicationPauseProperties>,
): ControlEvent {
  const base = {
    ServiceToken: SERVICE_TOKEN,
    Engine: 'instance',
    ReplicationInstanceArn: INSTANCE_ARN,
    Fingerprint: 'new',
  };
  return {
    ...eventBase,
    RequestType: requestType,
    ResourceType: REPLICATION_PAUSE_RESOURCE_TYPE,
    ResourceProperties: { ...base, ...properties },
    OldResourceProperties: old ? { ...base, Fingerprint: 'old', ...old } : undefined,
  } as ControlEvent;
}

function task(status: string, extra: Partial<ReplicationTask> = {}): ReplicationTask {
  return { ReplicationTaskArn: TASK_ARN, Status: status, ...extra };
}

function tasksAre(...tasks: ReplicationTask[]) {
  dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: tasks });
}

beforeEach(() => {
  dms.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

describe('Custom::DmsReplicationStart on a replication task', () => {
  test('create starts a new task with start-replication', async () => {
    tasksAre(task('ready'));
    dms.on(StartReplicationTaskCommand).resolves({});
    const result = await handlers().onEvent(startEvent('Create'));

    expect(result.PhysicalResourceId).toBe(TASK_ARN);
    expect(result.Data).toEqual({
      StartRequestedAt: '2024-05-01T10:00:00.000Z',
      StartIssued: 'true',
    });
    expect(dms.commandCalls(StartReplicationTaskCommand)[0].args[0].input).toEqual({
      ReplicationTaskArn: TASK_ARN,
      StartReplicationTaskType: 'start-replication',
    });
    expect(dms.commandCalls(DescribeReplicationTasksCommand)[0].args[0].input).toMatchObject({
      Filters: [{ Name: 'replication-task-arn', Values: [TASK_ARN] }],
    });
  });

  test('waits while the task starts, and completes once it runs', async () => {
    const { isComplete } = handlers();
    const event = startEvent(
      'Create',
      {},
      { Data: { StartRequestedAt: new Date(NOW).toISOString() } },
    );
    tasksAre(task('starting'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    tasksAre(task('running'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
  });

  test('a task that still looks stopped just after the start request is given time', async () => {
    tasksAre(task('ready'));
    const requested = new Date(NOW - 30_000).toISOString();
    await expect(
      handlers().isComplete(startEvent('Create', {}, { Data: { StartRequestedAt: requested } })),
    ).resolves.toEqual({ IsComplete: false });
  });

  test('a task that stopped after the grace period fails the deployment with its reason', async () => {
    tasksAre(
      task('stopped', {
        StopReason: 'Stop Reason FATAL_ERROR',
        LastFailureMessage: 'Error connecting to source',
      }),
    );
    const requested = new Date(NOW - 5 * 60_000).toISOString();
    await expect(
      handlers().isComplete(startEvent('Create', {}, { Data: { StartRequestedAt: requested } })),
    ).rejects.toThrow(
      `The replication ${TASK_ARN} stopped on an error (Stop Reason FATAL_ERROR: Error connecting to source)`,
    );
  });

  test('a failed task fails the deployment with its failure message', async () => {
    tasksAre(task('failed', { LastFailureMessage: 'Access denied to the bucket' }));
    await expect(handlers().isComplete(startEvent('Create'))).rejects.toThrow(
      'failed (Access denied to the bucket)',
    );
  });

  test('a task that is still being modified is started once it is at rest', async () => {
    tasksAre(task('modifying', { ReplicationTaskStartDate: new Date(NOW - 86_400_000) }));
    dms.on(StartReplicationTaskCommand).resolves({});
    const { onEvent, isComplete } = handlers();
    const result = await onEvent(startEvent('Update', {}, { PhysicalResourceId: TASK_ARN }));
    expect(result.Data).toMatchObject({ StartIssued: 'false' });
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);

    const event = startEvent('Update', {}, { PhysicalResourceId: TASK_ARN, Data: result.Data });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
    tasksAre(task('stopped', { ReplicationTaskStartDate: new Date(NOW - 86_400_000) }));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(StartReplicationTaskCommand)[0].args[0].input).toEqual({
      ReplicationTaskArn: TASK_ARN,
      StartReplicationTaskType: 'resume-processing',
    });
    tasksAre(task('running'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
  });

  test('a start that DMS refuses because the task is busy is retried from isComplete', async () => {
    tasksAre(task('ready'));
    dms
      .on(StartReplicationTaskCommand)
      .rejectsOnce(awsError('InvalidResourceStateFault'))
      .resolves({});
    const { onEvent, isComplete } = handlers();
    const result = await onEvent(startEvent('Create'));
    expect(result.Data).toMatchObject({ StartIssued: 'false' });
    await isComplete(startEvent('Create', {}, { Data: result.Data }));
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(2);
  });

  test('a task that stopped normally after the grace period is asked to start again', async () => {
    tasksAre(
      task('stopped', {
        StopReason: 'Stop Reason NORMAL',
        ReplicationTaskStartDate: new Date(NOW),
      }),
    );
    dms.on(StartReplicationTaskCommand).resolves({});
    const requested = new Date(NOW - 5 * 60_000).toISOString();
    await expect(
      handlers().isComplete(
        startEvent('Create', {}, { Data: { StartRequestedAt: requested, StartIssued: 'true' } }),
      ),
    ).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(StartReplicationTaskCommand)[0].args[0].input).toMatchObject({
      StartReplicationTaskType: 'resume-processing',
    });
  });

  test('update of a task that the pause stopped resumes processing', async () => {
    tasksAre(task('stopped', { ReplicationTaskStartDate: new Date(NOW - 86_400_000) }));
    dms.on(StartReplicationTaskCommand).resolves({});
    const result = await handlers().onEvent(
      startEvent('Update', {}, { PhysicalResourceId: TASK_ARN }),
    );
    expect(result.PhysicalResourceId).toBe(TASK_ARN);
    expect(dms.commandCalls(StartReplicationTaskCommand)[0].args[0].input).toMatchObject({
      StartReplicationTaskType: 'resume-processing',
    });
  });

  test('update of a running task changes nothing', async () => {
    tasksAre(task('running', { ReplicationTaskStartDate: new Date(NOW - 86_400_000) }));
    await handlers().onEvent(startEvent('Update', {}, { PhysicalResourceId: TASK_ARN }));
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
  });

  test('a replaced task is started afresh under a new physical id', async () => {
    tasksAre(task('ready'));
    dms.on(StartReplicationTaskCommand).resolves({});
    const result = await handlers().onEvent(
      startEvent(
        'Update',
        {},
        {
          PhysicalResourceId: OLD_TASK_ARN,
          OldResourceProperties: {
            Engine: 'instance',
            ReplicationTaskArn: OLD_TASK_ARN,
            Fingerprint: 'abc',
          },
        },
      ),
    );
    expect(result.PhysicalResourceId).toBe(TASK_ARN);
    expect(dms.commandCalls(StartReplicationTaskCommand)[0].args[0].input).toMatchObject({
      ReplicationTaskArn: TASK_ARN,
      StartReplicationTaskType: 'start-replication',
    });
  });

  test('delete stops the task before CloudFormation deletes it, and waits until it stopped', async () => {
    dms.on(StopReplicationTaskCommand).resolves({});
    const { onEvent, isComplete } = handlers();
    const event = startEvent('Delete', {}, { PhysicalResourceId: TASK_ARN });

    await expect(onEvent(event)).resolves.toEqual({ PhysicalResourceId: TASK_ARN });
    expect(dms.commandCalls(StopReplicationTaskCommand)[0].args[0].input).toEqual({
      ReplicationTaskArn: TASK_ARN,
    });
    tasksAre(task('stopping'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    tasksAre(task('stopped'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
  });

  test('delete of a task that is already stopped or gone succeeds', async () => {
    dms
      .on(StopReplicationTaskCommand)
      .rejectsOnce(awsError('InvalidResourceStateFault'))
      .rejectsOnce(awsError('ResourceNotFoundFault'));
    dms.on(DescribeReplicationTasksCommand).rejects(awsError('ResourceNotFoundFault'));
    const { onEvent, isComplete } = handlers();
    const event = startEvent('Delete', {}, { PhysicalResourceId: TASK_ARN });

    await expect(onEvent(event)).resolves.toEqual({ PhysicalResourceId: TASK_ARN });
    await expect(onEvent(event)).resolves.toEqual({ PhysicalResourceId: TASK_ARN });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
  });

  test('delete that DMS refuses for another reason fails', async () => {
    dms.on(StopReplicationTaskCommand).rejects(awsError('AccessDeniedFault'));
    await expect(
      handlers().onEvent(startEvent('Delete', {}, { PhysicalResourceId: TASK_ARN })),
    ).rejects.toThrow('AccessDeniedFault happened');
  });

  test('throttling is retried with backoff', async () => {
    dms
      .on(DescribeReplicationTasksCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ ReplicationTasks: [task('ready')] });
    dms.on(StartReplicationTaskCommand).rejectsOnce(awsError('ThrottlingException')).resolves({});
    const control = handlers();
    await control.onEvent(startEvent('Create'));

    expect(dms.commandCalls(DescribeReplicationTasksCommand)).toHaveLength(3);
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(2);
    expect(control.sleeps).toHaveLength(3);
  });

  test('a start of a task that does not exist fails', async () => {
    dms.on(DescribeReplicationTasksCommand).rejects(awsError('ResourceNotFoundFault'));
    await expect(handlers().onEvent(startEvent('Create'))).rejects.toThrow('does not exist');
  });
});

describe('Custom::DmsReplicationStart on DMS Serverless', () => {
  const serverless = { Engine: 'serverless' as const, ReplicationConfigArn: CONFIG_ARN };

  test('create starts the replication; it completes once running', async () => {
    dms.on(DescribeReplicationsCommand).resolves({ Replications: [] });
    dms.on(StartReplicationCommand).resolves({});
    const { onEvent, isComplete } = handlers();
    const result = await onEvent(startEvent('Create', serverless));

    expect(result.PhysicalResourceId).toBe(CONFIG_ARN);
    expect(dms.commandCalls(StartReplicationCommand)[0].args[0].input).toEqual({
      ReplicationConfigArn: CONFIG_ARN,
      StartReplicationType: 'start-replication',
    });
    expect(dms.commandCalls(DescribeReplicationsCommand)[0].args[0].input).toEqual({
      Filters: [{ Name: 'replication-config-arn', Values: [CONFIG_ARN] }],
    });

    const event = { ...startEvent('Create', serverless), Data: result.Data };
    dms.on(DescribeReplicationsCommand).resolves({
      Replications: [
        { Status: 'provisioning_capacity', StartReplicationType: 'start-replication' },
      ],
    });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    dms.on(DescribeReplicationsCommand).resolves({
      Replications: [{ Status: 'running', StartReplicationType: 'start-replication' }],
    });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
  });

  test('update after a pause resumes processing', async () => {
    dms.on(DescribeReplicationsCommand).resolves({
      Replications: [{ Status: 'stopped', StartReplicationType: 'start-replication' }],
    });
    dms.on(StartReplicationCommand).resolves({});
    await handlers().onEvent(startEvent('Update', serverless, { PhysicalResourceId: CONFIG_ARN }));
    expect(dms.commandCalls(StartReplicationCommand)[0].args[0].input).toMatchObject({
      StartReplicationType: 'resume-processing',
    });
  });

  test('a failed replication reports its failure messages', async () => {
    dms.on(DescribeReplicationsCommand).resolves({
      Replications: [{ Status: 'failed', FailureMessages: ['Cannot reach the source'] }],
    });
    await expect(handlers().isComplete(startEvent('Create', serverless))).rejects.toThrow(
      'failed (Cannot reach the source)',
    );
  });

  test('delete stops it, and tolerates a configuration that is gone', async () => {
    dms.on(StopReplicationCommand).resolves({});
    const { onEvent, isComplete } = handlers();
    const event = startEvent('Delete', serverless, { PhysicalResourceId: CONFIG_ARN });
    await onEvent(event);
    expect(dms.commandCalls(StopReplicationCommand)[0].args[0].input).toEqual({
      ReplicationConfigArn: CONFIG_ARN,
    });
    dms.on(DescribeReplicationsCommand).rejects(awsError('ResourceNotFoundFault'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
  });
});

describe('Custom::DmsReplicationPause', () => {
  test('create and delete touch nothing', async () => {
    const { onEvent, isComplete } = handlers();
    await expect(onEvent(pauseEvent('Create'))).resolves.toEqual({
      PhysicalResourceId: `pause:${INSTANCE_ARN}`,
    });
    await expect(isComplete(pauseEvent('Create'))).resolves.toEqual({ IsComplete: true });
    await expect(onEvent(pauseEvent('Delete'))).resolves.toEqual({
      PhysicalResourceId: `pause:${INSTANCE_ARN}`,
    });
    expect(dms.calls()).toHaveLength(0);
  });

  test('update stops the running tasks of the instance and waits until they stopped', async () => {
    dms.on(StopReplicationTaskCommand).resolves({});
    tasksAre(task('running'), { ReplicationTaskArn: OLD_TASK_ARN, Status: 'stopped' });
    const { onEvent, isComplete } = handlers();
    const event = pauseEvent('Update', {}, {});
    await onEvent(event);

    expect(dms.commandCalls(DescribeReplicationTasksCommand)[0].args[0].input).toMatchObject({
      Filters: [{ Name: 'replication-instance-arn', Values: [INSTANCE_ARN] }],
    });
    expect(dms.commandCalls(StopReplicationTaskCommand).map((call) => call.args[0].input)).toEqual([
      { ReplicationTaskArn: TASK_ARN },
    ]);
    tasksAre(task('stopping'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    tasksAre(task('stopped'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
  });

  test('an instance without tasks has nothing to pause', async () => {
    dms.on(DescribeReplicationTasksCommand).rejects(awsError('ResourceNotFoundFault'));
    await expect(handlers().isComplete(pauseEvent('Update', {}, {}))).resolves.toEqual({
      IsComplete: true,
    });
  });

  test('a replaced instance: the tasks of the old instance are stopped too', async () => {
    const oldInstance = 'arn:aws:dms:us-east-1:123456789012:rep:OLDINSTANCE';
    dms.on(StopReplicationTaskCommand).resolves({});
    dms
      .on(DescribeReplicationTasksCommand)
      .resolves({ ReplicationTasks: [] })
      .on(DescribeReplicationTasksCommand, {
        Filters: [{ Name: 'replication-instance-arn', Values: [oldInstance] }],
      })
      .resolves({ ReplicationTasks: [{ ReplicationTaskArn: OLD_TASK_ARN, Status: 'running' }] });
    await handlers().onEvent(pauseEvent('Update', {}, { ReplicationInstanceArn: oldInstance }));
    expect(dms.commandCalls(StopReplicationTaskCommand).map((call) => call.args[0].input)).toEqual([
      { ReplicationTaskArn: OLD_TASK_ARN },
    ]);
  });

  test('serverless: stops the replication of the configuration identifier', async () => {
    dms.on(StopReplicationCommand).resolves({});
    dms.on(DescribeReplicationsCommand).resolves({
      Replications: [{ ReplicationConfigArn: CONFIG_ARN, Status: 'running' }],
    });
    const event = pauseEvent(
      'Update',
      {
        Engine: 'serverless',
        ReplicationInstanceArn: undefined,
        ReplicationConfigIdentifier: 'ml-foundation-cdc',
      },
      {
        Engine: 'serverless',
        ReplicationInstanceArn: undefined,
        ReplicationConfigIdentifier: 'ml-foundation-cdc',
      },
    );
    const { onEvent, isComplete } = handlers();
    await expect(onEvent(event)).resolves.toEqual({
      PhysicalResourceId: 'pause:ml-foundation-cdc',
    });
    expect(dms.commandCalls(DescribeReplicationsCommand)[0].args[0].input).toEqual({
      Filters: [{ Name: 'replication-config-id', Values: ['ml-foundation-cdc'] }],
    });
    expect(dms.commandCalls(StopReplicationCommand)[0].args[0].input).toEqual({
      ReplicationConfigArn: CONFIG_ARN,
    });
    dms.on(DescribeReplicationsCommand).resolves({
      Replications: [{ ReplicationConfigArn: CONFIG_ARN, Status: 'stopped' }],
    });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
  });

  test('an unknown resource type is refused', async () => {
    await expect(
      handlers().onEvent({ ...pauseEvent('Create'), ResourceType: 'Custom::Other' }),
    ).rejects.toThrow('Unsupported resource type Custom::Other.');
  });
});
