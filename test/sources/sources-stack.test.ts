import * as fs from 'node:fs';
import * as path from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { stableTemplate } from '../support/stable-template';
import { onlyResource, resourcesOf } from '../support/template-resources';
import { mysqlEngineVersion } from '../../lib/sources/mysql-source';
import { BANKING_DATASET } from '../../lib/config/dataset';
import { SourcesStack } from '../../lib/sources/sources-stack';
import { LENDING_DATASET } from '../support/datasets';
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
  const { app, stacks } = buildTestFoundation({}, { nag: true });
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

  test('the Redshift cluster is encrypted with the database key, public for Amazon ML, and requires TLS', () => {
    // The default reads Redshift with Amazon ML, which connects "from the list of IP addresses
    // (CIDRs) associated with Amazon ML" (Amazon ML Developer Guide, "Creating an Amazon ML
    // Amazon Redshift IAM Role"): the cluster has a public endpoint, admits no one by itself,
    // and requires TLS.
    template.hasResourceProperties('AWS::Redshift::Cluster', {
      ClusterIdentifier: 'ml-foundation-redshift',
      ClusterType: 'single-node',
      NodeType: 'ra3.large',
      Encrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [databaseKey(), 'Arn'] },
      PubliclyAccessible: true,
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
    const subnetGroup = onlyResource(template, 'AWS::Redshift::ClusterSubnetGroup');
    expect(JSON.stringify(subnetGroup.Properties.SubnetIds)).toMatch(
      /publicSubnet1.*publicSubnet2/,
    );
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
      // AWS::RDS::DBInstance DeletionProtection: "The database can't be deleted when deletion
      // protection is enabled". Whether the rollback of the instance's own failed create is
      // refused too is not documented; if it is, the instance holds its fixed identifier
      // against the retry. Off by default: the deletion policy keeps the instance anyway.
      DeletionProtection: false,
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
    // The admin and the Amazon ML reader secret of each database.
    expect(Object.keys(secrets)).toHaveLength(4);
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

  test('nothing is lost: databases, their admin secrets and the key are kept, except after a failed first create', () => {
    // RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE is CloudFormation's RetainExceptOnCreate:
    // "Resource are not retained, if the creation is rolled back" (aws-cdk-lib
    // core/lib/removal-policy.d.ts), so a failed first deploy frees the fixed identifiers
    // (DBInstanceIdentifier, ClusterIdentifier) for the retry.
    const kept = [
      ...resourcesOf(template, 'AWS::Redshift::Cluster'),
      ...resourcesOf(template, 'AWS::RDS::DBInstance'),
      ...resourcesOf(template, 'AWS::KMS::Key'),
      ...resourcesOf(template, 'AWS::SecretsManager::Secret').filter(
        (secret) => !secret.id.includes('Reader'),
      ),
    ];
    expect(kept).toHaveLength(5);
    for (const resource of kept) {
      expect([resource.id, resource.DeletionPolicy]).toEqual([resource.id, 'RetainExceptOnCreate']);
      expect(template.toJSON().Resources[resource.id].UpdateReplacePolicy).toBe('Retain');
    }
  });

  test('destroy succeeds and keeps what the kept databases still use, which CloudFormation could not delete', () => {
    // aws/aws-cdk#22141 and #14456: with retained databases, the stack's delete fails on "One
    // or more database instances are still members of this parameter group", "resource sg-...
    // has a dependent object", "The subnet ... has dependencies and cannot be deleted" and "The
    // vpc ... has dependencies". Everything a database uses is kept too; the outputs name it.
    const keptTypes = [
      'AWS::EC2::VPC',
      'AWS::RDS::DBParameterGroup',
      'AWS::RDS::DBSubnetGroup',
      'AWS::Redshift::ClusterSubnetGroup',
      'AWS::Redshift::ClusterParameterGroup',
      // A public cluster's address keeps the internet gateway attached.
      'AWS::EC2::InternetGateway',
      'AWS::EC2::VPCGatewayAttachment',
    ];
    for (const type of keptTypes) {
      for (const resource of resourcesOf(template, type)) {
        expect([resource.id, resource.DeletionPolicy]).toEqual([
          resource.id,
          'RetainExceptOnCreate',
        ]);
      }
    }
    const groups = resourcesOf(template, 'AWS::EC2::SecurityGroup');
    const keptGroups = groups.filter((group) => group.DeletionPolicy === 'RetainExceptOnCreate');
    expect(keptGroups.map((group) => group.id).sort()).toEqual([
      expect.stringMatching(/^MysqlSecurityGroup/),
      expect.stringMatching(/^RedshiftSecurityGroup/),
    ]);
    const subnets = resourcesOf(template, 'AWS::EC2::Subnet');
    const keptSubnets = subnets.filter(
      (subnet) => subnet.DeletionPolicy === 'RetainExceptOnCreate',
    );
    expect(keptSubnets.map((subnet) => subnet.id).sort()).toEqual([
      expect.stringMatching(/^NetworkVpcdatabasesSubnet1/),
      expect.stringMatching(/^NetworkVpcdatabasesSubnet2/),
      expect.stringMatching(/^NetworkVpcpublicSubnet1/),
      expect.stringMatching(/^NetworkVpcpublicSubnet2/),
    ]);
    // What no database uses is deleted: it would cost money (NAT) or hold nothing.
    for (const type of ['AWS::EC2::NatGateway', 'AWS::EC2::EIP', 'AWS::EC2::RouteTable']) {
      for (const resource of resourcesOf(template, type))
        expect(resource.DeletionPolicy).toBeUndefined();
    }
    const outputs = template.findOutputs('*');
    for (const id of [
      'VpcId',
      'KeptSubnetIds',
      'MysqlIdentifier',
      'MysqlSecurityGroupId',
      'MysqlSecretArn',
      'RedshiftIdentifier',
      'RedshiftSecurityGroupId',
      'RedshiftSecretArn',
    ]) {
      expect(outputs).toHaveProperty(id);
    }
    expect(outputs.MysqlIdentifier.Value).toBe('ml-foundation-mysql');
    expect(outputs.RedshiftIdentifier.Value).toBe('ml-foundation-redshift');
  });

  test('the databases admit the table setup function only, until a consumer adds one', () => {
    for (const group of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    }
    const [ingress] = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress');
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    expect(ingress.Properties).toMatchObject({
      GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^MysqlSecurityGroup/), 'GroupId'] },
      SourceSecurityGroupId: {
        'Fn::GetAtt': [expect.stringMatching(/^MysqlTablesSecurityGroup/), 'GroupId'],
      },
      FromPort: 3306,
      ToPort: 3306,
    });
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
  const { app, stacks } = buildTestFoundation(
    {
      storage: { removalPolicy: 'destroy' },
      sources: {
        redshift: { nodeType: 'ra3.4xlarge', numberOfNodes: 2 },
        mysql: { multiAz: true },
      },
    },
    { nag: true },
  );
  const template = Template.fromStack(stacks.sources!);

  test('databases are deleted only after a final snapshot, with what they stand on; the key stays', () => {
    for (const type of ['AWS::Redshift::Cluster', 'AWS::RDS::DBInstance']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource.DeletionPolicy).toBe('Snapshot');
      }
    }
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DeletionProtection: false,
      MultiAZ: true,
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'RetainExceptOnCreate' });
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::SecurityGroup']) {
      for (const resource of resourcesOf(template, type))
        expect(resource.DeletionPolicy).toBeUndefined();
    }
    expect(template.findOutputs('KeptSubnetIds')).toEqual({});
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
  const { app, stacks } = buildTestFoundation(IMPORTED, { nag: true });
  const sources = stacks.sources!;
  const template = Template.fromStack(sources);

  test('creates no network, no database and no table', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::Redshift::Cluster', 'AWS::RDS::DBInstance']) {
      template.resourceCountIs(type, 0);
    }
    for (const type of ['Custom::MySqlSourceTables', 'Custom::RedshiftSourceTables']) {
      template.hasResourceProperties(type, { CreateTables: false, LoadSample: false });
    }
  });

  test('creates, through the admin secrets the configuration names, the users Amazon ML reads as', () => {
    // Only the reader secrets: the databases and their admin secrets are the owner's.
    const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
    expect(secrets.map((secret) => secret.id).sort()).toEqual([
      expect.stringMatching(/^MysqlTablesReaderSecret/),
      expect.stringMatching(/^RedshiftTablesReaderSecret/),
    ]);
    template.hasResourceProperties('Custom::MySqlSourceTables', {
      Host: IMPORTED.sources.mysql.endpointAddress,
      AdminSecretArn: IMPORTED.sources.mysql.secretArn,
      Reader: { Tables: ['banking'] },
    });
    template.hasResourceProperties('Custom::RedshiftSourceTables', {
      ClusterIdentifier: 'legacy-dw',
      AdminSecretArn: IMPORTED.sources.redshift.secretArn,
      Reader: { Tables: ['banking'] },
    });
    expect(sources.mysql.readerSecret.secretArn).toEqual(expect.any(String));
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

  test('Amazon ML reads the imported databases as their reader user and adds its rule to their security group', () => {
    const amazonMl = Template.fromStack(stacks.amazonMl!);
    // The reader user's own secret, which the Sources stack creates through the admin secret.
    amazonMl.hasResourceProperties('Custom::AmazonMlDataSource', {
      Engine: 'redshift',
      ClusterIdentifier: 'legacy-dw',
      DatabaseName: 'analytics',
      SecretArn: { 'Fn::ImportValue': Match.stringLikeRegexp('RedshiftTablesReaderSecret') },
    });
    expect(JSON.stringify(amazonMl.toJSON())).not.toContain(IMPORTED.sources.redshift.secretArn);
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
  test('is public exactly when an Amazon ML datasource reads Redshift, unless configured', () => {
    const privately = (overrides: unknown) =>
      Template.fromStack(buildTestFoundation(overrides).stacks.sources!);
    const mysqlOnly = {
      amazonMl: {
        datasources: [
          {
            id: 'm',
            source: 'mysql',
            dataset: 'banking',
            stagingPrefix: 'rds/',
            targetAttribute: 'y',
          },
        ],
      },
    };
    for (const overrides of [{ features: { amazonMl: false } }, mysqlOnly]) {
      privately(overrides).hasResourceProperties('AWS::Redshift::Cluster', {
        PubliclyAccessible: false,
      });
    }
    privately({
      ...mysqlOnly,
      sources: { redshift: { publiclyAccessible: true } },
    }).hasResourceProperties('AWS::Redshift::Cluster', { PubliclyAccessible: true });
  });

  test('a switch of accessibility after the first deploy is refused by CloudFormation, not applied to the running cluster', () => {
    // AWS::Redshift::Cluster lists ClusterSubnetGroupName among its createOnlyProperties
    // (CloudFormation registry schema), and ModifyCluster has no subnet group parameter. The
    // subnet group's logical id names the accessibility, so a switch makes a new group and a
    // new ClusterSubnetGroupName, which only a replacement could take; CloudFormation refuses to
    // replace a resource with a custom name (ClusterIdentifier), and the update fails before
    // the cluster changes. Whether Redshift itself would move a running cluster's subnets is
    // not documented: the app never asks it to.
    const groupOf = (overrides: unknown) => {
      const template = Template.fromStack(buildTestFoundation(overrides).stacks.sources!);
      const group = onlyResource(template, 'AWS::Redshift::ClusterSubnetGroup');
      const cluster = onlyResource(template, 'AWS::Redshift::Cluster');
      expect(cluster.Properties.ClusterSubnetGroupName).toEqual({ Ref: group.id });
      return group.id;
    };
    const publicGroup = groupOf({});
    const privateGroup = groupOf({ features: { amazonMl: false } });
    expect(publicGroup).toMatch(/^RedshiftPublicSubnetGroup/);
    expect(privateGroup).toMatch(/^RedshiftSubnetGroup/);
  });

  test('fails synth without public subnets, when the configuration is not checked first', () => {
    const config = testConfig();
    const app = createTestApp();
    new SourcesStack(app, 'Sources', {
      projectName: config.projectName,
      removalPolicy: RemovalPolicy.RETAIN,
      network: { mode: 'create', cidr: '10.42.0.0/16', maxAzs: 2, natGateways: 0 },
      sources: config.sources,
      datasets: config.datasets,
      redshiftPubliclyAccessible: true,
    });
    expect(() => app.synth()).toThrow(
      'sources.redshift.publiclyAccessible needs public subnets: create the VPC with at least one NAT gateway',
    );
  });
});

describe('SourcesStack tables, samples and readers', () => {
  const { stacks } = buildTestFoundation();
  const sources = stacks.sources!;
  const template = Template.fromStack(sources);

  test('each created database gets every dataset table, the sample and a reader for Amazon ML', () => {
    for (const type of ['Custom::MySqlSourceTables', 'Custom::RedshiftSourceTables']) {
      const setup = onlyResource(template, type);
      expect(setup.Properties).toMatchObject({
        CreateTables: true,
        LoadSample: true,
        Datasets: [
          {
            name: 'banking',
            mysqlDatabase: 'banking',
            redshiftSchema: 'public',
            primaryKey: ['id'],
            columns: expect.arrayContaining([{ name: 'default', type: 'varchar(32)' }]),
          },
        ],
        Reader: {
          SecretArn: { Ref: expect.stringMatching(/TablesReaderSecret/) },
          Tables: ['banking'],
        },
      });
    }
    // The cluster identifier is a reference, so the load waits for the cluster; the Data API
    // requires it to match the one the admin secret names (BatchExecuteStatement).
    expect(
      onlyResource(template, 'Custom::RedshiftSourceTables').Properties.ClusterIdentifier,
    ).toEqual({
      Ref: expect.stringMatching(/^RedshiftCluster/),
    });
  });

  test('consumers depend on tablesReady, and read through readerSecret', () => {
    expect(sources.mysql.tablesReady).toBe(sources.mysql.tables!.resource);
    expect(sources.redshift.tablesReady).toBe(sources.redshift.tables!.resource);
    expect(sources.mysql.readerSecret).toBe(sources.mysql.tables!.readerSecret);
    const withoutAmazonMl = buildTestFoundation({ features: { amazonMl: false } }).stacks.sources!;
    expect(() => withoutAmazonMl.redshift.readerSecret).toThrow(
      'No Amazon ML datasource reads the Redshift cluster ml-foundation-redshift, so it has no reader user.',
    );
  });

  test('the MySQL setup runs in the VPC and is deleted before its 3306 rules', () => {
    const setup = onlyResource(template, 'Custom::MySqlSourceTables');
    const rules = [
      ...resourcesOf(template, 'AWS::EC2::SecurityGroupEgress'),
      ...resourcesOf(template, 'AWS::EC2::SecurityGroupIngress'),
    ].filter((rule) => rule.Properties.FromPort === 3306);
    expect(rules).toHaveLength(2);
    expect(setup.DependsOn).toEqual(expect.arrayContaining(rules.map((rule) => rule.id)));
    const reader = onlyResource(template, 'AWS::SecretsManager::Secret', (secret) =>
      secret.id.startsWith('MysqlTablesReaderSecret'),
    );
    expect(JSON.stringify(reader.Properties.GenerateSecretString.SecretStringTemplate)).toContain(
      '\\"ssl\\":true',
    );
  });

  test("the Redshift setup waits for its statements in onEvent, under Lambda's 15 minutes", () => {
    // No isComplete: Data API statements are described only to the identity that ran them.
    const handlers = resourcesOf(template, 'AWS::Lambda::Function').filter(
      (fn) =>
        fn.Properties.Description ===
        'Creates the dataset tables, their samples and the Amazon ML reader in Redshift',
    );
    expect(handlers).toHaveLength(1);
    expect(handlers[0].Properties.Handler).toBe('index.onEvent');
    expect(handlers[0].Properties.Timeout).toBe(14 * 60);
    const role = handlers[0].Properties.Role['Fn::GetAtt'][0];
    const policy = onlyResource(template, 'AWS::IAM::Policy', (candidate) =>
      JSON.stringify(candidate.Properties.Roles).includes(role),
    );
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['redshift-data:BatchExecuteStatement', 'redshift-data:ExecuteStatement'],
          Resource: expect.objectContaining({ 'Fn::Join': expect.anything() }),
        }),
        {
          Action: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult'],
          Effect: 'Allow',
          Resource: '*',
          // Amazon Redshift Management Guide, "Configuring IAM permissions": restricts statement
          // information to the role session that ran it.
          Condition: {
            StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' },
          },
        },
      ]),
    );
  });

  test('a dataset that no Amazon ML datasource reads gets its table but no grant', () => {
    const { stacks: other } = buildTestFoundation({
      datasets: [BANKING_DATASET, LENDING_DATASET],
      replication: { tables: ['banking'] },
    });
    const setup = onlyResource(Template.fromStack(other.sources!), 'Custom::MySqlSourceTables');
    expect(setup.Properties.Datasets.map((dataset: { name: string }) => dataset.name)).toEqual([
      'banking',
      'loans',
    ]);
    expect(setup.Properties.Reader.Tables).toEqual(['banking']);
  });
});

describe('SourcesStack MySQL options', () => {
  test('deletion protection, where AWS Control Tower enforces it (CT.RDS.PR.8), is one setting away', () => {
    const { app, stacks } = buildTestFoundation(
      { sources: { mysql: { deletionProtection: true } } },
      { nag: true },
    );
    Template.fromStack(stacks.sources!).hasResourceProperties('AWS::RDS::DBInstance', {
      DeletionProtection: true,
    });
    expect(describeFindings(nagFindings(app, stacks.sources!))).toBe('');
  });

  test('an 8.0 version deploys with a warning about paid Extended Support', () => {
    // MySQL 8.0 left RDS standard support on 2026-07-31: an instance created on it
    // runs on RDS Extended Support, which is billed.
    const { stacks } = buildTestFoundation({ sources: { mysql: { engineVersion: '8.0.46' } } });
    const template = Template.fromStack(stacks.sources!);
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'mysql8.0' });
    expect(
      Annotations.fromStack(stacks.sources!).findWarning(
        '*',
        Match.stringLikeRegexp('Extended Support'),
      ),
    ).toHaveLength(1);
  });
});
