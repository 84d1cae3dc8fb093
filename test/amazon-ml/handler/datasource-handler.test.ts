import {
  CreateDataSourceFromRDSCommand,
  CreateDataSourceFromRedshiftCommand,
  CreateDataSourceFromS3Command,
  DeleteDataSourceCommand,
  GetDataSourceCommand,
  IdempotentParameterMismatchException,
  InternalServerException,
  InvalidInputException,
  MachineLearningClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-machine-learning';
import { gzipSync } from 'node:zlib';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { mockMachineLearningClient } from './machine-learning-mock';
import type {
  DataSourceEvent,
  DataSourceIsCompleteEvent,
} from '../../../lib/amazon-ml/handler/datasource-handler';
import { dataSourceHandlers } from '../../../lib/amazon-ml/handler/datasource-handler';
import type {
  ComplementDataSourceProperties,
  RdsDataSourceProperties,
  RedshiftDataSourceProperties,
} from '../../../lib/amazon-ml/handler/datasource-properties';

const ml = mockMachineLearningClient();
const secrets = mockClient(SecretsManagerClient);
const s3 = mockClient(S3Client);

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift-admin-AbCdEf';
const PASSWORD = 'Xy7!secret-Passw0rd';
const SCHEMA = JSON.stringify({
  version: '1.0',
  dataFileContainsHeader: false,
  attributes: [
    { attributeName: 'age', attributeType: 'NUMERIC' },
    { attributeName: 'y', attributeType: 'BINARY' },
  ],
});
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

const COMPLEMENT: ComplementDataSourceProperties = {
  Engine: 's3',
  DataSourceIdPrefix: 'banking-evaluation',
  DataSourceName: 'Banking, evaluation rows',
  ComputeStatistics: 'true',
  OriginDataSourceId: 'banking-redshift-0123456789abcde',
  DataSchema: SCHEMA,
  DataRearrangement: '{"splitting":{"percentBegin":0,"percentEnd":70,"complement":"true"}}',
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
  properties: object = REDSHIFT,
): DataSourceIsCompleteEvent {
  return {
    ...eventBase,
    RequestType: requestType,
    RequestId: 'request-1',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...properties },
    OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...properties },
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
  s3: new S3Client({ region: 'us-east-1' }),
  region: 'us-east-1',
  retry: { sleep: async (ms) => void delays.push(ms), random: () => 1, baseDelayMs: 10 },
});

const ID = /^banking-redshift-[0-9a-f]{15}$/;

/** The objects of the staging bucket, by key: S3 as the handler uses it, in memory. */
const bucket = new Map<string, Uint8Array>();

/** Stages `content` under `key` of the staging bucket. */
function stage(key: string, content: string | Uint8Array): void {
  bucket.set(key, typeof content === 'string' ? new TextEncoder().encode(content) : content);
}

function fakeStagingBucket(): void {
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({
    Contents: [...bucket.keys()]
      .filter((key) => key.startsWith(input.Prefix ?? ''))
      .sort()
      .map((Key) => ({ Key, Size: bucket.get(Key)!.length })),
  }));
  s3.on(GetObjectCommand).callsFake((input: { Key: string; Range?: string }) => {
    const content = bucket.get(input.Key);
    if (!content) throw awsError('NoSuchKey', 404);
    const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '') ?? [];
    const body = first ? content.subarray(Number(first), Number(last) + 1) : content;
    return { Body: { transformToByteArray: async () => body } };
  });
  s3.on(DeleteObjectsCommand).callsFake(
    (input: { Delete: { Objects: Array<{ Key: string }> } }) => {
      for (const { Key } of input.Delete.Objects) bucket.delete(Key);
      return {};
    },
  );
}

/** The folder of the datasource with this id, under the Redshift datasource's staging prefix. */
const folderOf = (id: string) => `redshift/banking/${id}/`;

beforeEach(() => {
  ml.reset();
  secrets.reset();
  s3.reset();
  bucket.clear();
  fakeStagingBucket();
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

  // The service's own words to an account it no longer serves, quoted in rebuy-de/aws-nuke#341
  // ("AmazonML to SageMaker - Listing MachineLearning* failed"), status code 403.
  const CLOSED =
    'Thank you for your interest in Amazon Machine Learning. AmazonML is no longer available to new customers.  Please consider using Amazon SageMaker.';

  test('an account that Amazon ML no longer serves is told so in one plain sentence', async () => {
    ml.on(CreateDataSourceFromRedshiftCommand).rejects(
      awsError('AccessDeniedException', 403, CLOSED),
    );
    const failure = handlers.onEvent(createEvent(REDSHIFT));
    await expect(failure).rejects.toThrow(
      'Amazon Machine Learning is closed to new AWS customers, and this account is not one of its existing customers. ' +
        `Set features.amazonMl to false to deploy without it. The service said: ${CLOSED}`,
    );
    const error = await failure.catch((caught: Error) => caught);
    expect((error as Error).stack!.split('\n')).toHaveLength(1);
    expect(ml.commandCalls(CreateDataSourceFromRedshiftCommand)).toHaveLength(1);
  });

  test("an IAM denial of the handler's own role is a permission problem, not a closed service", async () => {
    // IAM's wording for a missing Allow: "User: <arn> is not authorized to perform: <action> on
    // resource: <arn>" (the same shape as in MediaMath/lambda-cron#17 for iam:PassRole).
    const denied =
      'User: arn:aws:sts::123456789012:assumed-role/ml-foundation-amazon-ml-OnEvent/fn is not authorized to perform: machinelearning:CreateDataSourceFromRedshift on resource: arn:aws:machinelearning:us-east-1:123456789012:datasource/banking-redshift-0123456789abcde';
    ml.on(CreateDataSourceFromRedshiftCommand).rejects(
      awsError('AccessDeniedException', 403, denied),
    );
    const error = (await handlers
      .onEvent(createEvent(REDSHIFT))
      .catch((caught) => caught)) as Error;
    expect(error.message).toBe(
      "IAM denied the handler's role machinelearning:CreateDataSourceFromRedshift on arn:aws:machinelearning:us-east-1:123456789012:datasource/banking-redshift-0123456789abcde: " +
        'its policy, a permissions boundary or a service control policy does not allow it; ' +
        `Amazon Machine Learning did not refuse the account, and features.amazonMl need not be turned off. The service said: ${denied}`,
    );
    expect(error.message).not.toMatch(/closed to new/);
  });

  test('any other refusal names both possibilities', async () => {
    ml.on(GetDataSourceCommand).rejects(awsError('AccessDeniedException', 403, 'closed'));
    await expect(handlers.onEvent(createEvent(REDSHIFT))).rejects.toThrow(
      /^Amazon Machine Learning refused this account: it is closed to new AWS customers, or this account or role has no access to it\. .* The service said: closed$/,
    );
    expect(ml.commandCalls(CreateDataSourceFromRedshiftCommand)).toHaveLength(0);
  });

  test('an endpoint that does not resolve names the Regions of Amazon ML and the switch', async () => {
    // @aws-sdk/client-machine-learning's endpoint rules build machinelearning.{Region}.amazonaws.com
    // for any Region; only us-east-1 and eu-west-1 have one (AWS General Reference, "Amazon
    // Machine Learning endpoints and quotas"), so elsewhere Node's DNS lookup fails.
    const tokyo = dataSourceHandlers({
      ml: new MachineLearningClient({ region: 'ap-northeast-1' }),
      secrets: new SecretsManagerClient({ region: 'ap-northeast-1' }),
      s3: new S3Client({ region: 'ap-northeast-1' }),
      region: 'ap-northeast-1',
      retry: { sleep: async () => undefined },
    });
    ml.on(GetDataSourceCommand).rejects(
      Object.assign(
        new Error('getaddrinfo ENOTFOUND machinelearning.ap-northeast-1.amazonaws.com'),
        { code: 'ENOTFOUND', syscall: 'getaddrinfo' },
      ),
    );
    await expect(tokyo.onEvent(createEvent(REDSHIFT))).rejects.toThrow(
      'Amazon Machine Learning could not be reached (Error: getaddrinfo ENOTFOUND machinelearning.ap-northeast-1.amazonaws.com). ' +
        'Amazon Machine Learning exists only in us-east-1 and eu-west-1, not in ap-northeast-1: deploy to one of those Regions or set features.amazonMl to false.',
    );
  });

  test.each([
    ['Redshift', REDSHIFT, CreateDataSourceFromRedshiftCommand, 'DataSpec'],
    ['RDS', RDS, CreateDataSourceFromRDSCommand, 'RDSData'],
  ] as const)(
    '%s: a split datasource sends its DataRearrangement',
    async (_name, properties, command, spec) => {
      // API reference, RedshiftDataSpec and RDSDataSpec DataRearrangement: a JSON string, such as
      // {"splitting":{"percentBegin":10, "percentEnd":60}}.
      const split =
        '{"splitting":{"percentBegin":0,"percentEnd":70,"strategy":"random","randomSeed":"banking"}}';
      ml.on(command as never).resolves({});
      await handlers.onEvent(createEvent({ ...properties, DataRearrangement: split }));
      const input = ml.commandCalls(command as never)[0].args[0].input as Record<
        string,
        Record<string, unknown>
      >;
      expect(input[spec].DataRearrangement).toBe(split);
    },
  );

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

describe('a complement', () => {
  const originId = 'banking-redshift-0123456789abcde';
  const staging = `s3://staging-bucket/${folderOf(originId)}`;

  test('is created from the staged data of its origin, with the same splitting and complement "true"', async () => {
    // API reference, DataRearrangement: "To create a complementary datasource, use the same
    // values for percentBegin and percentEnd, along with the complement parameter", e.g.
    // {"splitting":{"percentBegin":0, "percentEnd":25, "complement":"true"}}. Each database
    // datasource runs its own shuffled query, so only the origin's staged bytes give the
    // complement the other rows and no row of the origin.
    ml.on(GetDataSourceCommand, { DataSourceId: originId }).resolves({
      DataSourceId: originId,
      Status: 'COMPLETED',
      DataLocationS3: staging,
    });
    ml.on(CreateDataSourceFromS3Command).resolves({});
    const response = await handlers.onEvent(createEvent(COMPLEMENT));

    const id = response.PhysicalResourceId!;
    expect(id).toMatch(/^banking-evaluation-[0-9a-f]{15}$/);
    expect(ml.commandCalls(CreateDataSourceFromS3Command)[0].args[0].input).toEqual({
      DataSourceId: id,
      DataSourceName: 'Banking, evaluation rows',
      DataSpec: {
        DataLocationS3: staging,
        DataSchema: SCHEMA,
        DataRearrangement: COMPLEMENT.DataRearrangement,
      },
      ComputeStatistics: true,
    });
    expect(secrets.calls()).toHaveLength(0);
  });

  test.each([
    ['still in progress', { Status: 'INPROGRESS', DataLocationS3: staging }, /is INPROGRESS/],
    [
      'without a staged location',
      { Status: 'COMPLETED' },
      /is COMPLETED but has no DataLocationS3/,
    ],
  ])('fails plainly when the origin is %s', async (_name, origin, expected) => {
    ml.on(GetDataSourceCommand, { DataSourceId: originId }).resolves(origin);
    await expect(handlers.onEvent(createEvent(COMPLEMENT))).rejects.toThrow(expected);
    expect(ml.commandCalls(CreateDataSourceFromS3Command)).toHaveLength(0);
  });

  test('is complete once COMPLETED, without reading the staged data again', async () => {
    const id = 'banking-evaluation-0123456789abcde';
    ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'COMPLETED' });
    await expect(
      handlers.isComplete(isCompleteEvent('Create', id, COMPLEMENT)),
    ).resolves.toMatchObject({ IsComplete: true });
    expect(s3.calls()).toHaveLength(0);
  });

  test('leaves the staged data of its origin alone when it is deleted', async () => {
    const id = 'banking-evaluation-0123456789abcde';
    stage(`${folderOf(originId)}0000_part_00`, '41,0\n');
    ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'DELETED' });
    await expect(handlers.isComplete(isCompleteEvent('Delete', id, COMPLEMENT))).resolves.toEqual({
      IsComplete: true,
    });
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('isComplete', () => {
  const id = 'banking-redshift-0123456789abcde';
  const part = `${folderOf(id)}0000_part_00`;

  beforeEach(() => stage(part, '41,0\n29,1\n'));

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

  describe('the first staged line', () => {
    // The developer guide does not say whether Amazon ML's Redshift UNLOAD or its RDS pipeline
    // writes a header line: its "Creating a Data Schema" page shows a CSV without one with
    // "dataFileContainsHeader": false, and the API reference's sample schema says true. The
    // handler reads what was staged and fails the deployment on a mismatch, naming the setting.
    test('a row of data, with dataFileContainsHeader false, completes', async () => {
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'COMPLETED' });
      await handlers.isComplete(isCompleteEvent('Create', id));
      const read = s3.commandCalls(GetObjectCommand)[0].args[0].input;
      expect(read).toEqual({ Bucket: 'staging-bucket', Key: part, Range: 'bytes=0-65535' });
    });

    test('the column names, with dataFileContainsHeader false, fail the deployment', async () => {
      stage(part, '"AGE","Y"\r\n41,0\n');
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'COMPLETED' });
      await expect(handlers.isComplete(isCompleteEvent('Create', id))).rejects.toThrow(
        `Datasource "${id}" (banking-redshift): the data Amazon ML staged starts with the column names (s3://staging-bucket/${part}), ` +
          'and dataFileContainsHeader is false, so Amazon ML reads that line as a row of data: set dataFileContainsHeader to true for this datasource.',
      );
    });

    test('a row of data, with dataFileContainsHeader true, fails the deployment', async () => {
      const withHeader = {
        ...REDSHIFT,
        DataSchema: SCHEMA.replace(
          '"dataFileContainsHeader":false',
          '"dataFileContainsHeader":true',
        ),
      };
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'COMPLETED' });
      await expect(handlers.isComplete(isCompleteEvent('Create', id, withHeader))).rejects.toThrow(
        /starts with a row of data .*set dataFileContainsHeader to false/,
      );
    });

    test('a gzip-compressed part is read too, from its first 64 KiB only', async () => {
      const rows = Array.from({ length: 100_000 }, (_, i) => `${(i * 7919) % 100_003}|${i % 2}`);
      const compressed = gzipSync(['age|y', ...rows].join('\n'));
      expect(compressed.length).toBeGreaterThan(65_536);
      stage(part, compressed);
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'COMPLETED' });
      await expect(handlers.isComplete(isCompleteEvent('Create', id))).rejects.toThrow(
        /starts with the column names/,
      );
    });

    test('is read where Amazon ML says the data is, when it says so', async () => {
      stage('redshift/banking/elsewhere/part-0', 'age,y\n');
      ml.on(GetDataSourceCommand).resolves({
        DataSourceId: id,
        Status: 'COMPLETED',
        DataLocationS3: 's3://staging-bucket/redshift/banking/elsewhere/',
      });
      await expect(handlers.isComplete(isCompleteEvent('Create', id))).rejects.toThrow(
        /column names \(s3:\/\/staging-bucket\/redshift\/banking\/elsewhere\/part-0\)/,
      );
    });

    test('nothing staged fails the deployment: the setting cannot be checked', async () => {
      bucket.clear();
      stage(`${folderOf(id)}empty`, '');
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'COMPLETED' });
      await expect(handlers.isComplete(isCompleteEvent('Create', id))).rejects.toThrow(
        `Amazon ML completed datasource "${id}" but staged no data under s3://staging-bucket/${folderOf(id)}, so its dataFileContainsHeader cannot be checked.`,
      );
    });

    test('an unreadable staging location is reported with the setting it was checked for', async () => {
      s3.on(GetObjectCommand).rejects(awsError('AccessDenied', 403, 'Access Denied'));
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'COMPLETED' });
      await expect(handlers.isComplete(isCompleteEvent('Create', id))).rejects.toThrow(
        `Could not read the data of datasource "${id}" under s3://staging-bucket/${folderOf(id)} to check its dataFileContainsHeader: Access Denied`,
      );
    });
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

  test('FAILED on access to the staging location points at the policies that admit Amazon ML', async () => {
    // The Amazon ML documents describe bucket policies for Amazon ML only for buckets without
    // a KMS key; whether the key policy statement suffices is settled only by a failed datasource.
    ml.on(GetDataSourceCommand).resolves({
      DataSourceId: id,
      Status: 'FAILED',
      Message:
        'Access Denied (Service: Amazon S3; Status Code: 403; Error Code: KMS.AccessDeniedException)',
    });
    await expect(handlers.isComplete(isCompleteEvent('Create', id))).rejects.toThrow(
      /Error Code: KMS\.AccessDeniedException\) Amazon ML uses the staging location as machinelearning\.amazonaws\.com, .*AmazonMlUsesKeyThroughS3/,
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
    // The developer guide ("Required Parameters for the Create Datasource Wizard", S3 staging
    // location): "After creating the datasource, Amazon ML uses the data in the staging
    // location instead of returning to Amazon Redshift". So staged data lives exactly as long
    // as its datasource: no expiry, and the handler deletes it once the datasource is gone.
    const sibling = `${folderOf('banking-redshift-fedcba987654321')}0000_part_00`;

    beforeEach(() => {
      stage(`${folderOf(id)}0001_part_00`, '29,1\n');
      stage(sibling, '33,0\n');
    });

    test('DELETED is complete, and what it staged is deleted, nothing else', async () => {
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'DELETED' });
      await expect(handlers.isComplete(isCompleteEvent('Delete', id))).resolves.toEqual({
        IsComplete: true,
      });
      expect([...bucket.keys()]).toEqual([sibling]);
      expect(s3.commandCalls(DeleteObjectsCommand)[0].args[0].input).toEqual({
        Bucket: 'staging-bucket',
        Delete: {
          Objects: [{ Key: part }, { Key: `${folderOf(id)}0001_part_00` }],
          Quiet: true,
        },
      });
    });

    test('a datasource that does not exist is complete, its staged data deleted', async () => {
      ml.on(GetDataSourceCommand).rejects(serviceError(ResourceNotFoundException, 'gone'));
      await expect(handlers.isComplete(isCompleteEvent('Delete', id))).resolves.toEqual({
        IsComplete: true,
      });
      expect([...bucket.keys()]).toEqual([sibling]);
    });

    test('a datasource not yet marked DELETED is polled again, its data untouched', async () => {
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'COMPLETED' });
      await expect(handlers.isComplete(isCompleteEvent('Delete', id))).resolves.toEqual({
        IsComplete: false,
      });
      expect(bucket.size).toBe(3);
    });

    test('a staging bucket that is gone is fine', async () => {
      s3.on(ListObjectsV2Command).rejects(
        awsError('NoSuchBucket', 404, 'The specified bucket does not exist'),
      );
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'DELETED' });
      await expect(handlers.isComplete(isCompleteEvent('Delete', id))).resolves.toEqual({
        IsComplete: true,
      });
    });

    test('objects S3 would not delete fail the delete, naming one', async () => {
      s3.on(DeleteObjectsCommand).resolves({
        Errors: [{ Key: part, Code: 'AccessDenied', Message: 'Access Denied' }],
      });
      ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: 'DELETED' });
      await expect(handlers.isComplete(isCompleteEvent('Delete', id))).rejects.toThrow(
        `Could not delete 1 staged objects under s3://staging-bucket/${folderOf(id)}, such as ${part}: AccessDenied Access Denied`,
      );
    });
  });
});
