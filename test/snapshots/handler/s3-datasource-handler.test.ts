import {
  CreateDataSourceFromS3Command,
  DeleteDataSourceCommand,
  GetDataSourceCommand,
  MachineLearningClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-machine-learning';
import type { CreateDataSourceFromS3Input } from '@aws-sdk/client-machine-learning';
import { S3Client } from '@aws-sdk/client-s3';
import type {
  S3DataSourceEvent,
  S3DataSourceIsCompleteEvent,
} from '../../../lib/snapshots/handler/s3-datasource-handler';
import { s3DataSourceHandlers } from '../../../lib/snapshots/handler/s3-datasource-handler';
import type { S3DataSourceProperties } from '../../../lib/snapshots/handler/s3-datasource-properties';
import { snapshotLayout } from '../../../lib/snapshots/handler/snapshot-properties';
import { mockMachineLearningClient } from '../../amazon-ml/handler/machine-learning-mock';
import { fakeS3 } from '../support/fake-s3';

/*
 * An Amazon ML datasource over a snapshot's CSV. CreateDataSourceFromS3 takes a data location
 * ("a data file or an Amazon S3 directory or bucket containing data files") and the schema
 * inline or at a location (https://docs.aws.amazon.com/machine-learning/latest/APIReference/API_S3DataSpec.html).
 * Which files of a folder Amazon ML reads is not documented, so the location is the CSV itself;
 * the schema is the snapshot's schema file, read and passed inline, so the two never differ.
 * Amazon ML refuses values with line breaks, even quoted
 * (https://docs.aws.amazon.com/machine-learning/latest/dg/understanding-the-data-format-for-amazon-ml.html),
 * so a snapshot whose manifest says so gets no datasource.
 */

const ml = mockMachineLearningClient();
const s3 = fakeS3();
const BUCKET = 'snapshots-bucket';
const NAME = 'banking-2026-11-01';
const layout = snapshotLayout(NAME);
const SCHEMA = JSON.stringify({
  version: '1.0',
  targetAttributeName: 'y',
  dataFileContainsHeader: true,
});

const PROPERTIES: S3DataSourceProperties = {
  DataSourceIdPrefix: 'banking-snapshot',
  DataSourceName: 'Banking on 2026-11-01',
  ComputeStatistics: 'true',
  Bucket: BUCKET,
  SnapshotName: NAME,
};

const base = {
  ServiceToken: 'token',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/ml-foundation-snapshots/1',
  LogicalResourceId: 'BankingDataSource',
  ResourceType: 'Custom::AmazonMlSnapshotDataSource',
};

const create = (properties = PROPERTIES, requestId = 'request-1') =>
  ({
    ...base,
    RequestType: 'Create',
    RequestId: requestId,
    ResourceProperties: { ServiceToken: 'token', ...properties },
  }) as S3DataSourceEvent;

const handlers = () =>
  s3DataSourceHandlers({
    ml: new MachineLearningClient({}),
    s3: new S3Client({}),
    retry: { attempts: 1 },
  });

function writeSnapshot(amazonMl: { readable: boolean; reason?: string } = { readable: true }) {
  s3.put(
    BUCKET,
    layout.manifestKey,
    JSON.stringify({ format: 1, definitionDigest: 'sha256:x', amazonMl }),
  );
  s3.put(BUCKET, layout.schemaKey, SCHEMA);
}

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  ml.reset();
  s3.reset();
  ml.on(GetDataSourceCommand).rejects(
    new ResourceNotFoundException({ message: 'no', $metadata: {} }),
  );
  ml.on(CreateDataSourceFromS3Command).resolves({});
});

test('reads the CSV file itself, with the schema file of the snapshot passed inline', async () => {
  writeSnapshot();
  const response = await handlers().onEvent(create());
  const input = ml.commandCalls(CreateDataSourceFromS3Command)[0].args[0]
    .input as CreateDataSourceFromS3Input;
  expect(input).toEqual({
    DataSourceId: response.PhysicalResourceId,
    DataSourceName: 'Banking on 2026-11-01',
    DataSpec: { DataLocationS3: `s3://${BUCKET}/${layout.csvKey}`, DataSchema: SCHEMA },
    ComputeStatistics: true,
  });
  expect(input.DataSpec!.DataLocationS3).toMatch(/\.csv$/);
  expect(response.PhysicalResourceId).toMatch(/^banking-snapshot-[0-9a-f]{15}$/);
});

test('refuses a snapshot whose CSV Amazon ML cannot read, and one that is not complete', async () => {
  writeSnapshot({
    readable: false,
    reason: 'Amazon ML refuses line breaks inside values, and columns notes have them',
  });
  await expect(handlers().onEvent(create())).rejects.toThrow(
    'Amazon ML cannot read snapshot "banking-2026-11-01": Amazon ML refuses line breaks inside values, and columns notes have them',
  );
  s3.reset();
  await expect(handlers().onEvent(create())).rejects.toThrow(
    `Snapshot "banking-2026-11-01" is not complete: s3://${BUCKET}/${layout.manifestKey} is missing`,
  );
  expect(ml.commandCalls(CreateDataSourceFromS3Command)).toHaveLength(0);
});

test('waits for Amazon ML, and fails with its message', async () => {
  const id = 'banking-snapshot-0123456789abcde';
  const poll = (status: string, extra = {}) => {
    ml.on(GetDataSourceCommand).resolves({ DataSourceId: id, Status: status, ...extra });
    return handlers().isComplete({
      ...create(),
      PhysicalResourceId: id,
    } as S3DataSourceIsCompleteEvent);
  };
  expect(await poll('INPROGRESS')).toEqual({ IsComplete: false });
  expect(await poll('COMPLETED')).toEqual({
    IsComplete: true,
    Data: { DataSourceId: id, Status: 'COMPLETED' },
  });
  await expect(poll('FAILED', { Message: 'the schema does not match the data' })).rejects.toThrow(
    `Amazon ML could not create datasource "${id}": the schema does not match the data`,
  );
});

test('delete removes the datasource and keeps the snapshot', async () => {
  writeSnapshot();
  ml.on(DeleteDataSourceCommand).resolves({});
  await handlers().onEvent({
    ...create(),
    RequestType: 'Delete',
    PhysicalResourceId: 'banking-snapshot-0123456789abcde',
  } as S3DataSourceEvent);
  expect(ml.commandCalls(DeleteDataSourceCommand)[0].args[0].input).toEqual({
    DataSourceId: 'banking-snapshot-0123456789abcde',
  });
  expect(s3.keys(BUCKET)).toEqual([layout.schemaKey, layout.manifestKey].sort());
});
