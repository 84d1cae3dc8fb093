import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { environmentFromCli } from '../lib/app';
import { BANKING_DATASET } from '../lib/config/dataset';
import { ControlTowerRules } from '../lib/shared/control-tower-rules';
import { acknowledgeControl } from '../lib/shared/nag';
import { LENDING_DATASET } from './support/datasets';
import { buildTestFoundation, createTestApp, nagFindings } from './support/test-app';

describe('the whole app', () => {
  test('cdk-nag really runs: a bare bucket is reported', () => {
    const app = createTestApp({ nag: true });
    const stack = new Stack(app, 'Canary');
    new s3.Bucket(stack, 'Bare');
    const rules = nagFindings(app).map((finding) => finding.rule);
    expect(rules).toEqual(
      expect.arrayContaining(['AwsSolutions::AwsSolutions-S1', 'AwsSolutions::AwsSolutions-S10']),
    );
  });

  test("aws-cdk-lib's CloudFormation validation really runs: an invalid property is reported", () => {
    const app = createTestApp({ nag: true, validate: true });
    const stack = new Stack(app, 'Canary');
    new CfnResource(stack, 'Invalid', {
      type: 'AWS::S3::Bucket',
      properties: { NoSuchProperty: 1 },
    });
    expect(nagFindings(app).map((finding) => finding.rule)).toContain(
      'CloudFormation Validate::F3002',
    );
  });

  test("AWS Control Tower's rules really run, and an acknowledgement silences one rule on its resource only", () => {
    const app = createTestApp({ nag: true });
    Validations.of(app).addPlugins(new ControlTowerRules());
    const stack = new Stack(app, 'Canary');
    new logs.CfnLogGroup(stack, 'ForeverUnencrypted');
    const acknowledged = new logs.CfnLogGroup(stack, 'Acknowledged');
    acknowledgeControl(acknowledged, 'cloudwatch_log_group_encrypted_check', 'canary');
    const findings = nagFindings(app).map((finding) => `${finding.rule} at ${finding.path}`);
    expect(findings.sort()).toEqual([
      'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check at Canary/ForeverUnencrypted',
      'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check at Canary/Acknowledged',
      'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check at Canary/ForeverUnencrypted',
    ]);
  });

  test('stacks are environment-agnostic without a CLI environment', () => {
    const { stacks } = buildTestFoundation();
    for (const stack of stacks.all) {
      expect(stack.environment).toBe('aws://unknown-account/unknown-region');
    }
    expect(environmentFromCli({})).toBeUndefined();
    expect(environmentFromCli({ CDK_DEFAULT_ACCOUNT: '123456789012' })).toBeUndefined();
    expect(
      environmentFromCli({ CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' }),
    ).toEqual({
      account: '123456789012',
      region: 'eu-west-1',
    });
  });

  test('each stack outputs what a user reads after a deploy', () => {
    const { stacks } = buildTestFoundation();
    // Cross-stack references are outputs too (ExportsOutput...); these are the app's own.
    const outputs = (stack: Stack) =>
      Object.keys(Template.fromStack(stack).findOutputs('*'))
        .filter((id) => !id.startsWith('ExportsOutput'))
        .sort();
    expect(outputs(stacks.storage)).toEqual([
      'AccessLogsBucketName',
      'AmazonMlStagingBucketName',
      'AthenaResultsBucketName',
      'DataKeyArn',
      'DataLakeBucketName',
      'EdgeArtifactsBucketName',
    ]);
    expect(outputs(stacks.sources!)).toEqual([
      'KeptSubnetIds',
      'MysqlEndpoint',
      'MysqlIdentifier',
      'MysqlPort',
      'MysqlReaderSecretArn',
      'MysqlSecretArn',
      'MysqlSecurityGroupId',
      'RedshiftEndpoint',
      'RedshiftIdentifier',
      'RedshiftPort',
      'RedshiftReaderSecretArn',
      'RedshiftSecretArn',
      'RedshiftSecurityGroupId',
      'VpcId',
    ]);
    expect(outputs(stacks.replication!)).toEqual(['DmsUserSecretArn', 'ReplicationTaskArn']);
    expect(outputs(stacks.lakeAdmin!)).toEqual([]);
    expect(outputs(stacks.catalog!)).toEqual([
      'AnalystWorkgroupName',
      'GlueDatabaseName',
      'ProjectLeaderWorkgroupName',
    ]);
    expect(outputs(stacks.governance!)).toEqual([
      'AnalystRoleArn',
      'DataLakeAdminRoleArn',
      'ProjectLeaderRoleArn',
    ]);
    expect(outputs(stacks.edge!)).toEqual([
      'DeploymentId',
      'DeviceRolloutCommand',
      'InferenceClientComponent',
      'ModelComponent',
    ]);
    expect(outputs(stacks.amazonMl!)).toEqual(['bankingmysqlid', 'bankingredshiftid']);
  });

  test('the replication and catalog stacks get the datasets that replication.tables names, in its order', () => {
    const { stacks } = buildTestFoundation({
      features: { amazonMl: false, edge: false },
      datasets: [BANKING_DATASET, LENDING_DATASET],
      replication: { tables: ['loans', 'banking'] },
    });
    expect([...stacks.catalog!.tables.keys()]).toEqual(['loans', 'banking']);
    const mappings = Template.fromStack(stacks.replication!).findResources(
      'AWS::DMS::ReplicationTask',
    );
    const selected = Object.values(mappings).flatMap((task) =>
      JSON.parse(task.Properties.TableMappings)
        .rules.filter((rule: { 'rule-type': string }) => rule['rule-type'] === 'selection')
        .map(
          (rule: { 'object-locator': { 'table-name': string } }) =>
            rule['object-locator']['table-name'],
        ),
    );
    expect(selected).toEqual(['loans', 'banking']);
  });

  test('a switched-off capability is not composed, so its unchecked references are never looked up', () => {
    const { stacks } = buildTestFoundation({
      features: { replication: false, governance: false },
      replication: { tables: ['nope'] },
    });
    expect(stacks.replication).toBeUndefined();
    expect(stacks.catalog).toBeUndefined();
    expect(stacks.all.map((stack) => stack.node.id)).toEqual([
      'Storage',
      'Sources',
      'AmazonMl',
      'Edge',
    ]);
  });

  test('applies the configured tags', () => {
    const { stacks } = buildTestFoundation({ tags: { owner: 'data-platform' } });
    Template.fromStack(stacks.storage).hasResourceProperties('AWS::S3::Bucket', {
      Tags: Match.arrayWith([
        { Key: 'owner', Value: 'data-platform' },
        { Key: 'project', Value: 'ml-data-foundation' },
      ]),
    });
  });
});
