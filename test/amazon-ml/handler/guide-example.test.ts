import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateDataSourceFromRDSCommand,
  MachineLearningClient,
} from '@aws-sdk/client-machine-learning';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { mockMachineLearningClient } from './machine-learning-mock';
import type { DataSourceEvent } from '../../../lib/amazon-ml/handler/datasource-handler';
import { dataSourceHandlers } from '../../../lib/amazon-ml/handler/datasource-handler';
import { DATASOURCE_RESOURCE_TYPE } from '../../../lib/amazon-ml/handler/datasource-properties';
import { buildTestFoundation } from '../../support/test-app';

/**
 * The sample request of CreateDataSourceFromRDS in the Amazon ML API reference, with the inline
 * `DataSchema` that this app sends in place of the sample's `DataSchemaUri`, and
 * `ComputeStatistics`, which a datasource for training needs.
 */
const GUIDE_EXAMPLE = {
  DataSourceId: 'ml-rds-data-source-demo',
  DataSourceName: 'ml-rds-data-source-demo',
  RDSData: {
    DatabaseInformation: { InstanceIdentifier: 'demo', DatabaseName: 'demo' },
    SelectSqlQuery: 'select feature1, feature2, feature3, ...., featureN from RDS_DEMO_TABLE;',
    DatabaseCredentials: { Username: 'demo_user', Password: 'demo_password' },
    S3StagingLocation: 's3://mldemo/data/',
    DataSchema: '{"version":"1.0"}',
    ResourceRole: 'DataPipelineDefaultResourceRole',
    ServiceRole: 'DataPipelineDefaultRole',
    SubnetId: 'subnet-XXXX',
    SecurityGroupIds: ['sg-XXXXXX', 'sg-XXXXXX'],
  },
  RoleARN: 'arn:aws:iam::<awsAccountId>:role/<roleToAssume>',
  ComputeStatistics: true,
};

const GUIDE_BANKING_SCHEMA = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'banking.csv.schema.json'), 'utf8'),
);

/** The structure of a value: its keys, recursively, and the types of its leaves. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return [shapeOf(value[0])];
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, shapeOf((value as Record<string, unknown>)[key])]),
    );
  }
  return typeof value;
}

/** What CloudFormation would pass to the handler: the template's references, resolved. */
function resolveLikeCloudFormation(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveLikeCloudFormation);
  if (typeof value !== 'object' || value === null) return value;
  const node = value as Record<string, unknown>;
  if ('Fn::ImportValue' in node) {
    const name = String(node['Fn::ImportValue']);
    if (name.includes('SecretAttachment'))
      return 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mysql-AbCdEf';
    if (name.includes('Subnet')) return 'subnet-0a1b2c3d4e5f60718';
    if (name.includes('AmazonMlStagingBucket')) return 'ml-foundation-storage-amazonmlstaging-1a2b';
    throw new Error(`unexpected import ${name}`);
  }
  if ('Fn::GetAtt' in node) {
    const [logicalId, attribute] = node['Fn::GetAtt'] as [string, string];
    if (attribute === 'Arn') return `arn:aws:iam::123456789012:role/${logicalId}`;
    if (attribute === 'GroupId') return 'sg-0f1e2d3c4b5a69788';
    throw new Error(`unexpected attribute ${attribute}`);
  }
  if ('Fn::Join' in node) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(resolveLikeCloudFormation).join(delimiter);
  }
  if ('Ref' in node) {
    // The dedicated Data Pipeline roles, whose Ref is the name CloudFormation generates.
    const logicalId = String(node.Ref);
    if (logicalId.startsWith('DataPipelineRoles')) return `ml-foundation-amazon-ml-${logicalId}`;
    throw new Error(`unexpected reference ${logicalId}`);
  }
  return Object.fromEntries(
    Object.entries(node).map(([key, child]) => [key, resolveLikeCloudFormation(child)]),
  );
}

describe('the request for the default RDS dataset', () => {
  const ml = mockMachineLearningClient();
  const secrets = mockClient(SecretsManagerClient);

  test('has the shape and the values of the service guide example', async () => {
    const { stacks } = buildTestFoundation();
    const resources = Template.fromStack(stacks.amazonMl!).findResources(DATASOURCE_RESOURCE_TYPE);
    const rds = Object.values(resources).find((resource) => resource.Properties.Engine === 'rds');
    const properties = resolveLikeCloudFormation(rds!.Properties) as Record<string, unknown>;

    ml.on(CreateDataSourceFromRDSCommand).resolves({});
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ username: 'admin', password: 'Pa55-word' }) });
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const handlers = dataSourceHandlers({
      ml: new MachineLearningClient({ region: 'us-east-1' }),
      secrets: new SecretsManagerClient({ region: 'us-east-1' }),
      s3: new S3Client({ region: 'us-east-1' }),
      region: 'us-east-1',
    });
    await handlers.onEvent({
      RequestType: 'Create',
      RequestId: 'request-1',
      ResponseURL: 'https://example.com/response',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/ml-foundation-amazon-ml/1',
      LogicalResourceId: 'DataSource',
      ResourceType: DATASOURCE_RESOURCE_TYPE,
      ServiceToken: String(properties.ServiceToken),
      ResourceProperties: properties,
    } as DataSourceEvent);

    const request = ml.commandCalls(CreateDataSourceFromRDSCommand)[0].args[0].input;
    expect(shapeOf(request)).toEqual(shapeOf(GUIDE_EXAMPLE));
    expect(request).toEqual({
      DataSourceId: expect.stringMatching(/^banking-mysql-[0-9a-f]{15}$/),
      DataSourceName: 'Banking from RDS MySQL',
      RDSData: {
        DatabaseInformation: { InstanceIdentifier: 'ml-foundation-mysql', DatabaseName: 'banking' },
        SelectSqlQuery:
          'SELECT `age`, `job`, `marital`, `education`, `default`, `housing`, `loan`, `contact`, `month`, `day_of_week`, ' +
          '`duration`, `campaign`, `pdays`, `previous`, `poutcome`, `emp_var_rate`, `cons_price_idx`, `cons_conf_idx`, ' +
          '`euribor3m`, `nr_employed`, `y` FROM `banking`.`banking` ORDER BY rand();',
        DatabaseCredentials: { Username: 'admin', Password: 'Pa55-word' },
        S3StagingLocation: `s3://ml-foundation-storage-amazonmlstaging-1a2b/rds/banking/${request.DataSourceId}/`,
        DataSchema: expect.any(String),
        ResourceRole: expect.stringMatching(
          /^ml-foundation-amazon-ml-DataPipelineRolesResourceRole/,
        ),
        ServiceRole: expect.stringMatching(/^ml-foundation-amazon-ml-DataPipelineRolesServiceRole/),
        SubnetId: 'subnet-0a1b2c3d4e5f60718',
        SecurityGroupIds: ['sg-0f1e2d3c4b5a69788'],
      },
      RoleARN: expect.stringMatching(/^arn:aws:iam::123456789012:role\/bankingmysqlAmazonMlRole/),
      ComputeStatistics: true,
    });
    // The guide's banking.csv starts with the column names; the export of a query does not
    // (inferred, and checked on the first staged line by isComplete), so the schema says false.
    expect(JSON.parse(request.RDSData!.DataSchema!)).toEqual({
      ...GUIDE_BANKING_SCHEMA,
      dataFileContainsHeader: false,
    });
  });
});
