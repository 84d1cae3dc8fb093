import { Match, Template } from 'aws-cdk-lib/assertions';
import { BANKING_DATASET } from '../../lib/config/dataset';
import { LENDING_DATASET } from '../support/datasets';
import { stableTemplate } from '../support/stable-template';
import { describeFindings, nagFindings } from '../support/test-app';
import { buildReplicationFixture, FIXTURE_MYSQL } from './replication-fixture';
import type { TemplateResource } from '../support/template-resources';
import { onlyResource } from '../support/template-resources';

describe('ReplicationStack (replication instance, DMS roles created)', () => {
  const fixture = buildReplicationFixture();
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

    test('writes every table to its own folder under the bucket folder, without date partitions', () => {
      expect(settings.BucketFolder).toBe('cdc');
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

    test('writes through a service access role that may write only under the bucket folder', () => {
      const roleId = settings.ServiceAccessRoleArn['Fn::GetAtt'][0];
      const role = template.toJSON().Resources[roleId];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'dms.amazonaws.com' } },
      ]);
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: ['s3:DeleteObject', 's3:PutObject', 's3:PutObjectTagging'],
              Effect: 'Allow',
              Resource: {
                'Fn::Join': [
                  '',
                  [{ 'Fn::ImportValue': Match.stringLikeRegexp('DataLakeBucket') }, '/cdc/*'],
                ],
              },
            },
            Match.objectLike({ Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'] }),
          ]),
        },
      });
      expect(targetEndpoint.DependsOn).toEqual(expect.arrayContaining([roleId]));
    });
  });

  describe('MySQL source endpoint', () => {
    const [, source] = Object.entries(
      template.findResources('AWS::DMS::Endpoint', { Properties: { EndpointType: 'source' } }),
    )[0];

    test('reads its connection from the DMS user secret through a role, with TLS and no password', () => {
      expect(source.Properties).toEqual({
        EndpointType: 'source',
        EngineName: 'mysql',
        SslMode: 'require',
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
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service).toEqual([
        'dms.amazonaws.com',
        { 'Fn::Join': ['', ['dms.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      ]);
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
    test('creates dms-vpc-role and dms-cloudwatch-logs-role, trusted by DMS and retained', () => {
      for (const [name, policy] of [
        ['dms-vpc-role', 'AmazonDMSVPCManagementRole'],
        ['dms-cloudwatch-logs-role', 'AmazonDMSCloudWatchLogsRole'],
      ]) {
        template.hasResource('AWS::IAM::Role', {
          DeletionPolicy: 'Retain',
          Properties: {
            RoleName: name,
            AssumeRolePolicyDocument: {
              Statement: [
                {
                  Action: 'sts:AssumeRole',
                  Effect: 'Allow',
                  Principal: { Service: 'dms.amazonaws.com' },
                },
              ],
            },
            ManagedPolicyArns: [
              {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/service-role/${policy}`],
                ],
              },
            ],
          },
        });
      }
    });

    test('the subnet group and the instance wait for the roles', () => {
      const vpcRole = Object.keys(
        template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'dms-vpc-role' } }),
      )[0];
      const logsRole = Object.keys(
        template.findResources('AWS::IAM::Role', {
          Properties: { RoleName: 'dms-cloudwatch-logs-role' },
        }),
      )[0];
      const subnetGroup = onlyResource(template, 'AWS::DMS::ReplicationSubnetGroup');
      expect(subnetGroup.DependsOn).toEqual(expect.arrayContaining([vpcRole]));
      const instance = onlyResource(template, 'AWS::DMS::ReplicationInstance');
      expect(instance.DependsOn).toEqual(expect.arrayContaining([vpcRole, logsRole]));
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

    test('the task is full load and CDC, and never clears the target', () => {
      const task = onlyResource(template, 'AWS::DMS::ReplicationTask');
      expect(task.Properties.MigrationType).toBe('full-load-and-cdc');
      expect(JSON.parse(task.Properties.ReplicationTaskSettings)).toMatchObject({
        FullLoadSettings: { TargetTablePrepMode: 'DO_NOTHING' },
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

    test('a start resource starts the task after it is created', () => {
      expect(start.Properties.ReplicationTaskArn).toEqual({ Ref: task.id });
      expect(start.Properties.Engine).toBe('instance');
      expect(start.DependsOn).toContain(task.id);
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

    test('the provider may start this task only, through a policy the start waits for', () => {
      const targetPolicy = onlyResource(template, 'AWS::IAM::Policy', ({ id }) =>
        id.startsWith('ChangeCaptureStartTargetPolicy'),
      );
      expect(targetPolicy.Properties.PolicyDocument.Statement).toEqual([
        {
          Action: ['dms:StartReplicationTask', 'dms:StopReplicationTask'],
          Effect: 'Allow',
          Resource: { Ref: task.id },
        },
      ]);
      expect(targetPolicy.Properties.Roles).toHaveLength(2);
      expect(start.DependsOn).toContain(targetPolicy.id);
      expect(pause.DependsOn ?? []).not.toContain(targetPolicy.id);
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
    expect(stableTemplate(fixture.replication)).toMatchSnapshot();
  });
});

describe('ReplicationStack with the account DMS roles referenced', () => {
  const fixture = buildReplicationFixture({ replication: { dmsRoles: 'existing' } });
  const template = Template.fromStack(fixture.replication);

  test('creates no DMS role and makes nothing wait for one', () => {
    expect(
      template.findResources('AWS::IAM::Role', {
        Properties: { RoleName: Match.stringLikeRegexp('^dms-') },
      }),
    ).toEqual({});
    expect(onlyResource(template, 'AWS::DMS::ReplicationSubnetGroup').DependsOn).toBeUndefined();
    expect(onlyResource(template, 'AWS::DMS::ReplicationInstance').DependsOn).toBeUndefined();
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(fixture.app, fixture.replication))).toBe('');
  });
});

describe('ReplicationStack on DMS Serverless', () => {
  const fixture = buildReplicationFixture({
    replication: {
      engine: { mode: 'serverless', multiAz: true },
      vpcEndpoints: ['s3', 'secretsmanager'],
    },
  });
  const template = Template.fromStack(fixture.replication);

  test('declares a replication configuration instead of an instance and a task', () => {
    template.resourceCountIs('AWS::DMS::ReplicationInstance', 0);
    template.resourceCountIs('AWS::DMS::ReplicationTask', 0);
    const config = onlyResource(template, 'AWS::DMS::ReplicationConfig');
    const subnetGroup = onlyResource(template, 'AWS::DMS::ReplicationSubnetGroup');
    expect(config.Properties).toMatchObject({
      ReplicationConfigIdentifier: 'ml-foundation-cdc',
      ReplicationType: 'full-load-and-cdc',
      ComputeConfig: {
        MinCapacityUnits: 1,
        MaxCapacityUnits: 4,
        MultiAZ: true,
        ReplicationSubnetGroupId: { Ref: subnetGroup.id },
        KmsKeyId: { 'Fn::ImportValue': expect.stringMatching(/DataKey/) },
      },
      ReplicationSettings: { FullLoadSettings: { TargetTablePrepMode: 'DO_NOTHING' } },
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
      ReplicationConfigIdentifier: 'ml-foundation-cdc',
    });
    expect(config.DependsOn).toEqual(expect.arrayContaining([pause.id]));
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(fixture.app, fixture.replication))).toBe('');
  });

  test('matches the reviewed snapshot', () => {
    expect(stableTemplate(fixture.replication)).toMatchSnapshot();
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
        BucketFolder: 'history/mysql',
        CdcMaxBatchInterval: 3600,
        CdcMinFileSize: 128_000,
      }),
    });
  });
});
