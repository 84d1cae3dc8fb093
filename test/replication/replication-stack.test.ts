import * as crypto from 'node:crypto';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BANKING_DATASET } from '../../lib/config/dataset';
import { LENDING_DATASET } from '../support/datasets';
import { serviceTrust } from '../support/iam';
import { stableTemplate } from '../support/stable-template';
import { describeFindings, nagFindings } from '../support/test-app';
import { buildReplicationFixture, FIXTURE_MYSQL } from './replication-fixture';
import type { Json, TemplateResource } from '../support/template-resources';
import { onlyResource, resourcesOf } from '../support/template-resources';

/**
 * The reviewed snapshot of a replication stack. An environment-agnostic stack carries the RDS
 * root certificates of every Region in a mapping; the snapshot holds their digest instead, so
 * that it shows when they change without holding a hundred kilobytes of PEM.
 */
function snapshotOf(stack: Stack): unknown {
  const template = stableTemplate(stack) as { Mappings?: Record<string, Record<string, Json>> };
  for (const mapping of Object.values(template.Mappings ?? {})) {
    for (const [region, values] of Object.entries(mapping)) {
      if (typeof values.pem === 'string') {
        mapping[region] = {
          pem: `sha256:${crypto.createHash('sha256').update(values.pem).digest('hex')}`,
        };
      }
    }
  }
  return template;
}

/** Every statement of every identity policy attached to the role with logical id `roleId`. */
function statementsOf(template: Template, roleId: string): Json[] {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter((policy) => (policy.Properties.Roles as Json[]).some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[]);
}

const actionsOf = (statement: Json): string[] => [statement.Action].flat();

describe('ReplicationStack (replication instance, DMS roles created)', () => {
  const fixture = buildReplicationFixture({}, { nag: true });
  const template = Template.fromStack(fixture.replication);

  describe('S3 target endpoint', () => {
    const endpoints = template.findResources('AWS::DMS::Endpoint', {
      Properties: { EndpointType: 'target' },
    });
    const [, targetEndpoint] = Object.entries(endpoints)[0];
    const settings = targetEndpoint.Properties.S3Settings;

    test('writes Parquet with the operation on full-load rows and the commit timestamp', () => {
      expect(Object.keys(endpoints)).toHaveLength(1);
      expect(targetEndpoint.Properties.EngineName).toBe('s3');
      expect(settings).toMatchObject({
        DataFormat: 'parquet',
        ParquetTimestampInMillisecond: true,
        IncludeOpForFullLoad: true,
        TimestampColumnName: 'commit_ts',
        UseTaskStartTimeForFullLoadTimestamp: true,
        CdcInsertsOnly: false,
        CdcInsertsAndUpdates: false,
      });
      expect(settings.AddColumnName).toBeUndefined();
    });

    test('batches changes into few large files', () => {
      expect(settings.CdcMaxBatchInterval).toBe(300);
      expect(settings.CdcMinFileSize).toBe(64_000);
    });

    test("writes every table to its own folder under the generation's folder, without date partitions", () => {
      // DMS S3 target: "Multiple tasks that replicate data from the same source table to the
      // same target S3 endpoint bucket result in those tasks writing to the same file", and
      // every task numbers its full-load files from LOAD00000001: each generation has a folder.
      expect(settings.BucketFolder).toBe('cdc/generation=1');
      expect(targetEndpoint.Properties.EndpointIdentifier).toBe('ml-foundation-s3-g1');
      expect(settings.DatePartitionEnabled).toBe(false);
      expect(settings.BucketName).toEqual({
        'Fn::ImportValue': expect.stringMatching(/^Storage:ExportsOutputRefDataLakeBucket/),
      });
      expect(settings.ExpectedBucketOwner).toEqual({ Ref: 'AWS::AccountId' });
    });

    test('encrypts with the data key through SSE-KMS', () => {
      expect(settings.EncryptionMode).toBe('SSE_KMS');
      expect(settings.ServerSideEncryptionKmsKeyId).toEqual({
        'Fn::ImportValue': expect.stringMatching(/^Storage:ExportsOutputFnGetAttDataKey.*Arn/),
      });
    });

    test("writes through a role that may add files to the generation's folder only, and delete nothing", () => {
      // DMS S3 target guide: "A truncate DDL operation removes all files and corresponding
      // table folders from an S3 bucket"; the task settings turn that off, and with
      // TargetTablePrepMode DO_NOTHING no documented operation of this app deletes. The guide's
      // example role has s3:DeleteObject without saying which operation needs it (not settled
      // by the documents): the role has none, and an explicit deny holds against any other
      // grant, so that a delete DMS might try fails with AccessDenied instead of removing history.
      const roleId = settings.ServiceAccessRoleArn['Fn::GetAtt'][0];
      const statements = statementsOf(template, roleId);
      const bucketObjects = (prefix: string) => ({
        'Fn::Join': ['', [{ 'Fn::ImportValue': Match.stringLikeRegexp('DataLakeBucket') }, prefix]],
      });
      expect(statements).toEqual(
        expect.arrayContaining([
          {
            Action: ['s3:PutObject', 's3:PutObjectTagging'],
            Effect: 'Allow',
            Resource: expect.objectContaining({}),
          },
          {
            Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
            Effect: 'Deny',
            Resource: expect.objectContaining({}),
          },
        ]),
      );
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: ['s3:PutObject', 's3:PutObjectTagging'],
              Effect: 'Allow',
              Resource: bucketObjects('/cdc/generation=1/*'),
            },
            {
              Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
              Effect: 'Deny',
              Resource: bucketObjects('/cdc/*'),
            },
          ]),
        },
      });
      const allowed = statements
        .filter((statement) => statement.Effect === 'Allow')
        .flatMap(actionsOf);
      expect(allowed.filter((action) => /^s3:(Delete|\*)/.test(action) || action === '*')).toEqual(
        [],
      );
      expect(targetEndpoint.DependsOn).toEqual(expect.arrayContaining([roleId]));
    });

    test('is trusted by DMS on behalf of a DMS resource of this account and Region only', () => {
      // DMS cross-service confused deputy prevention: "We recommend using the aws:SourceArn
      // and aws:SourceAccount global condition context keys in resource policies" (supported
      // from DMS 3.4.7; the instance runs the default, latest engine version).
      const roleId = settings.ServiceAccessRoleArn['Fn::GetAtt'][0];
      const role = template.toJSON().Resources[roleId];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        serviceTrust('dms.amazonaws.com', 'dms', '*'),
      ]);
      expect(
        onlyResource(template, 'AWS::DMS::ReplicationInstance').Properties.EngineVersion,
      ).toBeUndefined();
    });
  });

  describe('MySQL source endpoint', () => {
    const [, source] = Object.entries(
      template.findResources('AWS::DMS::Endpoint', { Properties: { EndpointType: 'source' } }),
    )[0];

    test('reads its connection from the DMS user secret through a role, with TLS that verifies the server, and no password', () => {
      // DMS "Using SSL": for MySQL sources, require is "Not supported"; verify-ca and
      // verify-full are supported, and verify-full also "verifies that the server hostname
      // matches the hostname attribute for the certificate".
      const certificate = onlyResource(template, 'AWS::DMS::Certificate');
      expect(source.Properties).toEqual({
        EndpointType: 'source',
        EngineName: 'mysql',
        SslMode: 'verify-full',
        CertificateArn: { Ref: certificate.id },
        MySqlSettings: {
          SecretsManagerSecretId: { Ref: expect.stringMatching(/^SourceDatabaseDmsUserSecret/) },
          SecretsManagerAccessRoleArn: {
            'Fn::GetAtt': [expect.stringMatching(/^SourceSecretAccessRole/), 'Arn'],
          },
        },
      });
    });

    test('the secret access role is trusted by DMS, also regionally, and reads only that secret', () => {
      const roleId = source.Properties.MySqlSettings.SecretsManagerAccessRoleArn['Fn::GetAtt'][0];
      const role = template.toJSON().Resources[roleId];
      // DMS Secrets Manager guide: the role trusts the regional principal dms.<region>.amazonaws.com;
      // both principals only on behalf of this account's DMS resources.
      const [trust, ...others] = role.Properties.AssumeRolePolicyDocument.Statement as Json[];
      expect(others).toEqual([]);
      expect(trust.Principal.Service).toEqual([
        'dms.amazonaws.com',
        { 'Fn::Join': ['', ['dms.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      ]);
      expect(trust.Condition).toMatchObject({
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': expect.objectContaining({}) },
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Statement: [
            {
              Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
              Effect: 'Allow',
              Resource: { Ref: source.Properties.MySqlSettings.SecretsManagerSecretId.Ref },
            },
          ],
        },
      });
    });

    test('the DMS user secret holds host, port and user, and a generated password', () => {
      const secret = onlyResource(template, 'AWS::SecretsManager::Secret');
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.GenerateSecretString).toMatchObject({
        GenerateStringKey: 'password',
        PasswordLength: 32,
      });
      expect(JSON.parse(secret.Properties.GenerateSecretString.SecretStringTemplate)).toEqual({
        engine: 'mysql',
        host: FIXTURE_MYSQL.endpointAddress,
        port: 3306,
        username: 'dms_cdc',
        ssl: true,
      });
    });

    test('the DMS user password rotates in the VPC, after the user exists', () => {
      const rotation = onlyResource(template, 'AWS::SecretsManager::RotationSchedule');
      expect(rotation.Properties).toMatchObject({
        RotateImmediatelyOnUpdate: false,
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        HostedRotationLambda: {
          RotationType: 'MySQLSingleUser',
          VpcSecurityGroupIds: {
            'Fn::GetAtt': [
              expect.stringMatching(/^SourceDatabaseRotationSecurityGroup/),
              'GroupId',
            ],
          },
        },
      });
      const setup = onlyResource(template, 'Custom::MySqlChangeCaptureSetup');
      expect(rotation.DependsOn).toContain(setup.id);
    });
  });

  test('no password appears anywhere in the template', () => {
    const passwords: string[] = [];
    const visit = (value: unknown, where: string): void => {
      if (Array.isArray(value))
        return value.forEach((item, index) => visit(item, `${where}[${index}]`));
      if (typeof value !== 'object' || value === null) return;
      for (const [key, child] of Object.entries(value)) {
        if (/password/i.test(key) && typeof child === 'string') passwords.push(`${where}.${key}`);
        visit(child, `${where}.${key}`);
      }
    };
    visit(template.toJSON(), 'template');
    expect(passwords).toEqual([]);
  });

  describe('DMS service roles', () => {
    // DMS user guide: dms-vpc-role and dms-cloudwatch-logs-role are fixed names that the
    // console creates "automatically" the first time DMS is used, so they exist in many
    // accounts; CloudFormation fails to create a role whose name exists, and a retained role
    // left by a rolled-back first deploy blocks the retry (issue threads aws/aws-cdk#7632,
    // hashicorp/terraform-provider-aws#11025). The app makes only the roles the account lacks
    // and never deletes one: no role is a CloudFormation resource of the stack.
    const made = resourcesOf(template, 'Custom::DmsServiceRole');
    const call = (resource: TemplateResource, event: 'Create' | 'Update' | 'Delete') => {
      const text = resource.Properties[event];
      return text === undefined ? undefined : JSON.parse(JSON.stringify(text));
    };

    test('makes dms-vpc-role and dms-cloudwatch-logs-role unless the account has them, and never deletes them', () => {
      expect(
        template.findResources('AWS::IAM::Role', {
          Properties: { RoleName: Match.stringLikeRegexp('^dms-') },
        }),
      ).toEqual({});
      const created = made.filter((resource) =>
        JSON.stringify(resource.Properties.Create).includes('CreateRole'),
      );
      const attached = made.filter((resource) =>
        JSON.stringify(resource.Properties.Create).includes('AttachRolePolicy'),
      );
      expect(created).toHaveLength(2);
      expect(attached).toHaveLength(2);
      for (const resource of made) {
        expect(resource.Properties.Delete).toBeUndefined();
        expect(resource.Properties.Update).toEqual(resource.Properties.Create);
        expect(resource.Properties.ServiceTimeout).toBe('3600');
      }
      const createText = JSON.stringify(created.map((resource) => call(resource, 'Create')));
      expect(createText).toMatch(/RoleName\W+dms-vpc-role\W/);
      expect(createText).toMatch(/RoleName\W+dms-cloudwatch-logs-role\W/);
      expect(createText).toMatch(/ignoreErrorCodesMatching\W+EntityAlreadyExists\W/);
      const attachText = JSON.stringify(attached.map((resource) => call(resource, 'Create')));
      expect(attachText).toContain('service-role/AmazonDMSVPCManagementRole');
      expect(attachText).toContain('service-role/AmazonDMSCloudWatchLogsRole');
      for (const [index, resource] of attached.entries()) {
        expect(resource.DependsOn).toContain(created[index].id);
      }
    });

    test('a role the app makes trusts DMS on behalf of this account, without a source ARN', () => {
      // DMS confused deputy guide: aws:SourceAccount allows "any resource in that account";
      // dms-vpc-role serves every instance and serverless replication of the account, so no
      // aws:SourceArn pins it to one of them.
      const createText = JSON.stringify(made.map((resource) => resource.Properties.Create));
      expect(createText).toContain('Condition');
      expect(createText).toContain('aws:SourceAccount');
      expect(createText).not.toContain('aws:SourceArn');
    });

    test('the role setup may create only those two roles and attach only their managed policies', () => {
      const policies = resourcesOf(template, 'AWS::IAM::Policy').filter((candidate) =>
        JSON.stringify(candidate.Properties.PolicyDocument).includes('"iam:'),
      );
      expect(policies).toHaveLength(1);
      const statements = (policies[0].Properties.PolicyDocument.Statement as Json[]).filter(
        (statement) => actionsOf(statement).some((action) => action.startsWith('iam:')),
      );
      expect(statements.map(actionsOf)).toEqual([['iam:CreateRole'], ['iam:AttachRolePolicy']]);
      for (const statement of statements) {
        expect(
          JSON.stringify(statement.Resource)
            .match(/:role\/[a-z-]+/g)
            ?.sort(),
        ).toEqual([':role/dms-cloudwatch-logs-role', ':role/dms-vpc-role']);
      }
      expect(JSON.stringify(statements[1].Condition.ArnEquals['iam:PolicyARN'])).toMatch(
        /AmazonDMSVPCManagementRole.*AmazonDMSCloudWatchLogsRole/,
      );
    });

    test('the subnet group and the instance wait until DMS can use dms-vpc-role', () => {
      // aws/aws-cdk#7632, hashicorp/terraform-provider-aws#11025: CreateReplicationSubnetGroup
      // and CreateReplicationInstance fail with "The IAM Role ...dms-vpc-role is not
      // configured properly" right after the role is made; depends_on "is not adequate".
      const ready = onlyResource(template, 'Custom::DmsVpcRoleReady');
      const subnetGroup = onlyResource(template, 'AWS::DMS::ReplicationSubnetGroup');
      const instance = onlyResource(template, 'AWS::DMS::ReplicationInstance');
      expect(ready.Properties).toMatchObject({
        ProbeSubnetGroupIdentifier: 'ml-foundation-dms-role-probe',
        SubnetIds: subnetGroup.Properties.SubnetIds,
        ServiceTimeout: '3600',
      });
      expect(ready.DependsOn).toEqual(
        expect.arrayContaining(
          made
            .filter((resource) =>
              JSON.stringify(resource.Properties.Create).includes('AttachRolePolicy'),
            )
            .map((resource) => resource.id),
        ),
      );
      expect(subnetGroup.DependsOn).toContain(ready.id);
      expect(instance.DependsOn).toContain(ready.id);
    });
  });

  describe('replication logs and failures', () => {
    test('the task logs go to a log group made first, with a retention, kept when the replication goes', () => {
      // AmazonDMSCloudWatchLogsRole lets DMS create log groups dms-tasks-* and write to them,
      // but not set a retention: a group DMS creates keeps its logs forever. Public
      // configurations name it dms-tasks-<replication instance identifier> and create it first
      // (not stated by the DMS guide; a name DMS did not use leaves the group empty).
      const logs = onlyResource(template, 'AWS::Logs::LogGroup', (resource) =>
        String(resource.Properties.LogGroupName).startsWith('dms-tasks-'),
      );
      expect(logs.Properties).toEqual({
        LogGroupName: 'dms-tasks-ml-foundation-cdc-g1',
        RetentionInDays: 365,
      });
      // CloudFormation RetainExceptOnCreate: retained, except when the create rolls back.
      expect(template.toJSON().Resources[logs.id].DeletionPolicy).toBe('RetainExceptOnCreate');
      const instance = onlyResource(template, 'AWS::DMS::ReplicationInstance');
      expect(instance.Properties.ReplicationInstanceIdentifier).toBe('ml-foundation-cdc-g1');
      expect(instance.DependsOn).toContain(logs.id);
    });

    test('an alarm goes off when DMS reports a failure of this replication; the events are kept', () => {
      // DMS EventBridge events: detail-type "DMS Replication Task State Change", resources the
      // task ARN, detail.category "Failure" for "The replication task has failed". EventBridge
      // metrics: Invocations (RuleName) counts the rule's deliveries, sent only when non-zero.
      const task = onlyResource(template, 'AWS::DMS::ReplicationTask');
      const rule = onlyResource(template, 'AWS::Events::Rule');
      expect(rule.Properties.EventPattern).toEqual({
        source: ['aws.dms'],
        'detail-type': ['DMS Replication Task State Change'],
        resources: [{ Ref: task.id }],
        detail: { $or: [{ category: ['Failure'] }, { eventType: [{ wildcard: '*FAIL*' }] }] },
      });
      const events = onlyResource(template, 'AWS::Logs::LogGroup', (resource) =>
        String(resource.Properties.LogGroupName).startsWith('/aws/events/'),
      );
      expect(events.Properties.LogGroupName).toBe('/aws/events/ml-foundation-cdc-g1-failures');
      expect(JSON.stringify(rule.Properties.Targets[0].Arn)).toContain(
        `":log-group:",{"Ref":"${events.id}"}`,
      );
      // EventBridge delivers to a log group only with a CloudWatch Logs resource policy that
      // lets events.amazonaws.com write to it.
      const policy = onlyResource(template, 'AWS::Logs::ResourcePolicy');
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toMatch(
        /logs:PutLogEvents.*events\.amazonaws\.com/,
      );
      const alarm = onlyResource(template, 'AWS::CloudWatch::Alarm');
      expect(alarm.Properties).toMatchObject({
        AlarmName: 'ml-foundation-replication-failed',
        Namespace: 'AWS/Events',
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'RuleName', Value: { Ref: rule.id } }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });
  });

  describe('replication instance and task', () => {
    test('the instance is private, encrypted with the data key, in the replication subnet group', () => {
      const instance = onlyResource(template, 'AWS::DMS::ReplicationInstance');
      const subnetGroup = onlyResource(template, 'AWS::DMS::ReplicationSubnetGroup');
      expect(instance.Properties).toMatchObject({
        ReplicationInstanceClass: 'dms.t3.medium',
        AllocatedStorage: 50,
        MultiAZ: false,
        PubliclyAccessible: false,
        ReplicationSubnetGroupIdentifier: { Ref: subnetGroup.id },
        KmsKeyId: { 'Fn::ImportValue': expect.stringMatching(/DataKey/) },
      });
      expect(subnetGroup.Properties.SubnetIds).toHaveLength(2);
    });

    test('the task is full load and CDC, never clears the target and passes no truncate or drop on', () => {
      // DMS S3 target guide: "A truncate DDL operation removes all files and corresponding
      // table folders from an S3 bucket. You can use task settings to disable that behavior";
      // DMS error handling settings: FailOnNoTablesCaptured "The default is false".
      const task = onlyResource(template, 'AWS::DMS::ReplicationTask');
      expect(task.Properties.MigrationType).toBe('full-load-and-cdc');
      expect(task.Properties.ReplicationTaskIdentifier).toBe('ml-foundation-cdc-g1');
      expect(JSON.parse(task.Properties.ReplicationTaskSettings)).toMatchObject({
        FullLoadSettings: { TargetTablePrepMode: 'DO_NOTHING' },
        ChangeProcessingDdlHandlingPolicy: {
          HandleSourceTableDropped: false,
          HandleSourceTableTruncated: false,
        },
        ErrorBehavior: { FailOnNoTablesCaptured: true },
        Logging: { EnableLogging: true },
      });
    });

    test('the task selects the configured table and adds the change sequence and key before-image', () => {
      const task = onlyResource(template, 'AWS::DMS::ReplicationTask');
      const rules = JSON.parse(task.Properties.TableMappings).rules;
      expect(rules).toEqual([
        expect.objectContaining({
          'rule-type': 'selection',
          'rule-action': 'include',
          'object-locator': { 'schema-name': 'banking', 'table-name': 'banking' },
        }),
        expect.objectContaining({
          'rule-type': 'transformation',
          'rule-action': 'add-column',
          value: 'change_seq',
          expression: '$AR_H_CHANGE_SEQ',
        }),
        expect.objectContaining({
          'rule-action': 'add-before-image-columns',
          'object-locator': { 'schema-name': 'banking', 'table-name': 'banking' },
        }),
        expect.objectContaining({
          'rule-action': 'change-data-type',
          'object-locator': {
            'schema-name': 'banking',
            'table-name': 'banking',
            'column-name': 'y',
          },
        }),
      ]);
    });
  });

  describe('task control', () => {
    const resources = template.toJSON().Resources as Record<string, unknown>;
    let pause: TemplateResource;
    let start: TemplateResource;
    let task: TemplateResource;
    let setup: TemplateResource;
    let instance: TemplateResource;
    beforeAll(() => {
      pause = onlyResource(template, 'Custom::DmsReplicationPause');
      start = onlyResource(template, 'Custom::DmsReplicationStart');
      task = onlyResource(template, 'AWS::DMS::ReplicationTask');
      setup = onlyResource(template, 'Custom::MySqlChangeCaptureSetup');
      instance = onlyResource(template, 'AWS::DMS::ReplicationInstance');
    });

    test('a start resource tests the endpoints and starts the task after it is created', () => {
      const endpoints = resourcesOf(template, 'AWS::DMS::Endpoint');
      expect(start.Properties).toMatchObject({
        Engine: 'instance',
        ReplicationTaskArn: { Ref: task.id },
        ReplicationInstanceArn: { Ref: instance.id },
        EndpointArns: [
          { Ref: endpoints.find((endpoint) => endpoint.Properties.EndpointType === 'source')!.id },
          { Ref: endpoints.find((endpoint) => endpoint.Properties.EndpointType === 'target')!.id },
        ],
      });
      expect(start.DependsOn).toContain(task.id);
    });

    test('the task carries the tag that the control functions may act on', () => {
      expect(task.Properties.Tags).toEqual(
        expect.arrayContaining([{ Key: 'ml-foundation:replication', Value: 'ml-foundation' }]),
      );
    });

    test('the control resources wait at most as long as CloudFormation does', () => {
      // AWS::CloudFormation::CustomResource ServiceTimeout: "an integer from 1 to 3600"; the
      // provider's waiter polls 110 times every 30 s, 3300 s, so that its own failure arrives first.
      for (const resource of [start, pause, onlyResource(template, 'Custom::DmsVpcRoleReady')]) {
        expect(resource.Properties.ServiceTimeout).toBe('3600');
      }
      const [machine] = resourcesOf(template, 'AWS::StepFunctions::StateMachine');
      expect(JSON.stringify(machine.Properties.DefinitionString)).toContain(
        '\\"IntervalSeconds\\":30,\\"MaxAttempts\\":110,\\"BackoffRate\\":1',
      );
    });

    test('a pause resource runs before the task and its endpoints change', () => {
      expect(pause.Properties.ReplicationInstanceArn).toEqual({ Ref: instance.id });
      expect(task.DependsOn).toContain(pause.id);
      for (const [, endpoint] of Object.entries(template.findResources('AWS::DMS::Endpoint'))) {
        expect(endpoint.DependsOn).toContain(pause.id);
      }
      expect(pause.Properties.Fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(start.Properties.Fingerprint).toBe(pause.Properties.Fingerprint);
    });

    test('the task starts only after the source database is set up', () => {
      expect(task.DependsOn).toContain(setup.id);
    });

    test('one provider serves the pause and the start', () => {
      const providerRoles = Object.keys(resources).filter((id) =>
        /^DmsReplicationControlProvider(OnEvent|IsComplete)Role[0-9A-F]{8}$/.test(id),
      );
      expect(providerRoles).toHaveLength(2);
      expect(pause.Properties.ServiceToken).toEqual(start.Properties.ServiceToken);
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    });

    test('the provider may start this task only, and test its connections, through a policy the start waits for', () => {
      const targetPolicy = onlyResource(template, 'AWS::IAM::Policy', ({ id }) =>
        id.startsWith('ChangeCaptureStartTargetPolicy'),
      );
      const endpoints = resourcesOf(template, 'AWS::DMS::Endpoint').map((endpoint) => ({
        Ref: endpoint.id,
      }));
      expect(targetPolicy.Properties.PolicyDocument.Statement).toEqual([
        {
          Action: ['dms:StartReplicationTask', 'dms:StopReplicationTask'],
          Effect: 'Allow',
          Resource: { Ref: task.id },
        },
        {
          Action: 'dms:TestConnection',
          Effect: 'Allow',
          Resource: expect.arrayContaining([{ Ref: instance.id }, ...endpoints]),
        },
      ]);
      expect(targetPolicy.Properties.Roles).toHaveLength(2);
      expect(start.DependsOn).toContain(targetPolicy.id);
      expect(pause.DependsOn ?? []).not.toContain(targetPolicy.id);
    });

    test("the control functions may stop only this app's replications", () => {
      // Service Authorization Reference (DMS): StopReplicationTask and StopReplication accept
      // aws:ResourceTag on tasks and replication configurations; AWS's own
      // AWSDMSServerlessServiceRolePolicy scopes task:* the same way. A stop on task:* without
      // it could stop any team's task, and the tasks DMS Serverless creates.
      const stops = resourcesOf(template, 'AWS::IAM::Policy')
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[])
        .filter((statement) => actionsOf(statement).some((action) => /^dms:Stop/.test(action)));
      expect(stops.length).toBeGreaterThan(0);
      for (const statement of stops) {
        const wildcard = JSON.stringify(statement.Resource).includes('*');
        if (wildcard) {
          expect(statement.Condition).toEqual({
            StringEquals: { 'aws:ResourceTag/ml-foundation:replication': 'ml-foundation' },
          });
        } else {
          expect(statement.Resource).toEqual({ Ref: task.id });
        }
      }
    });
  });

  describe('source database setup', () => {
    let setup: TemplateResource;
    beforeAll(() => {
      setup = onlyResource(template, 'Custom::MySqlChangeCaptureSetup');
    });

    test('sets the binlog retention and the DMS user from secrets, never from the template', () => {
      expect(setup.Properties).toMatchObject({
        Host: FIXTURE_MYSQL.endpointAddress,
        Port: 3306,
        AdminSecretArn: FIXTURE_MYSQL.secretArn,
        DmsUserSecretArn: { Ref: expect.stringMatching(/^SourceDatabaseDmsUserSecret/) },
        Databases: ['banking'],
        BinlogRetentionHours: 24,
      });
    });

    test('runs in the VPC, and may reach the database', () => {
      const functions = template.findResources('AWS::Lambda::Function', {
        Properties: { Description: 'Sets binlog retention and the DMS user on the MySQL source' },
      });
      expect(Object.keys(functions)).toHaveLength(1);
      const vpcConfig = Object.values(functions)[0].Properties.VpcConfig;
      expect(vpcConfig.SecurityGroupIds).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^SourceDatabaseSetupSecurityGroup/), 'GroupId'] },
      ]);
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: FIXTURE_MYSQL.securityGroupId,
        IpProtocol: 'tcp',
        FromPort: 3306,
        ToPort: 3306,
        SourceSecurityGroupId: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^SourceDatabaseSetupSecurityGroup'), 'GroupId'],
        },
      });
    });
  });

  test('the database accepts the replication security group on its port', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: FIXTURE_MYSQL.securityGroupId,
      FromPort: 3306,
      ToPort: 3306,
      SourceSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkSecurityGroup'), 'GroupId'],
      },
    });
    const group = Object.values(
      template.findResources('AWS::EC2::SecurityGroup', {
        Properties: {
          GroupDescription: 'DMS replication: reads MySQL, writes S3, reads its secret',
        },
      }),
    )[0];
    expect(group.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
    ]);
  });

  test('creates no VPC endpoint unless configured', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(fixture.app, fixture.replication))).toBe('');
  });

  test('matches the reviewed snapshot', () => {
    expect(snapshotOf(fixture.replication)).toMatchSnapshot();
  });
});

describe('ReplicationStack with the account DMS roles referenced', () => {
  const fixture = buildReplicationFixture({ replication: { dmsRoles: 'existing' } }, { nag: true });
  const template = Template.fromStack(fixture.replication);

  test('makes no DMS role, and still waits until DMS can use dms-vpc-role', () => {
    expect(
      template.findResources('AWS::IAM::Role', {
        Properties: { RoleName: Match.stringLikeRegexp('^dms-') },
      }),
    ).toEqual({});
    template.resourceCountIs('Custom::DmsServiceRole', 0);
    const ready = onlyResource(template, 'Custom::DmsVpcRoleReady');
    expect(ready.DependsOn ?? []).toEqual([]);
    expect(onlyResource(template, 'AWS::DMS::ReplicationSubnetGroup').DependsOn).toEqual([
      ready.id,
    ]);
    expect(onlyResource(template, 'AWS::DMS::ReplicationInstance').DependsOn).toContain(ready.id);
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(fixture.app, fixture.replication))).toBe('');
  });
});

describe('ReplicationStack on DMS Serverless', () => {
  const fixture = buildReplicationFixture(
    {
      replication: {
        engine: { mode: 'serverless', multiAz: true },
        vpcEndpoints: ['s3', 'secretsmanager'],
      },
    },
    { nag: true },
  );
  const template = Template.fromStack(fixture.replication);

  test('declares a replication configuration instead of an instance and a task', () => {
    template.resourceCountIs('AWS::DMS::ReplicationInstance', 0);
    template.resourceCountIs('AWS::DMS::ReplicationTask', 0);
    const config = onlyResource(template, 'AWS::DMS::ReplicationConfig');
    const subnetGroup = onlyResource(template, 'AWS::DMS::ReplicationSubnetGroup');
    expect(config.Properties).toMatchObject({
      ReplicationConfigIdentifier: 'ml-foundation-cdc-g1',
      ResourceIdentifier: 'ml-foundation-cdc-g1',
      ReplicationType: 'full-load-and-cdc',
      ComputeConfig: {
        MinCapacityUnits: 1,
        MaxCapacityUnits: 4,
        MultiAZ: true,
        ReplicationSubnetGroupId: { Ref: subnetGroup.id },
        KmsKeyId: { 'Fn::ImportValue': expect.stringMatching(/DataKey/) },
      },
      ReplicationSettings: {
        FullLoadSettings: { TargetTablePrepMode: 'DO_NOTHING' },
        ChangeProcessingDdlHandlingPolicy: {
          HandleSourceTableDropped: false,
          HandleSourceTableTruncated: false,
        },
        ErrorBehavior: { FailOnNoTablesCaptured: true },
      },
      Tags: expect.arrayContaining([{ Key: 'ml-foundation:replication', Value: 'ml-foundation' }]),
    });
    expect(config.Properties.TableMappings.rules[0]['object-locator']).toEqual({
      'schema-name': 'banking',
      'table-name': 'banking',
    });
  });

  test('reaches S3 and Secrets Manager through VPC endpoints', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      ServiceName: {
        'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.secretsmanager']],
      },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443,
      GroupId: {
        'Fn::GetAtt': [
          Match.stringLikeRegexp('^NetworkSecretsManagerEndpointSecurityGroup'),
          'GroupId',
        ],
      },
      SourceSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkSecurityGroup'), 'GroupId'],
      },
    });
  });

  test('the start and pause resources act on the serverless replication', () => {
    const config = onlyResource(template, 'AWS::DMS::ReplicationConfig');
    const start = onlyResource(template, 'Custom::DmsReplicationStart');
    const pause = onlyResource(template, 'Custom::DmsReplicationPause');
    expect(start.Properties).toMatchObject({
      Engine: 'serverless',
      ReplicationConfigArn: { 'Fn::GetAtt': [config.id, 'ReplicationConfigArn'] },
    });
    expect(pause.Properties).toMatchObject({
      Engine: 'serverless',
      ReplicationConfigIdentifier: 'ml-foundation-cdc-g1',
    });
    expect(config.DependsOn).toEqual(expect.arrayContaining([pause.id]));
  });

  test('its logs go to a log group made first, named after its resource identifier', () => {
    // DMS Serverless components: "AWS DMS uploads serverless-linked logs to a dedicated log
    // group with the prefix dms-serverless-replication-<your replication config resource ID>";
    // the resource ID is the end of the ARN, which ResourceIdentifier sets (the DMS API). Not
    // settled: whether DMS keeps its case; the identifier is lower case as given.
    const config = onlyResource(template, 'AWS::DMS::ReplicationConfig');
    const logs = onlyResource(template, 'AWS::Logs::LogGroup', (resource) =>
      String(resource.Properties.LogGroupName).startsWith('dms-serverless-replication-'),
    );
    expect(logs.Properties).toEqual({
      LogGroupName: 'dms-serverless-replication-ml-foundation-cdc-g1',
      RetentionInDays: 365,
    });
    expect(config.DependsOn).toContain(logs.id);
    const rule = onlyResource(template, 'AWS::Events::Rule');
    expect(rule.Properties.EventPattern).toMatchObject({
      'detail-type': ['DMS Replication State Change'],
      resources: [{ 'Fn::GetAtt': [config.id, 'ReplicationConfigArn'] }],
    });
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(fixture.app, fixture.replication))).toBe('');
  });

  test('matches the reviewed snapshot', () => {
    expect(snapshotOf(fixture.replication)).toMatchSnapshot();
  });
});

describe('ReplicationStack configuration', () => {
  function taskOf(overrides: unknown) {
    return onlyResource(
      Template.fromStack(buildReplicationFixture(overrides).replication),
      'AWS::DMS::ReplicationTask',
    );
  }

  test('table mappings follow replication.tables, one selection per dataset', () => {
    const task = taskOf({
      datasets: [BANKING_DATASET, LENDING_DATASET],
      replication: { tables: ['banking', 'loans'] },
    });
    const selections = JSON.parse(task.Properties.TableMappings).rules.filter(
      (rule: Record<string, unknown>) => rule['rule-type'] === 'selection',
    );
    expect(selections.map((rule: Record<string, unknown>) => rule['object-locator'])).toEqual([
      { 'schema-name': 'banking', 'table-name': 'banking' },
      { 'schema-name': 'lending', 'table-name': 'loans' },
    ]);
  });

  test('the DMS user gets SELECT on every replicated database', () => {
    const template = Template.fromStack(
      buildReplicationFixture({
        datasets: [BANKING_DATASET, LENDING_DATASET],
        replication: { tables: ['banking', 'loans'], binlogRetentionHours: 72 },
      }).replication,
    );
    template.hasResourceProperties('Custom::MySqlChangeCaptureSetup', {
      Databases: ['banking', 'lending'],
      BinlogRetentionHours: 72,
    });
  });

  test('a change of table mappings changes the fingerprint that pauses and resumes the task', () => {
    const fingerprint = (overrides: unknown) =>
      onlyResource(
        Template.fromStack(buildReplicationFixture(overrides).replication),
        'Custom::DmsReplicationPause',
      ).Properties.Fingerprint;
    const base = fingerprint({});
    expect(fingerprint({})).toBe(base);
    expect(
      fingerprint({
        datasets: [BANKING_DATASET, LENDING_DATASET],
        replication: { tables: ['banking', 'loans'] },
      }),
    ).not.toBe(base);
    expect(fingerprint({ replication: { cdcMaxBatchIntervalSeconds: 600 } })).not.toBe(base);
  });

  test('startTask false leaves the task for the operator to start', () => {
    const template = Template.fromStack(
      buildReplicationFixture({ replication: { startTask: false } }).replication,
    );
    template.resourceCountIs('Custom::DmsReplicationStart', 0);
    template.resourceCountIs('Custom::DmsReplicationPause', 1);
  });

  test('batching and the bucket folder come from the configuration', () => {
    const template = Template.fromStack(
      buildReplicationFixture({
        replication: {
          bucketFolder: 'history/mysql/',
          cdcMaxBatchIntervalSeconds: 3600,
          cdcMinFileSizeKb: 128_000,
        },
      }).replication,
    );
    template.hasResourceProperties('AWS::DMS::Endpoint', {
      S3Settings: Match.objectLike({
        BucketFolder: 'history/mysql/generation=1',
        CdcMaxBatchInterval: 3600,
        CdcMinFileSize: 128_000,
      }),
    });
  });
});

describe('replication generations', () => {
  // CloudFormation registry schemas: SourceEndpointArn, TargetEndpointArn and
  // ReplicationInstanceArn of AWS::DMS::ReplicationTask are create-only, so a change of
  // endpoint or instance replaces the task; CloudFormation creates the replacement before it
  // deletes the task it replaces. DMS API: every Create* call throws ResourceAlreadyExistsFault
  // ("The resource you are attempting to create already exists") for a name in use. So what a
  // generation owns carries its name, and a replacement within a generation fails on the name
  // instead of loading the tables again over the generation's history.
  const templateOf = (overrides: unknown) =>
    Template.fromStack(buildReplicationFixture(overrides).replication);
  const generation1 = templateOf({});
  const generation2 = templateOf({ replication: { generation: 2 } });
  const owned = (template: Template) => ({
    target: onlyResource(
      template,
      'AWS::DMS::Endpoint',
      (endpoint) => endpoint.Properties.EndpointType === 'target',
    ),
    instance: onlyResource(template, 'AWS::DMS::ReplicationInstance'),
    task: onlyResource(template, 'AWS::DMS::ReplicationTask'),
  });

  test('a new generation is a new instance, task and target endpoint, with new names, writing a new folder', () => {
    const [first, second] = [owned(generation1), owned(generation2)];
    expect(second.target.Properties.S3Settings.BucketFolder).toBe('cdc/generation=2');
    expect(second.target.Properties.EndpointIdentifier).toBe('ml-foundation-s3-g2');
    expect(second.instance.Properties.ReplicationInstanceIdentifier).toBe('ml-foundation-cdc-g2');
    expect(second.task.Properties.ReplicationTaskIdentifier).toBe('ml-foundation-cdc-g2');
    for (const kind of ['target', 'instance', 'task'] as const) {
      expect(second[kind].id).not.toBe(first[kind].id);
    }
    // The source endpoint, the subnet group and the control resources stay.
    const sourceOf = (template: Template) =>
      onlyResource(
        template,
        'AWS::DMS::Endpoint',
        (endpoint) => endpoint.Properties.EndpointType === 'source',
      ).id;
    expect(sourceOf(generation2)).toBe(sourceOf(generation1));
    expect(onlyResource(generation2, 'Custom::DmsReplicationStart').id).toBe(
      onlyResource(generation1, 'Custom::DmsReplicationStart').id,
    );
    // The pause sees new settings and stops the previous generation's task first.
    const fingerprint = (template: Template) =>
      onlyResource(template, 'Custom::DmsReplicationPause').Properties.Fingerprint;
    expect(fingerprint(generation2)).not.toBe(fingerprint(generation1));
    expect(
      onlyResource(generation2, 'AWS::Logs::LogGroup', (resource) =>
        String(resource.Properties.LogGroupName).startsWith('dms-tasks-'),
      ).Properties.LogGroupName,
    ).toBe('dms-tasks-ml-foundation-cdc-g2');
  });

  test("the new generation's role may write its own folder only", () => {
    const roleId =
      owned(generation2).target.Properties.S3Settings.ServiceAccessRoleArn['Fn::GetAtt'][0];
    const writes = statementsOf(generation2, roleId).filter(
      (statement) => statement.Effect === 'Allow' && actionsOf(statement).includes('s3:PutObject'),
    );
    expect(JSON.stringify(writes.map((statement) => statement.Resource))).toContain(
      '/cdc/generation=2/*',
    );
    expect(JSON.stringify(writes.map((statement) => statement.Resource))).not.toContain(
      'generation=1',
    );
  });

  test('switching engines within a generation needs a second target endpoint with the name of the first', () => {
    // Nothing else tells an engine switch apart at synth: the endpoint would be kept, and the
    // serverless replication would load into the instance task's folder.
    const serverless = templateOf({
      replication: {
        engine: { mode: 'serverless', multiAz: false },
        vpcEndpoints: ['secretsmanager'],
      },
    });
    const instanceTarget = owned(generation1).target;
    const serverlessTarget = onlyResource(
      serverless,
      'AWS::DMS::Endpoint',
      (endpoint) => endpoint.Properties.EndpointType === 'target',
    );
    expect(serverlessTarget.id).not.toBe(instanceTarget.id);
    expect(serverlessTarget.Properties.EndpointIdentifier).toBe(
      instanceTarget.Properties.EndpointIdentifier,
    );
    const bumped = templateOf({
      replication: {
        generation: 2,
        engine: { mode: 'serverless', multiAz: false },
        vpcEndpoints: ['secretsmanager'],
      },
    });
    expect(
      onlyResource(
        bumped,
        'AWS::DMS::Endpoint',
        (endpoint) => endpoint.Properties.EndpointType === 'target',
      ).Properties.EndpointIdentifier,
    ).toBe('ml-foundation-s3-g2');
  });
});
