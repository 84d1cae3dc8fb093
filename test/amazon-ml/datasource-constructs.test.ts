import { CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DependencyGroup } from 'constructs';
import { ComplementDataSource } from '../../lib/amazon-ml/complement-datasource';
import { DataPipelineRoles } from '../../lib/amazon-ml/data-pipeline-roles';
import type { DataSchemaProps } from '../../lib/amazon-ml/data-schema';
import { DataSchema } from '../../lib/amazon-ml/data-schema';
import { DATASOURCE_RESOURCE_TYPE } from '../../lib/amazon-ml/handler/datasource-properties';
import { RdsDataSource } from '../../lib/amazon-ml/rds-datasource';
import { RedshiftDataSource } from '../../lib/amazon-ml/redshift-datasource';
import { StagingLocation } from '../../lib/amazon-ml/staging-location';
import type { DatabaseSource } from '../../lib/sources/database-source';
import { createTestApp } from '../support/test-app';

const READER_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-reader-GhIjKl';

const SCHEMA: DataSchemaProps = {
  attributes: [
    { name: 'age', type: 'NUMERIC' },
    { name: 'y', type: 'BINARY' },
  ],
  targetAttribute: 'y',
};

function testStack() {
  const app = createTestApp();
  const stack = new Stack(app, 'Test');
  const database = (id: string, identifier: string, databaseName: string): DatabaseSource => ({
    identifier,
    databaseName,
    endpointAddress: `${identifier}.example.com`,
    port: 5439,
    securityGroup: ec2.SecurityGroup.fromSecurityGroupId(
      stack,
      `${id}Group`,
      'sg-0123456789abcdef0',
    ),
    secret: secretsmanager.Secret.fromSecretCompleteArn(
      stack,
      `${id}Secret`,
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf',
    ),
    readerSecret: secretsmanager.Secret.fromSecretCompleteArn(
      stack,
      `${id}ReaderSecret`,
      READER_SECRET_ARN,
    ),
    tablesReady: new DependencyGroup(),
  });
  return {
    app,
    stack,
    cluster: database('Cluster', 'analytics-dw', 'dev'),
    mysql: database('Mysql', 'orders-db', 'orders'),
  };
}

function redshiftDataSource(
  overrides: Partial<ConstructorParameters<typeof RedshiftDataSource>[2]> & {
    schemaProps?: DataSchemaProps;
  } = {},
) {
  const { stack, cluster } = testStack();
  const dataSource = new RedshiftDataSource(stack, 'Banking', {
    dataSourceIdPrefix: 'banking',
    cluster,
    selectSqlQuery: 'SELECT age, y FROM banking ORDER BY random()',
    schema: new DataSchema(overrides.schemaProps ?? SCHEMA),
    staging: StagingLocation.fromUri('s3://staging-bucket/exports/banking/'),
    ...overrides,
  });
  return { stack, dataSource };
}

describe('bad inputs fail synth with clear messages', () => {
  test.each<[string, Parameters<typeof redshiftDataSource>[0], string]>([
    [
      'a target that is not an attribute',
      { schemaProps: { ...SCHEMA, targetAttribute: 'outcome' } },
      'the target attribute "outcome" is not one of the attributes (age, y)',
    ],
    [
      'an id with a space',
      { dataSourceIdPrefix: 'banking data' },
      'the datasource id "banking data" may only contain letters, digits, "_", "." and "-"',
    ],
    [
      'a staging location that is not s3://',
      { staging: StagingLocation.fromUri('https://staging-bucket.s3.amazonaws.com/exports/') },
      'the staging location "https://staging-bucket.s3.amazonaws.com/exports/" must look like s3://bucket/prefix/',
    ],
    [
      'a duplicate attribute',
      {
        schemaProps: {
          ...SCHEMA,
          attributes: [...SCHEMA.attributes, { name: 'age', type: 'TEXT' }],
        },
      },
      'attribute "age" is declared twice',
    ],
    [
      'an id too long for the version suffix',
      { dataSourceIdPrefix: 'x'.repeat(49) },
      `the datasource id "${'x'.repeat(49)}" is longer than 48 characters`,
    ],
    [
      'a staging location without a prefix',
      { staging: StagingLocation.fromUri('s3://staging-bucket/') },
      'the staging location "s3://staging-bucket/" needs a prefix that ends with "/"',
    ],
    [
      'a query that is not a SELECT',
      { selectSqlQuery: 'DELETE FROM banking' },
      'the SQL query must be a SELECT (it starts with "DELETE")',
    ],
    ['a blank name', { dataSourceName: '   ' }, 'the datasource name must not be blank'],
  ])('%s', (_name, overrides, expected) => {
    const { stack } = redshiftDataSource(overrides);
    expect(() => Template.fromStack(stack)).toThrow(expected);
  });

  test('every problem is reported at once, with the construct path', () => {
    const { stack } = redshiftDataSource({
      dataSourceIdPrefix: 'banking data',
      schemaProps: { ...SCHEMA, targetAttribute: 'outcome' },
      staging: StagingLocation.fromUri('ftp://staging-bucket/exports/'),
    });
    let message = '';
    try {
      Template.fromStack(stack);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('Test/Banking');
    expect(message).toContain('the datasource id "banking data"');
    expect(message).toContain('the target attribute "outcome"');
    expect(message).toContain('the staging location "ftp://staging-bucket/exports/"');
  });

  test('Redshift names that Amazon ML does not accept', () => {
    const { stack, cluster } = testStack();
    new RedshiftDataSource(stack, 'Banking', {
      dataSourceIdPrefix: 'banking',
      cluster: { ...cluster, identifier: 'Analytics_DW', databaseName: 'Dev' },
      selectSqlQuery: 'SELECT age, y FROM banking ORDER BY random()',
      schema: new DataSchema(SCHEMA),
      staging: StagingLocation.fromUri('s3://staging-bucket/exports/'),
    });
    expect(() => Template.fromStack(stack)).toThrow(
      /the cluster identifier "Analytics_DW" is not accepted by Amazon ML: lower-case letters, digits and hyphens[\s\S]*the database name "Dev" is not accepted/,
    );
  });
});

describe('RedshiftDataSource', () => {
  test('ends the query with exactly one semicolon', () => {
    const { stack, dataSource } = redshiftDataSource({
      selectSqlQuery: 'SELECT age, y FROM banking ORDER BY random() ;; ',
    });
    expect(dataSource.selectSqlQuery).toBe('SELECT age, y FROM banking ORDER BY random();');
    Template.fromStack(stack).hasResourceProperties(DATASOURCE_RESOURCE_TYPE, {
      SelectSqlQuery: 'SELECT age, y FROM banking ORDER BY random();',
    });
  });

  test('warns in the synth output when the query does not shuffle rows', () => {
    const { stack } = redshiftDataSource({ selectSqlQuery: 'SELECT age, y FROM banking' });
    Annotations.fromStack(stack).hasWarning(
      '/Test/Banking',
      Match.stringLikeRegexp('does not shuffle rows \\(ORDER BY random\\(\\)\\)'),
    );
  });

  test('grants a staging location given as an s3:// URI on that prefix only', () => {
    const { stack } = redshiftDataSource();
    const template = Template.fromStack(stack);
    template.hasResourceProperties(DATASOURCE_RESOURCE_TYPE, {
      S3StagingLocation: 's3://staging-bucket/exports/banking/',
      ClusterIdentifier: 'analytics-dw',
      DatabaseName: 'dev',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':s3:::staging-bucket/exports/banking/*'],
              ],
            },
          },
        ]),
      },
    });
  });

  test("lets Amazon ML admit its addresses to the cluster's security group only", () => {
    const { stack } = redshiftDataSource();
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
            Effect: 'Allow',
            Resource: {
              'Fn::Join': ['', Match.arrayWith([':security-group/sg-0123456789abcdef0'])],
            },
          },
        ]),
      },
    });
  });
});

describe('what a datasource reads with', () => {
  // Issue of least privilege: Amazon ML writes the credentials it gets into the Data Pipeline
  // definition it creates (RDS) and connects with them (Redshift), so it gets the source's
  // read-only user, never the admin. That user authenticates with a plugin that Data
  // Pipeline's JDBC driver supports (mysql_native_password on MySQL 8.4, chosen by the source;
  // which driver Data Pipeline bundles is not documented, so a datasource that cannot sign in
  // FAILS with Amazon ML's message).
  test('the handler reads the reader secret, and only it', () => {
    const { stack } = redshiftDataSource();
    const template = Template.fromStack(stack);
    template.hasResourceProperties(DATASOURCE_RESOURCE_TYPE, { SecretArn: READER_SECRET_ARN });
    const text = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(text).toContain('secret:db-reader-GhIjKl');
    expect(text).not.toContain('secret:db-AbCdEf');
  });

  test('a datasource is created only once the source says its tables are ready', () => {
    const { stack, cluster } = testStack();
    const tables = new CfnResource(stack, 'Tables', { type: 'Custom::SourceTables' });
    new RedshiftDataSource(stack, 'Banking', {
      dataSourceIdPrefix: 'banking',
      cluster: { ...cluster, tablesReady: tables },
      selectSqlQuery: 'SELECT age, y FROM banking ORDER BY random()',
      schema: new DataSchema(SCHEMA),
      staging: StagingLocation.fromUri('s3://staging-bucket/exports/banking/'),
    });
    const [resource] = Object.values(
      Template.fromStack(stack).findResources(DATASOURCE_RESOURCE_TYPE),
    );
    expect(resource.DependsOn).toContain('Tables');
  });

  test('a splitting Amazon ML would reject fails the synth', () => {
    const { stack } = redshiftDataSource({
      dataRearrangement: { percentBegin: 80, percentEnd: 20, strategy: 'random' },
    });
    expect(() => Template.fromStack(stack)).toThrow(
      /percentEnd \(20\) must be greater than percentBegin \(80\)[\s\S]*a random split needs a randomSeed/,
    );
  });
});

describe('ComplementDataSource', () => {
  test('of a datasource that reads every row fails the synth', () => {
    const { stack, dataSource } = redshiftDataSource();
    new ComplementDataSource(stack, 'Evaluate', {
      dataSourceIdPrefix: 'banking-evaluate',
      origin: dataSource,
    });
    expect(() => Template.fromStack(stack)).toThrow(
      'datasource "banking" reads every row (it has no dataRearrangement), so a complement of it would read none',
    );
  });

  test('reads the staged data of its origin without a role or a secret of its own', () => {
    const split = { dataRearrangement: { percentBegin: 0, percentEnd: 70 } };
    const alone = Template.fromStack(redshiftDataSource(split).stack);
    const { stack, dataSource } = redshiftDataSource(split);
    new ComplementDataSource(stack, 'Evaluate', {
      dataSourceIdPrefix: 'banking-evaluate',
      origin: dataSource,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties(DATASOURCE_RESOURCE_TYPE, {
      Engine: 's3',
      DataRearrangement: '{"splitting":{"percentBegin":0,"percentEnd":70,"complement":"true"}}',
    });
    const roles = (t: Template) => Object.keys(t.findResources('AWS::IAM::Role')).length;
    expect(roles(template)).toBe(roles(alone));
    const passed = (t: Template) =>
      Object.values(t.findResources('AWS::IAM::Policy'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement: { Action: string | string[] }) =>
          [statement.Action].flat().includes('iam:PassRole'),
        )
        .map((statement: { Resource: unknown }) => statement.Resource);
    expect(passed(template)).toEqual(passed(alone));
  });
});

describe('RdsDataSource', () => {
  function rdsDataSource(selectSqlQuery: string) {
    const { stack, mysql } = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a'],
      privateSubnetIds: ['subnet-0123456789abcdef0'],
    });
    new RdsDataSource(stack, 'Orders', {
      dataSourceIdPrefix: 'orders',
      database: { ...mysql, port: 3307 },
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      pipelineRoles: new DataPipelineRoles(stack, 'PipelineRoles', { mode: 'existing' }),
      selectSqlQuery,
      schema: new DataSchema(SCHEMA),
      staging: StagingLocation.fromUri('s3://staging-bucket/orders/'),
    });
    return stack;
  }

  test('runs the pipeline in the first subnet, admitted on the database port', () => {
    const template = Template.fromStack(rdsDataSource('SELECT age, y FROM orders ORDER BY rand()'));
    template.hasResourceProperties(DATASOURCE_RESOURCE_TYPE, {
      Engine: 'rds',
      InstanceIdentifier: 'orders-db',
      DatabaseName: 'orders',
      SubnetId: 'subnet-0123456789abcdef0',
      SelectSqlQuery: 'SELECT age, y FROM orders ORDER BY rand();',
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0123456789abcdef0',
      FromPort: 3307,
      ToPort: 3307,
    });
  });

  test('warns about random(), which MySQL does not have', () => {
    const stack = rdsDataSource('SELECT age, y FROM orders ORDER BY random()');
    Annotations.fromStack(stack).hasWarning(
      '/Test/Orders',
      Match.stringLikeRegexp('ORDER BY rand\\(\\)'),
    );
  });
});
