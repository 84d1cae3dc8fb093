import * as fs from 'node:fs';
import * as path from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { stableTemplate } from '../support/stable-template';
import type { RedshiftConfig } from '../../lib/sources/config';
import { mysqlEngineVersion } from '../../lib/sources/mysql-source';
import { SourcesStack } from '../../lib/sources/sources-stack';
import {
  buildTestFoundation,
  createTestApp,
  describeFindings,
  nagFindings,
  testConfig,
} from '../support/test-app';

const IMPORTED = {
  network: {
    mode: 'import',
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  },
  sources: {
    redshift: {
      mode: 'import',
      clusterIdentifier: 'legacy-dw',
      databaseName: 'analytics',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-dw-AbCdEf',
      endpointAddress: 'legacy-dw.abc123.eu-west-1.redshift.amazonaws.com',
      port: 5439,
      securityGroupId: 'sg-0123456789abcdef0',
    },
    mysql: {
      mode: 'import',
      instanceIdentifier: 'legacy-mysql',
      databaseName: 'banking',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-mysql-AbCdEf',
      endpointAddress: 'legacy-mysql.abc123.eu-west-1.rds.amazonaws.com',
      port: 3306,
      securityGroupId: 'sg-0123456789abcdef1',
    },
  },
};

describe('SourcesStack', () => {
  const { app, stacks } = buildTestFoundation();
  const stack = stacks.sources!;
  const template = Template.fromStack(stack);
  const databaseKey = () =>
    Object.keys(template.findResources('AWS::KMS::Key')).find((id) => id.startsWith('DatabaseKey'));

  test('a VPC with isolated subnets for the databases, NAT for workloads, flow logs and an S3 endpoint', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.42.0.0/16' });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.s3'])] }),
      VpcEndpointType: 'Gateway',
    });
    const subnetTypes = Object.values(template.findResources('AWS::EC2::Subnet')).map(
      (subnet) =>
        (subnet.Properties.Tags as Array<{ Key: string; Value: string }>).find(
          (tag) => tag.Key === 'aws-cdk:subnet-type',
        )!.Value,
    );
    expect(subnetTypes.sort()).toEqual([
      'Isolated',
      'Isolated',
      'Private',
      'Private',
      'Public',
      'Public',
    ]);
  });

  test('the Redshift cluster is encrypted with the database key, private, and requires TLS', () => {
    template.hasResourceProperties('AWS::Redshift::Cluster', {
      ClusterIdentifier: 'ml-foundation-redshift',
      ClusterType: 'single-node',
      NodeType: 'ra3.large',
      Encrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [databaseKey(), 'Arn'] },
      PubliclyAccessible: false,
      AutomatedSnapshotRetentionPeriod: 7,
      LoggingProperties: {
        LogDestinationType: 'cloudwatch',
        LogExports: ['connectionlog', 'useractivitylog', 'userlog'],
      },
    });
    template.hasResourceProperties('AWS::Redshift::ClusterParameterGroup', {
      Parameters: Match.arrayWith([
        { ParameterName: 'require_ssl', ParameterValue: 'true' },
        { ParameterName: 'enable_user_activity_logging', ParameterValue: 'true' },
      ]),
    });
    const subnetGroup = Object.values(
      template.findResources('AWS::Redshift::ClusterSubnetGroup'),
    )[0];
    expect(JSON.stringify(subnetGroup.Properties.SubnetIds)).toMatch(/databasesSubnet/);
  });

  test('the MySQL instance is encrypted, private, backed up, and its binlog is ready for change data capture', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'ml-foundation-mysql',
      Engine: 'mysql',
      EngineVersion: '8.4.10',
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [databaseKey(), 'Arn'] },
      PubliclyAccessible: false,
      BackupRetentionPeriod: 7,
      DeletionProtection: true,
    });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'mysql8.4',
      Parameters: Match.objectLike({
        binlog_format: 'ROW',
        binlog_row_image: 'FULL',
        binlog_checksum: 'NONE',
      }),
    });
  });

  // AWS Control Tower proactive controls, run by @cdklabs/cdk-validator-cfnguard in
  // test/shipped.test.ts; these pin the fixes so that an acknowledgement cannot replace them.
  test('meets the Control Tower controls it can: TLS only, patched, IAM sign-in, no default names', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: Match.objectLike({ require_secure_transport: '1' }), // CT.RDS.PR.28
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      AutoMinorVersionUpgrade: true, // CT.RDS.PR.5
      EnableIAMDatabaseAuthentication: true, // CT.RDS.PR.7
      MasterUsername: Match.not(Match.stringLikeRegexp('^(admin|postgres)$')), // CT.RDS.PR.22
      EnableCloudwatchLogsExports: ['audit', 'error', 'general', 'slowquery'], // CT.RDS.PR.14
    });
    template.hasResourceProperties('AWS::Redshift::Cluster', {
      EnhancedVpcRouting: true, // CT.REDSHIFT.PR.5
      DBName: Match.not('dev'), // CT.REDSHIFT.PR.7
    });
    for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet'))) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false); // CT.EC2.PR.11
    }
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'kms:CreateGrant',
            Principal: { AWS: '*' },
            Condition: {
              BoolIfExists: {
                'kms:GrantIsForAWSResource': 'false',
                'aws:PrincipalIsAWSService': 'false',
              },
            },
          }),
        ]),
      },
    }); // CT.KMS.PR.3
  });

  test('the MySQL version is an aws-cdk-lib constant that RDS still offers', () => {
    // aws-cdk-lib marks versions RDS withdrew as @deprecated ("no longer supported by Amazon
    // RDS"); a constant keeps the withdrawal visible to this test.
    const declarations = fs.readFileSync(
      path.join(
        path.dirname(require.resolve('aws-cdk-lib/package.json')),
        'aws-rds/lib/instance-engine.d.ts',
      ),
      'utf8',
    );
    const mysql = testConfig().sources.mysql;
    const version = mysql.mode === 'create' ? mysql.engineVersion : '';
    const declaration = declarations.indexOf(
      `static readonly VER_${version.replace(/\./g, '_')}: MysqlEngineVersion;`,
    );
    expect(declaration).toBeGreaterThan(0);
    const doc = declarations.slice(declarations.lastIndexOf('/**', declaration), declaration);
    expect(doc).toContain(`"${version}"`);
    expect(doc).not.toMatch(/@deprecated/);
    expect(() => mysqlEngineVersion('8.4.99')).toThrow(
      /aws-cdk-lib offers no MySQL version 8.4.99/,
    );
  });

  test('credentials are generated into Secrets Manager and passed to the databases as references', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(2);
    for (const secret of Object.values(secrets)) {
      expect(secret.Properties.GenerateSecretString.GenerateStringKey).toBe('password');
    }
    for (const type of ['AWS::Redshift::Cluster', 'AWS::RDS::DBInstance']) {
      const [database] = Object.values(template.findResources(type));
      expect(JSON.stringify(database.Properties.MasterUserPassword)).toMatch(
        /^\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:",\{"Ref":"\w+"\},":SecretString:password::\}\}"\]\]\}$/,
      );
    }
    template.resourceCountIs('AWS::SecretsManager::SecretTargetAttachment', 2);
  });

  test('nothing is lost: databases, secrets and the key are retained', () => {
    for (const type of [
      'AWS::Redshift::Cluster',
      'AWS::RDS::DBInstance',
      'AWS::SecretsManager::Secret',
      'AWS::KMS::Key',
    ]) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource.DeletionPolicy).toBe('Retain');
      }
    }
  });

  test('databases admit no client until a consumer adds one', () => {
    for (const group of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    }
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(app, stack))).toBe('');
  });

  test('matches the reviewed snapshot', () => {
    // The exports follow from what other stacks consume, and are reviewed with those stacks.
    const reviewed = stableTemplate(stack) as Record<string, unknown>;
    delete reviewed.Outputs;
    expect(reviewed).toMatchSnapshot();
  });
});

describe('SourcesStack with storage.removalPolicy "destroy"', () => {
  const { app, stacks } = buildTestFoundation({
    storage: { removalPolicy: 'destroy' },
    sources: { redshift: { nodeType: 'ra3.4xlarge', numberOfNodes: 2 }, mysql: { multiAz: true } },
  });
  const template = Template.fromStack(stacks.sources!);

  test('databases are deleted only after a final snapshot; the key stays', () => {
    for (const type of ['AWS::Redshift::Cluster', 'AWS::RDS::DBInstance']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource.DeletionPolicy).toBe('Snapshot');
      }
    }
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DeletionProtection: false,
      MultiAZ: true,
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('a multi-node cluster declares its nodes', () => {
    template.hasResourceProperties('AWS::Redshift::Cluster', {
      ClusterType: 'multi-node',
      NumberOfNodes: 2,
    });
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(app, stacks.sources!))).toBe('');
  });
});

describe('SourcesStack with an existing VPC and databases', () => {
  const { app, stacks } = buildTestFoundation(IMPORTED);
  const sources = stacks.sources!;
  const template = Template.fromStack(sources);

  test('creates no network and no database', () => {
    for (const type of [
      'AWS::EC2::VPC',
      'AWS::Redshift::Cluster',
      'AWS::RDS::DBInstance',
      'AWS::SecretsManager::Secret',
    ]) {
      template.resourceCountIs(type, 0);
    }
  });

  test('exposes the imported databases by identifier, with their secrets and security groups', () => {
    expect(sources.redshift.identifier).toBe('legacy-dw');
    expect(sources.redshift.secret.secretArn).toBe(IMPORTED.sources.redshift.secretArn);
    expect(sources.mysql.securityGroup.securityGroupId).toBe('sg-0123456789abcdef1');
    expect(sources.mysql.endpointAddress).toBe('legacy-mysql.abc123.eu-west-1.rds.amazonaws.com');
    expect(sources.vpc.vpcId).toBe('vpc-0123456789abcdef0');
    expect(sources.vpc.selectSubnets(sources.workloadSubnets).subnetIds).toEqual(
      IMPORTED.network.privateSubnetIds,
    );
  });

  test('Amazon ML reads the imported databases and adds its rule to their security group', () => {
    const amazonMl = Template.fromStack(stacks.amazonMl!);
    amazonMl.hasResourceProperties('Custom::AmazonMlDataSource', {
      Engine: 'redshift',
      ClusterIdentifier: 'legacy-dw',
      DatabaseName: 'analytics',
      SecretArn: IMPORTED.sources.redshift.secretArn,
    });
    amazonMl.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0123456789abcdef1',
      FromPort: 3306,
    });
  });

  test('has no unacknowledged cdk-nag finding and no warning', () => {
    expect(describeFindings(nagFindings(app, sources))).toBe('');
    expect(Annotations.fromStack(sources).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('SourcesStack with a publicly accessible Redshift cluster', () => {
  test('puts the cluster in the public subnets, admitting no one by itself', () => {
    const { app, stacks } = buildTestFoundation({
      sources: { redshift: { publiclyAccessible: true } },
    });
    const template = Template.fromStack(stacks.sources!);
    template.hasResourceProperties('AWS::Redshift::Cluster', { PubliclyAccessible: true });
    const [subnetGroup] = Object.values(
      template.findResources('AWS::Redshift::ClusterSubnetGroup'),
    );
    expect(JSON.stringify(subnetGroup.Properties.SubnetIds)).toMatch(
      /publicSubnet1.*publicSubnet2/,
    );
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(describeFindings(nagFindings(app, stacks.sources!))).toBe('');
  });

  test('fails synth without public subnets', () => {
    const config = testConfig();
    const app = createTestApp();
    new SourcesStack(app, 'Sources', {
      projectName: config.projectName,
      removalPolicy: RemovalPolicy.RETAIN,
      network: { mode: 'create', cidr: '10.42.0.0/16', maxAzs: 2, natGateways: 0 },
      sources: {
        ...config.sources,
        redshift: { ...config.sources.redshift, publiclyAccessible: true } as RedshiftConfig,
      },
    });
    expect(() => app.synth()).toThrow(
      'sources.redshift.publiclyAccessible needs public subnets: create the VPC with at least one NAT gateway',
    );
  });
});
