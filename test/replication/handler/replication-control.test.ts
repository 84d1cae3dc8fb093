import {
  CreateReplicationSubnetGroupCommand,
  DatabaseMigrationServiceClient,
  DeleteReplicationSubnetGroupCommand,
  DescribeConnectionsCommand,
  DescribeReplicationTasksCommand,
  DescribeReplicationsCommand,
  StartReplicationCommand,
  StartReplicationTaskCommand,
  StopReplicationCommand,
  StopReplicationTaskCommand,
  TestConnectionCommand,
} from '@aws-sdk/client-database-migration-service';
import type { Connection, ReplicationTask } from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import type { CdkCustomResourceIsCompleteEvent } from 'aws-lambda';
import { DMS_VPC_ROLE_READY_RESOURCE_TYPE } from '../../../lib/replication/handler/dms-vpc-role-ready-properties';
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
const SOURCE_ARN = 'arn:aws:dms:us-east-1:123456789012:endpoint:SOURCE';
const TARGET_ARN = 'arn:aws:dms:us-east-1:123456789012:endpoint:TARGET';
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

const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

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
      ReplicationInstanceArn: INSTANCE_ARN,
      EndpointArns: [SOURCE_ARN, TARGET_ARN],
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

function connectionsAre(source: Partial<Connection>, target: Partial<Connection> = source) {
  dms.on(DescribeConnectionsCommand).resolves({
    Connections: [
      { EndpointArn: SOURCE_ARN, ReplicationInstanceArn: INSTANCE_ARN, ...source },
      { EndpointArn: TARGET_ARN, ReplicationInstanceArn: INSTANCE_ARN, ...target },
    ],
  });
}

/** The attributes onEvent returned for a start request made `minutes` ago. */
function started(minutes: number, issued: boolean, fresh = true): Record<string, string> {
  return {
    StartRequestedAt: minutesAgo(minutes),
    StartIssued: String(issued),
    FreshTarget: String(fresh),
  };
}

beforeEach(() => {
  dms.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

describe('Custom::DmsReplicationStart on a replication task', () => {
  test('create tests both endpoint connections, and starts the task once they succeed', async () => {
    // DMS API TestConnection (ReplicationInstanceArn, EndpointArn) and DescribeConnections
    // (filters replication-instance-arn and endpoint-arn; Status "successful" | "testing" |
    // "failed" | "deleting"): the task starts only once the instance reaches both endpoints.
    tasksAre(task('ready'));
    dms.on(TestConnectionCommand).resolves({});
    dms.on(StartReplicationTaskCommand).resolves({});
    const { onEvent, isComplete } = handlers();
    const result = await onEvent(startEvent('Create'));

    expect(result.PhysicalResourceId).toBe(TASK_ARN);
    expect(result.Data).toEqual({
      StartRequestedAt: '2024-05-01T10:00:00.000Z',
      StartIssued: 'false',
      FreshTarget: 'true',
    });
    expect(dms.commandCalls(TestConnectionCommand).map((call) => call.args[0].input)).toEqual([
      { ReplicationInstanceArn: INSTANCE_ARN, EndpointArn: SOURCE_ARN },
      { ReplicationInstanceArn: INSTANCE_ARN, EndpointArn: TARGET_ARN },
    ]);
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
    expect(dms.commandCalls(DescribeReplicationTasksCommand)[0].args[0].input).toMatchObject({
      Filters: [{ Name: 'replication-task-arn', Values: [TASK_ARN] }],
    });

    const event = startEvent('Create', {}, { Data: result.Data });
    connectionsAre({ Status: 'successful' }, { Status: 'testing' });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
    expect(dms.commandCalls(DescribeConnectionsCommand)[0].args[0].input).toEqual({
      Filters: [
        { Name: 'replication-instance-arn', Values: [INSTANCE_ARN] },
        { Name: 'endpoint-arn', Values: [SOURCE_ARN, TARGET_ARN] },
      ],
    });

    connectionsAre({ Status: 'successful' });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(StartReplicationTaskCommand)[0].args[0].input).toEqual({
      ReplicationTaskArn: TASK_ARN,
      StartReplicationTaskType: 'start-replication',
    });
    tasksAre(task('running'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
  });

  test("a failed connection fails the create with DMS's message, and the task is not started", async () => {
    // DMS API Connection.LastFailureMessage: "The error message when the connection last failed."
    tasksAre(task('ready'));
    connectionsAre(
      { Status: 'failed', LastFailureMessage: 'Access denied for user dms_cdc' },
      { Status: 'successful' },
    );
    await expect(
      handlers().isComplete(startEvent('Create', {}, { Data: started(1, false) })),
    ).rejects.toThrow(
      `The replication instance cannot connect to the endpoint ${SOURCE_ARN}: Access denied for user dms_cdc.`,
    );
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
  });

  test('an endpoint the instance has no test for is tested again', async () => {
    tasksAre(task('ready'));
    dms.on(TestConnectionCommand).resolves({});
    dms
      .on(DescribeConnectionsCommand)
      .resolves({ Connections: [{ EndpointArn: SOURCE_ARN, Status: 'successful' }] });
    await expect(
      handlers().isComplete(startEvent('Create', {}, { Data: started(1, false) })),
    ).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(TestConnectionCommand).map((call) => call.args[0].input)).toEqual([
      { ReplicationInstanceArn: INSTANCE_ARN, EndpointArn: TARGET_ARN },
    ]);
  });

  test('waits while the task starts, and completes once it runs', async () => {
    const { isComplete } = handlers();
    const event = startEvent('Create', {}, { Data: started(0, true) });
    tasksAre(task('starting'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    tasksAre(task('running'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
  });

  test('a task that still looks stopped just after the start request is given time', async () => {
    tasksAre(task('ready'));
    await expect(
      handlers().isComplete(startEvent('Create', {}, { Data: started(0.5, true) })),
    ).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(DescribeConnectionsCommand)).toHaveLength(0);
  });

  test('a task that stopped on an error fails the create with its reason', async () => {
    tasksAre(
      task('stopped', {
        StopReason: 'Stop Reason FATAL_ERROR',
        LastFailureMessage: 'Error connecting to source',
      }),
    );
    await expect(
      handlers().isComplete(startEvent('Create', {}, { Data: started(5, true) })),
    ).rejects.toThrow(
      `The replication ${TASK_ARN} stopped on an error (Stop Reason FATAL_ERROR: Error connecting to source)`,
    );
  });

  test('a failed task fails the create with its failure message', async () => {
    tasksAre(task('failed', { LastFailureMessage: 'Access denied to the bucket' }));
    await expect(
      handlers().isComplete(startEvent('Create', {}, { Data: started(5, true) })),
    ).rejects.toThrow('failed (Access denied to the bucket)');
  });

  test('a task that has not started within 50 minutes fails the create with its state', async () => {
    // CloudFormation waits at most an hour for a custom resource (ServiceTimeout 1-3600 s) and
    // the provider 55 minutes: the handler gives up first, with what DMS says.
    tasksAre(task('starting'));
    await expect(
      handlers().isComplete(startEvent('Create', {}, { Data: started(51, true) })),
    ).rejects.toThrow(
      `The replication ${TASK_ARN} has not started after 51 minutes: it is starting.`,
    );
  });

  describe('an update of a task that ran before reports a failure and completes', () => {
    // aws/aws-cdk#29581: CloudFormation rolls an update back by sending the custom resource
    // another Update with the old properties; a handler that throws again there leaves the
    // stack in UPDATE_ROLLBACK_FAILED. A rollback Update looks like any other, so every update
    // of a replication that ran only reports.
    test.each<[string, ReplicationTask, string]>([
      [
        'a failed task',
        task('failed', {
          LastFailureMessage: 'Binlog purged',
          ReplicationTaskStartDate: new Date(0),
        }),
        `The replication ${TASK_ARN} failed (Binlog purged). Its CloudWatch logs say why.`,
      ],
      [
        'a task stopped on an error',
        task('stopped', {
          StopReason: 'Stop Reason RECOVERABLE_ERROR',
          ReplicationTaskStartDate: new Date(0),
        }),
        `The replication ${TASK_ARN} stopped on an error (Stop Reason RECOVERABLE_ERROR). Its CloudWatch logs say why.`,
      ],
    ])('%s', async (_name, state, message) => {
      jest.spyOn(console, 'error').mockImplementation(() => undefined);
      tasksAre(state);
      const event = startEvent(
        'Update',
        {},
        { PhysicalResourceId: TASK_ARN, Data: started(5, true, false) },
      );
      await expect(handlers().isComplete(event)).resolves.toEqual({
        IsComplete: true,
        Data: { StartFailed: message },
      });
      expect(console.error).toHaveBeenCalledWith(expect.stringContaining(message));
    });

    test('a connection that fails', async () => {
      jest.spyOn(console, 'error').mockImplementation(() => undefined);
      tasksAre(task('stopped', { ReplicationTaskStartDate: new Date(0) }));
      connectionsAre(
        { Status: 'successful' },
        { Status: 'failed', LastFailureMessage: 'Bucket gone' },
      );
      const event = startEvent(
        'Update',
        {},
        { PhysicalResourceId: TASK_ARN, Data: started(1, false, false) },
      );
      await expect(handlers().isComplete(event)).resolves.toMatchObject({
        IsComplete: true,
        Data: { StartFailed: expect.stringContaining('Bucket gone') },
      });
    });

    test('a task that is gone, or has not started within 50 minutes', async () => {
      jest.spyOn(console, 'error').mockImplementation(() => undefined);
      dms.on(DescribeReplicationTasksCommand).rejects(awsError('ResourceNotFoundFault'));
      const gone = await handlers().onEvent(
        startEvent('Update', {}, { PhysicalResourceId: TASK_ARN }),
      );
      expect(gone.Data).toMatchObject({ FreshTarget: 'false' });
      await expect(
        handlers().isComplete(
          startEvent('Update', {}, { PhysicalResourceId: TASK_ARN, Data: gone.Data }),
        ),
      ).resolves.toMatchObject({
        IsComplete: true,
        Data: { StartFailed: expect.stringContaining('no longer exists') },
      });

      tasksAre(task('starting', { ReplicationTaskStartDate: new Date(0) }));
      await expect(
        handlers().isComplete(
          startEvent(
            'Update',
            {},
            { PhysicalResourceId: TASK_ARN, Data: started(51, true, false) },
          ),
        ),
      ).resolves.toMatchObject({
        IsComplete: true,
        Data: { StartFailed: expect.stringContaining('has not started after 51 minutes') },
      });
    });
  });

  test('an update that replaced the task fails when the new task fails: rolling back returns to the old one', async () => {
    tasksAre(task('ready'));
    dms.on(TestConnectionCommand).resolves({});
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
    expect(result.Data).toMatchObject({ FreshTarget: 'true' });
    tasksAre(task('failed', { LastFailureMessage: 'Table banking.banking does not exist' }));
    await expect(
      handlers().isComplete(
        startEvent(
          'Update',
          {},
          { Data: { ...result.Data, StartIssued: 'true', StartRequestedAt: minutesAgo(5) } },
        ),
      ),
    ).rejects.toThrow('Table banking.banking does not exist');
  });

  test('a task that is still being modified is started once it is at rest', async () => {
    const before = new Date(NOW - 86_400_000);
    tasksAre(task('modifying', { ReplicationTaskStartDate: before }));
    dms.on(StartReplicationTaskCommand).resolves({});
    connectionsAre({ Status: 'successful' });
    const { onEvent, isComplete } = handlers();
    const result = await onEvent(startEvent('Update', {}, { PhysicalResourceId: TASK_ARN }));
    expect(result.Data).toMatchObject({ StartIssued: 'false', FreshTarget: 'false' });
    expect(dms.commandCalls(TestConnectionCommand)).toHaveLength(0);

    const event = startEvent('Update', {}, { PhysicalResourceId: TASK_ARN, Data: result.Data });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
    tasksAre(task('stopped', { ReplicationTaskStartDate: before }));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(StartReplicationTaskCommand)[0].args[0].input).toEqual({
      ReplicationTaskArn: TASK_ARN,
      StartReplicationTaskType: 'resume-processing',
    });
    tasksAre(task('running'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
  });

  test('a start that DMS refuses because the task is busy is asked again', async () => {
    tasksAre(task('ready'));
    connectionsAre({ Status: 'successful' });
    dms
      .on(StartReplicationTaskCommand)
      .rejectsOnce(awsError('InvalidResourceStateFault'))
      .resolves({});
    const { isComplete } = handlers();
    const event = startEvent('Create', {}, { Data: started(1, false) });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(2);
  });

  test('a task that stopped normally after the grace period is asked to start again', async () => {
    tasksAre(
      task('stopped', {
        StopReason: 'Stop Reason NORMAL',
        ReplicationTaskStartDate: new Date(NOW),
      }),
    );
    connectionsAre({ Status: 'successful' });
    dms.on(StartReplicationTaskCommand).resolves({});
    await expect(
      handlers().isComplete(startEvent('Create', {}, { Data: started(5, true) })),
    ).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(StartReplicationTaskCommand)[0].args[0].input).toMatchObject({
      StartReplicationTaskType: 'resume-processing',
    });
  });

  test('update of a task that the pause stopped tests the connections, then resumes processing', async () => {
    tasksAre(task('stopped', { ReplicationTaskStartDate: new Date(NOW - 86_400_000) }));
    dms.on(TestConnectionCommand).resolves({});
    dms.on(StartReplicationTaskCommand).resolves({});
    const { onEvent, isComplete } = handlers();
    const result = await onEvent(startEvent('Update', {}, { PhysicalResourceId: TASK_ARN }));
    expect(result.PhysicalResourceId).toBe(TASK_ARN);
    expect(dms.commandCalls(TestConnectionCommand)).toHaveLength(2);
    connectionsAre({ Status: 'successful' });
    await isComplete(startEvent('Update', {}, { PhysicalResourceId: TASK_ARN, Data: result.Data }));
    expect(dms.commandCalls(StartReplicationTaskCommand)[0].args[0].input).toMatchObject({
      StartReplicationTaskType: 'resume-processing',
    });
  });

  test('update of a running task changes nothing', async () => {
    tasksAre(task('running', { ReplicationTaskStartDate: new Date(NOW - 86_400_000) }));
    const { onEvent, isComplete } = handlers();
    const result = await onEvent(startEvent('Update', {}, { PhysicalResourceId: TASK_ARN }));
    await expect(
      isComplete(startEvent('Update', {}, { PhysicalResourceId: TASK_ARN, Data: result.Data })),
    ).resolves.toEqual({ IsComplete: true });
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
    expect(dms.commandCalls(TestConnectionCommand)).toHaveLength(0);
  });

  test('a replaced task is started afresh under a new physical id', async () => {
    tasksAre(task('ready'));
    dms.on(TestConnectionCommand).resolves({});
    dms.on(StartReplicationTaskCommand).resolves({});
    const result = await handlers().onEvent(
      startEvent('Update', {}, { PhysicalResourceId: OLD_TASK_ARN }),
    );
    expect(result.PhysicalResourceId).toBe(TASK_ARN);
    connectionsAre({ Status: 'successful' });
    await handlers().isComplete(startEvent('Update', {}, { Data: result.Data }));
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
    dms.on(TestConnectionCommand).rejectsOnce(awsError('ThrottlingException')).resolves({});
    const control = handlers();
    await control.onEvent(startEvent('Create'));

    expect(dms.commandCalls(DescribeReplicationTasksCommand)).toHaveLength(3);
    expect(dms.commandCalls(TestConnectionCommand)).toHaveLength(3);
    expect(control.sleeps).toHaveLength(3);
  });

  test('a start of a task that does not exist fails', async () => {
    dms.on(DescribeReplicationTasksCommand).rejects(awsError('ResourceNotFoundFault'));
    await expect(handlers().onEvent(startEvent('Create'))).rejects.toThrow('does not exist');
  });
});

describe('Custom::DmsReplicationStart on DMS Serverless', () => {
  const serverless = {
    Engine: 'serverless' as const,
    ReplicationConfigArn: CONFIG_ARN,
    ReplicationTaskArn: undefined,
    ReplicationInstanceArn: undefined,
    EndpointArns: undefined,
  };

  test('create starts the replication, and completes once it has left its resting state', async () => {
    // DMS Serverless components: a replication goes through initializing, preparing metadata
    // resources, testing connection, fetching metadata, calculating and provisioning capacity
    // to running, which takes 40 to 60 minutes (DMS workshop timings), more than CloudFormation
    // waits for a custom resource (ServiceTimeout at most 3600 s). Later failures go to the
    // replication's failure alarm.
    dms.on(DescribeReplicationsCommand).resolves({ Replications: [] });
    dms.on(StartReplicationCommand).resolves({});
    const { onEvent, isComplete } = handlers();
    const result = await onEvent(startEvent('Create', serverless));

    expect(result.PhysicalResourceId).toBe(CONFIG_ARN);
    expect(result.Data).toMatchObject({ StartIssued: 'true', FreshTarget: 'true' });
    expect(dms.commandCalls(StartReplicationCommand)[0].args[0].input).toEqual({
      ReplicationConfigArn: CONFIG_ARN,
      StartReplicationType: 'start-replication',
    });
    expect(dms.commandCalls(DescribeReplicationsCommand)[0].args[0].input).toEqual({
      Filters: [{ Name: 'replication-config-arn', Values: [CONFIG_ARN] }],
    });
    expect(dms.commandCalls(TestConnectionCommand)).toHaveLength(0);

    const event = { ...startEvent('Create', serverless), Data: result.Data };
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    for (const status of [
      'initializing',
      'testing_connection',
      'provisioning_capacity',
      'running',
    ]) {
      dms.on(DescribeReplicationsCommand).resolves({
        Replications: [{ Status: status, StartReplicationType: 'start-replication' }],
      });
      await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    }
  });

  test('a replication still at rest after the grace period is asked to start again', async () => {
    dms.on(DescribeReplicationsCommand).resolves({ Replications: [{ Status: 'created' }] });
    dms.on(StartReplicationCommand).resolves({});
    await expect(
      handlers().isComplete(startEvent('Create', serverless, { Data: started(5, true) })),
    ).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(StartReplicationCommand)).toHaveLength(1);
  });

  test('update after a pause resumes processing', async () => {
    dms.on(DescribeReplicationsCommand).resolves({
      Replications: [{ Status: 'stopped', StartReplicationType: 'start-replication' }],
    });
    dms.on(StartReplicationCommand).resolves({});
    const result = await handlers().onEvent(
      startEvent('Update', serverless, { PhysicalResourceId: CONFIG_ARN }),
    );
    expect(result.Data).toMatchObject({ FreshTarget: 'false' });
    expect(dms.commandCalls(StartReplicationCommand)[0].args[0].input).toMatchObject({
      StartReplicationType: 'resume-processing',
    });
  });

  test('a failed replication reports its failure messages', async () => {
    dms.on(DescribeReplicationsCommand).resolves({
      Replications: [{ Status: 'failed', FailureMessages: ['Cannot reach the source'] }],
    });
    await expect(
      handlers().isComplete(startEvent('Create', serverless, { Data: started(5, true) })),
    ).rejects.toThrow('failed (Cannot reach the source)');
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

describe('Custom::DmsVpcRoleReady', () => {
  // aws/aws-cdk#7632 and hashicorp/terraform-provider-aws#11025: right after dms-vpc-role is
  // created, DMS answers "The IAM Role arn:aws:iam::...:role/dms-vpc-role is not configured
  // properly" (AccessDeniedFault); a dependency on the role "is not adequate". The resource
  // asks DMS itself, with a subnet group it deletes again.
  const PROBE = 'ml-foundation-dms-role-probe';
  const SUBNETS = ['subnet-1', 'subnet-2'];
  const notYet = () =>
    Object.assign(awsError('AccessDeniedFault'), {
      message:
        'The IAM Role arn:aws:iam::123456789012:role/dms-vpc-role is not configured properly.',
    });

  function readyEvent(requestType: RequestType, data?: Record<string, string>): ControlEvent {
    return {
      ...eventBase,
      RequestType: requestType,
      ResourceType: DMS_VPC_ROLE_READY_RESOURCE_TYPE,
      PhysicalResourceId: PROBE,
      ResourceProperties: {
        ServiceToken: SERVICE_TOKEN,
        ProbeSubnetGroupIdentifier: PROBE,
        SubnetIds: SUBNETS,
      },
      Data: data,
    } as ControlEvent;
  }

  test('completes once DMS accepts a subnet group in the subnets, and deletes it again', async () => {
    dms.on(CreateReplicationSubnetGroupCommand).rejectsOnce(notYet()).resolves({});
    dms.on(DeleteReplicationSubnetGroupCommand).resolves({});
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const { onEvent, isComplete } = handlers();
    const result = await onEvent(readyEvent('Create'));
    expect(result).toEqual({
      PhysicalResourceId: PROBE,
      Data: { TriedSince: '2024-05-01T10:00:00.000Z' },
    });

    const event = readyEvent('Create', result.Data);
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(dms.commandCalls(DeleteReplicationSubnetGroupCommand)).toHaveLength(0);
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(dms.commandCalls(CreateReplicationSubnetGroupCommand)[1].args[0].input).toMatchObject({
      ReplicationSubnetGroupIdentifier: PROBE,
      SubnetIds: SUBNETS,
    });
    expect(dms.commandCalls(DeleteReplicationSubnetGroupCommand)[0].args[0].input).toEqual({
      ReplicationSubnetGroupIdentifier: PROBE,
    });
  });

  test("fails with DMS's answer once DMS has refused the role for 15 minutes", async () => {
    dms.on(CreateReplicationSubnetGroupCommand).rejects(notYet());
    await expect(
      handlers().isComplete(readyEvent('Create', { TriedSince: minutesAgo(16) })),
    ).rejects.toThrow(
      'DMS still cannot use dms-vpc-role after 16 minutes: The IAM Role arn:aws:iam::123456789012:role/dms-vpc-role is not configured properly. ' +
        'The role needs the AWS managed policy AmazonDMSVPCManagementRole and a trust policy for dms.amazonaws.com; with replication.dmsRoles "existing" the account must have it, "create" makes it when it is missing.',
    );
  });

  test('any other refusal fails at once', async () => {
    dms.on(CreateReplicationSubnetGroupCommand).rejects(awsError('InvalidSubnet'));
    await expect(
      handlers().isComplete(readyEvent('Create', { TriedSince: minutesAgo(0) })),
    ).rejects.toThrow('InvalidSubnet happened');
  });

  test('a probe left behind by an earlier attempt is deleted and the role tried again', async () => {
    dms
      .on(CreateReplicationSubnetGroupCommand)
      .rejectsOnce(awsError('ResourceAlreadyExistsFault'))
      .resolves({});
    dms.on(DeleteReplicationSubnetGroupCommand).resolves({});
    const { isComplete } = handlers();
    const event = readyEvent('Create', { TriedSince: minutesAgo(0) });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(dms.commandCalls(DeleteReplicationSubnetGroupCommand)).toHaveLength(2);
  });

  test('an update asks nothing; a delete removes a probe that is left, or finds it gone', async () => {
    const { onEvent, isComplete } = handlers();
    await expect(isComplete(readyEvent('Update'))).resolves.toEqual({ IsComplete: true });
    expect(dms.calls()).toHaveLength(0);
    dms.on(DeleteReplicationSubnetGroupCommand).rejects(awsError('ResourceNotFoundFault'));
    await expect(onEvent(readyEvent('Delete'))).resolves.toMatchObject({
      PhysicalResourceId: PROBE,
    });
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
