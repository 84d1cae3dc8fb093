import {
  CreateDataSourceFromRDSCommand,
  CreateDataSourceFromRedshiftCommand,
  DeleteDataSourceCommand,
  GetDataSourceCommand,
  IdempotentParameterMismatchException,
  InternalServerException,
  InvalidInputException,
  MachineLearningClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-machine-learning';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { mockMachineLearningClient } from './machine-learning-mock';
import type {
  DataSourceEvent,
  DataSourceIsCompleteEvent,
} from '../../../lib/amazon-ml/handler/datasource-handler';
import { dataSourceHandlers } from '../../../lib/amazon-ml/handler/datasource-handler';
import type {
  RdsDataSourceProperties,
  RedshiftDataSourceProperties,
} from '../../../lib/amazon-ml/handler/datasource-properties';

const ml = mockMachineLearningClient();
const secrets = mockClient(SecretsManagerClient);

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift-admin-AbCdEf';
const PASSWORD = 'Xy7!secret-Passw0rd';
const SCHEMA = JSON.stringify({ version: '1.0', attributes: [] });
const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent';

const REDSHIFT: RedshiftDataSourceProperties = {
  Engine: 'redshift',
  DataSourceIdPrefix: 'banking-redshift',
  DataSourceName: 'Banking from Redshift',
  RoleArn: 'arn:aws:iam::123456789012:role/banking-redshift-ml',
  ComputeStatistics: 'true',
  SecretArn: SECRET_ARN,
  ClusterIdentifier: 'ml-foundation-redshift',
  DatabaseName: 'dev',
  SelectSqlQuery: 'SELECT "age", "y" FROM "public"."banking" ORDER BY random();',
  S3StagingLocation: 's3://staging-bucket/redshift/banking/',
  DataSchema: SCHEMA,
};

const RDS: RdsDataSourceProperties = {
  Engine: 'rds',
  DataSourceIdPrefix: 'banking-mysql',
  DataSourceName: 'Banking from RDS MySQL',
  RoleArn: 'arn:aws:iam::123456789012:role/banking-mysql-ml',
  ComputeStatistics: 'true',
  SecretArn: SECRET_ARN,
  InstanceIdentifier: 'ml-foundation-mysql',
  DatabaseName: 'banking',
  SelectSqlQuery: 'SELECT `age`, `y` FROM `banking`.`banking` ORDER BY rand();',
  S3StagingLocation: 's3://staging-bucket/rds/banking/',
  DataSchema: SCHEMA,
  ResourceRole: 'DataPipelineDefaultResourceRole',
  ServiceRole: 'DataPipelineDefaultRole',
  SubnetId: 'subnet-0a1b2c3d4e5f60718',
  SecurityGroupIds: ['sg-0a1b2c3d4e5f60718'],
};

const eventBase = {
  ServiceToken: SERVICE_TOKEN,
  ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/ml-foundation-amazon-ml/1',
  LogicalResourceId: 'DataSource',
  ResourceType: 'Custom::AmazonMlDataSource',
};

function createEvent(properties: object, requestId = 'request-1'): DataSourceEvent {
  return {
    ...eventBase,
    RequestType: 'Create',
    RequestId: requestId,
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...properties },
  } as DataSourceEvent;
}

function updateEvent(
  physicalId: string,
  oldProperties: object,
  properties: object,
  requestId = 'request-2',
): DataSourceEvent {
  return {
    ...eventBase,
    RequestType: 'Update',
    RequestId: requestId,
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...properties },
    OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...oldProperties },
  } as DataSourceEvent;
}

function deleteEvent(physicalId: string, properties: object = REDSHIFT): DataSourceEvent {
  return {
    ...eventBase,
    RequestType: 'Delete',
    RequestId: 'request-3',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...properties },
  } as DataSourceEvent;
}

function isCompleteEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  physicalId: string,
): DataSourceIsCompleteEvent {
  return {
    ...eventBase,
    RequestType: requestType,
    RequestId: 'request-1',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...REDSHIFT },
    OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...REDSHIFT },
  } as DataSourceIsCompleteEvent;
}

function awsError(name: string, status: number, message = `${name} happened`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

const serviceError = <T>(
  Type: new (options: { message: string; $metadata: object }) => T,
  message: string,
) => new Type({ message, $metadata: {} });

const delays: number[] = [];
const handlers = dataSourceHandlers({
  ml: new MachineLearningClient({ region: 'us-east-1' }),
  secrets: new SecretsManagerClient({ region: 'us-east-1' }),
  retry: { sleep: async (ms) => void delays.push(ms), random: () => 1, baseDelayMs: 10 },
});

const ID = /^banking-redshift-[0-9a-f]{15}$/;

beforeEach(() => {
  ml.reset();
  secrets.reset();
  delays.length = 0;
  secrets
    .on(GetSecretValueCommand)
    .resolves({ SecretString: JSON.stringify({ username: 'mladmin', password: PASSWORD }) });
  ml.on(GetDataSourceCommand).rejects(serviceError(ResourceNotFoundException, 'not found'));
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('onEvent Create', () => {
  test('Redshift: reads the credentials at run time and sends CreateDataSourceFromRedshift', async () => {
    ml.on(CreateDataSourceFromRedshiftCommand).resolves({});
    const response = await handlers.onEvent(createEvent(REDSHIFT));

    const id = response.PhysicalResourceId!;
    expect(id).toMatch(ID);
    expect(response.Data).toEqual({ DataSourceId: id });
    expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({
      SecretId: SECRET_ARN,
    });
    expect(ml.commandCalls(CreateDataSourceFromRedshiftCommand)[0].args[0].input).toEqual({
      DataSourceId: id,
      DataSourceName: 'Banking from Redshift',
      DataSpec: {
        DatabaseInformation: { DatabaseName: 'dev', ClusterIdentifier: 'ml-foundation-redshift' },
        SelectSqlQuery: 'SELECT "age", "y" FROM "public"."banking" ORDER BY random();',
        DatabaseCredentials: { Username: 'mladmin', Password: PASSWORD },
        S3StagingLocation: `s3://staging-bucket/redshift/banking/${id}/`,
        DataSchema: SCHEMA,
      },
      RoleARN: 'arn:aws:iam::123456789012:role/banking-redshift-ml',
      ComputeStatistics: true,
    });
  });

  test('RDS: sends CreateDataSourceFromRDS with the pipeline roles and network', async () => {
    ml.on(CreateDataSourceFromRDSCommand).resolves({});
    const response = await handlers.onEvent(createEvent(RDS));

    const id = response.PhysicalResourceId!;
    expect(id).toMatch(/^banking-mysql-[0-9a-f]{15}$/);
    expect(ml.commandCalls(CreateDataSourceFromRDSCommand)[0].args[0].input).toEqual({
      DataSourceId: id,
      DataSourceName: 'Banking from RDS MySQL',
      RDSData: {
        DatabaseInformation: { InstanceIdentifier: 'ml-foundation-mysql', DatabaseName: 'banking' },
        SelectSqlQuery: 'SELECT `age`, `y` FROM `banking`.`banking` ORDER BY rand();',
        DatabaseCredentials: { Username: 'mladmin', Password: PASSWORD },
        S3StagingLocation: `s3://staging-bucket/rds/banking/${id}/`,
        DataSchema: SCHEMA,
        ResourceRole: 'DataPipelineDefaultResourceRole',
        ServiceRole: 'DataPipelineDefaultRole',
        SubnetId: 'subnet-0a1b2c3d4e5f60718',
        SecurityGroupIds: ['sg-0a1b2c3d4e5f60718'],
      },
      RoleARN: 'arn:aws:iam::123456789012:role/banking-mysql-ml',
      ComputeStatistics: true,
    });
  });

  test('the id follows from the definition: the same definition, the same id', async () => {
    ml.on(CreateDataSourceFromRedshiftCommand).resolves({});
    const first = await handlers.onEvent(createEvent(REDSHIFT, 'request-1'));
    const again = await handlers.onEvent(createEvent(REDSHIFT, 'request-9'));
    const changed = await handlers.onEvent(createEvent({ ...REDSHIFT, DatabaseName: 'prod' }));
    expect(again.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(changed.PhysicalResourceId).toMatch(ID);
    expect(changed.PhysicalResourceId).not.toBe(first.PhysicalResourceId);
  });

  test.each(['PENDING', 'INPROGRESS', 'COMPLETED'])(
    'a %s datasource of the same definition is used, not created again',
    async (status) => {
      ml.on(GetDataSourceCommand).resolves({ Status: status });
      const response = await handlers.onEvent(createEvent(REDSHIFT));
      expect(response.PhysicalResourceId).toMatch(ID);
      expect(ml.commandCalls(GetDataSourceCommand)[0].args[0].input).toEqual({
        DataSourceId: response.PhysicalResourceId,
      });
      expect(ml.commandCalls(CreateDataSourceFromRedshiftCommand)).toHaveLength(0);
    },
  );

  test.each(['FAILED', 'DELETED'])(
    'a %s datasource keeps its id: the request gets a fresh one, the same on retry',
    async (status) => {
      ml.on(GetDataSourceCommand).resolves({ Status: status });
      ml.on(CreateDataSourceFromRedshiftCommand).resolves({});
      const first = await handlers.onEvent(createEvent(REDSHIFT, 'request-1'));
      const retried = await handlers.onEvent(createEvent(REDSHIFT, 'request-1'));
      const taken = ml.commandCalls(GetDataSourceCommand)[0].args[0].input.DataSourceId;
      expect(first.PhysicalResourceId).toMatch(ID);
      expect(first.PhysicalResourceId).not.toBe(taken);
      expect(retried.PhysicalResourceId).toBe(first.PhysicalResourceId);
      const created = ml.commandCalls(CreateDataSourceFromRedshiftCommand);
      expect(created.map((call) => call.args[0].input.DataSourceId)).toEqual([
        first.PhysicalResourceId,
        first.PhysicalResourceId,
      ]);
    },
  );

  test('ComputeStatistics false is sent as a boolean', async () => {
    ml.on(CreateDataSourceFromRedshiftCommand).resolves({});
    await handlers.onEvent(createEvent({ ...REDSHIFT, ComputeStatistics: 'false' }));
    expect(
      ml.commandCalls(CreateDataSourceFromRedshiftCommand)[0].args[0].input.ComputeStatistics,
    ).toBe(false);
  });

  test('the password never reaches the logs', async () => {
    ml.on(CreateDataSourceFromRedshiftCommand).resolves({});
    await handlers.onEvent(createEvent(REDSHIFT));
    const logged = (console.log as jest.Mock).mock.calls.flat().join(' ');
    expect(logged).toContain('creating datasource');
    expect(logged).not.toContain(PASSWORD);
  });

  test('an account without Amazon ML access fails with one plain sentence', async () => {
    ml.on(CreateDataSourceFromRedshiftCommand).rejects(
      awsError(
        'AccessDeniedException',
        400,
        'Amazon Machine Learning is no longer available to new customers.',
      ),
    );
    const failure = handlers.onEvent(createEvent(REDSHIFT));
    await expect(failure).rejects.toThrow(
      'Amazon Machine Learning refused this account: it is closed to new AWS customers, or this account or role has no access to it. ' +
        'Set features.amazonMl to false to deploy without it. The service said: Amazon Machine Learning is no longer available to new customers.',
    );
    const error = await failure.catch((caught: Error) => caught);
    expect((error as Error).stack!.split('\n')).toHaveLength(1);
    expect(ml.commandCalls(CreateDataSourceFromRedshiftCommand)).toHaveLength(1);
  });

  test('access denied on the first call is explained the same way', async () => {
    ml.on(GetDataSourceCommand).rejects(awsError('AccessDeniedException', 403, 'closed'));
    await expect(handlers.onEvent(createEvent(REDSHIFT))).rejects.toThrow(
      /^Amazon Machine Learning refused this account: .* The service said: closed$/,
    );
    expect(ml.commandCalls(CreateDataSourceFromRedshiftCommand)).toHaveLength(0);
  });

  test('throttling and server errors are retried with backoff', async () => {
    ml.on(CreateDataSourceFromRedshiftCommand)
      .rejectsOnce(awsError('ThrottlingException', 400))
      .rejectsOnce(serviceError(InternalServerException, 'try again'))
      .resolves({});
    const response = await handlers.onEvent(createEvent(REDSHIFT));
    expect(response.PhysicalResourceId).toMatch(ID);
    expect(ml.commandCalls(CreateDataSourceFromRedshiftCommand)).toHaveLength(3);
    expect(delays).toEqual([10, 20]);
  });

  test('persistent throttling fails after the last attempt', async () => {
    ml.on(CreateDataSourceFromRedshiftCommand).rejects(awsError('ThrottlingException', 400));
    await expect(handlers.onEvent(createEvent(REDSHIFT))).rejects.toThrow(
      'ThrottlingException happened',
    );
    expect(ml.commandCalls(CreateDataSourceFromRedshiftCommand)).toHaveLength(6);
  });

  test.each([
    [
      'InvalidInputException',
      serviceError(InvalidInputException, 'SelectSqlQuery is invalid'),
      /^Amazon ML rejected datasource "banking-redshift-[0-9a-f]{15}": SelectSqlQuery is invalid$/,
    ],
    [
      'IdempotentParameterMismatchException',
      serviceError(IdempotentParameterMismatchException, 'different parameters'),
      /^Amazon ML already has a datasource "banking-redshift-[0-9a-f]{15}" created from a different request: different parameters$/,
    ],
  ])('explains %s', async (_name, error, expected) => {
    ml.on(CreateDataSourceFromRedshiftCommand).rejects(error);
    await expect(handlers.onEvent(createEvent(REDSHIFT))).rejects.toThrow(expected);
  });

  test('a secret that cannot be read is reported as such, not as Amazon ML refusing', async () => {
    secrets.on(GetSecretValueCommand).rejects(awsError('AccessDeniedException', 400, 'no'));
    await expect(handlers.onEvent(createEvent(REDSHIFT))).rejects.toThrow(
      `Cannot read the database credentials from ${SECRET_ARN}: no`,
    );
    expect(ml.commandCalls(CreateDataSourceFromRedshiftCommand)).toHaveLength(0);
  });

  test('a secret without a password is reported', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"mladmin"}' });
    await expect(handlers.onEvent(createEvent(REDSHIFT))).rejects.toThrow(
      `The secret ${SECRET_ARN} does not hold a JSON "username" and "password"`,
    );
  });
});

describe('onEvent Update', () => {
  test('a changed property creates a new datasource under a new physical id', async () => {
    ml.on(CreateDataSourceFromRedshiftCommand).resolves({});
    const oldId = 'banking-redshift-0123456789abcde';
    const response = await handlers.onEvent(
      updateEvent(oldId, REDSHIFT, {
        ...REDSHIFT,
        SelectSqlQuery: 'SELECT "y" FROM "public"."banking" ORDER BY random();',
      }),
    );
    expect(response.PhysicalResourceId).toMatch(ID);
    expect(response.PhysicalResourceId).not.toBe(oldId);
    const sent = ml.commandCalls(CreateDataSourceFromRedshiftCommand)[0].args[0].input;
    expect(sent.DataSourceId).toBe(response.PhysicalResourceId);
    expect(sent.DataSpec!.SelectSqlQuery).toBe(
      'SELECT "y" FROM "public"."banking" ORDER BY random();',
    );
    // CloudFormation deletes the old datasource once the update has succeeded.
    expect(ml.commandCalls(DeleteDataSourceCommand)).toHaveLength(0);
  });

  test('a rollback returns to the datasource of the previous definition', async () => {
    ml.on(CreateDataSourceFromRedshiftCommand).resolves({});
    const original = await handlers.onEvent(createEvent(REDSHIFT));
    const changed = { ...REDSHIFT, DatabaseName: 'prod' };
    const replaced = await handlers.onEvent(
      updateEvent(original.PhysicalResourceId!, REDSHIFT, changed),
    );
    ml.on(GetDataSourceCommand).resolves({ Status: 'COMPLETED' });
    const rolledBack = await handlers.onEvent(
      updateEvent(replaced.PhysicalResourceId!, changed, REDSHIFT, 'request-rollback'),
    );
    expect(rolledBack.PhysicalResourceId).toBe(original.PhysicalResourceId);
    expect(ml.commandCalls(CreateDataSourceFromRedshiftCommand)).toHaveLength(2);
  });

  test('an update that changes nothing Amazon ML sees keeps the datasource', async () => {
    const oldId = 'banking-redshift-0123456789abcde';
    const moved = { ...updateEvent(oldId, REDSHIFT, REDSHIFT) };
    moved.ResourceProperties = { ...moved.ResourceProperties, ServiceToken: `${SERVICE_TOKEN}-2` };
    const response = await handlers.onEvent(moved);
    expect(response).toEqual({ PhysicalResourceId: oldId, Data: { DataSourceId: oldId } });
    expect(ml.calls()).toHaveLength(0);
  });

  test('"true" and true are the same ComputeStatistics', async () => {
    const oldId = 'banking-redshift-0123456789abcde';
    const response = await handlers.onEvent(
      updateEvent(oldId, REDSHIFT, { ...REDSHIFT, ComputeStatistics: true }),
    );
    expect(response.PhysicalResourceId).toBe(oldId);
  });
});

describe('onEvent Delete', () => {
  const id = 'banking-redshift-0123456789abcde';

  test('deletes the datasource', async () => {
    ml.on(DeleteDataSourceCommand).resolves({ DataSourceId: id });
    await expect(handlers.onEvent(deleteEvent(id))).resolves.toEqual({ PhysicalResourceId: id });
    expect(ml.commandCalls(DeleteDataSourceCommand)[0].args[0].input).toEqual({
      DataSourceId: id,
    });
  });

  test('a datasource that is already gone is fine', async () => {
    ml.on(DeleteDataSourceCommand).rejects(serviceError(ResourceNotFoundException, 'not found'));
    await expect(handlers.onEvent(deleteEvent(id))).resolves.toEqual({ PhysicalResourceId: id });
  });

  test('a physical id that is not a datasource id is left alone', async () => {
    const marker = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
    await expect(handlers.onEvent(deleteEvent(marker))).resolves.toEqual({
      PhysicalResourceId: marker,
    });
    expect(ml.calls()).toHaveLength(0);
  });

  test('throttling is retried', async () => {
    ml.on(DeleteDataSourceCommand)
      .rejectsOnce(awsError('ThrottlingException', 400))
      .resolves({ DataSourceId: id });
    await handlers.onEvent(deleteEvent(id));
    expect(ml.commandCalls(DeleteDataSourceCommand)).toHaveLength(2);
  });

  test('access denied is not mistaken for "already gone"', async () => {
    ml.on(DeleteDataSourceCommand).rejects(awsError('AccessDeniedException', 400, 'denied'));
    await expect(handlers.onEvent(deleteEvent(id))).rejects.toThrow(
      /^Amazon Machine Learning refused this account/,
    );
  });
});

describe('isComplete', () => {
  const id = 'banking-redshift-0123456789abcde';

  test.each(['PENDING', 'INPROGRESS'])('%s is not complete', async (status) => {
    ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: status });
    await expect(handlers.isComplete(isCompleteEvent('Create', id))).resolves.toEqual({
      IsComplete: false,
    });
  });

  test('COMPLETED is complete, with the id and status as attributes', async () => {
    ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'COMPLETED' });
    await expect(handlers.isComplete(isCompleteEvent('Update', id))).resolves.toEqual({
      IsComplete: true,
      Data: { DataSourceId: id, Status: 'COMPLETED' },
    });
    expect(ml.commandCalls(GetDataSourceCommand)[0].args[0].input).toEqual({ DataSourceId: id });
  });

  test('FAILED fails the deployment with the service message and log', async () => {
    ml.on(GetDataSourceCommand).resolves({
      DataSourceId: id,
      Status: 'FAILED',
      Message: 'Unable to connect to the Redshift cluster',
      LogUri: 'https://eml-prod-emr.s3.amazonaws.com/log',
    });
    const failure = handlers.isComplete(isCompleteEvent('Create', id));
    await expect(failure).rejects.toThrow(
      `Amazon ML could not create datasource "${id}": Unable to connect to the Redshift cluster (log: https://eml-prod-emr.s3.amazonaws.com/log)`,
    );
  });

  test('a datasource deleted while being created fails the deployment', async () => {
    ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'DELETED' });
    await expect(handlers.isComplete(isCompleteEvent('Create', id))).rejects.toThrow(
      `Datasource "${id}" was deleted before Amazon ML completed it`,
    );
  });

  test('server errors while polling are retried', async () => {
    ml.on(GetDataSourceCommand)
      .rejectsOnce(serviceError(InternalServerException, 'oops'))
      .resolves({ DataSourceId: id, Status: 'COMPLETED' });
    await expect(handlers.isComplete(isCompleteEvent('Create', id))).resolves.toMatchObject({
      IsComplete: true,
    });
    expect(delays).toEqual([10]);
  });

  test('access denied while polling is explained', async () => {
    ml.on(GetDataSourceCommand).rejects(awsError('AccessDeniedException', 403, 'closed'));
    await expect(handlers.isComplete(isCompleteEvent('Create', id))).rejects.toThrow(
      /^Amazon Machine Learning refused this account.*The service said: closed$/,
    );
  });

  describe('after a delete', () => {
    test('DELETED is complete', async () => {
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'DELETED' });
      await expect(handlers.isComplete(isCompleteEvent('Delete', id))).resolves.toEqual({
        IsComplete: true,
      });
    });

    test('a datasource that does not exist is complete', async () => {
      ml.on(GetDataSourceCommand).rejects(serviceError(ResourceNotFoundException, 'gone'));
      await expect(handlers.isComplete(isCompleteEvent('Delete', id))).resolves.toEqual({
        IsComplete: true,
      });
    });

    test('a datasource not yet marked DELETED is polled again', async () => {
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'COMPLETED' });
      await expect(handlers.isComplete(isCompleteEvent('Delete', id))).resolves.toEqual({
        IsComplete: false,
      });
    });
  });
});
