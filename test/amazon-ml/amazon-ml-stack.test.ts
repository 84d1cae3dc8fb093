import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DATASOURCE_RESOURCE_TYPE } from '../../lib/amazon-ml/handler/datasource-properties';
import type { Stack } from 'aws-cdk-lib';
import { buildFoundation } from '../../lib/app';
import { serviceTrust } from '../support/iam';
import { stableTemplate } from '../support/stable-template';
import {
  buildTestFoundation,
  buildTestFoundationIn,
  createTestApp,
  describeFindings,
  nagFindings,
  testConfig,
} from '../support/test-app';

type Statement = {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Effect: string;
};

const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** The statements of the policies attached to the role with this logical id prefix. */
function statementsOfRole(template: Template, roleIdPrefix: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    (policy.Properties.Roles as Array<{ Ref?: string }>).some((role) =>
      role.Ref?.startsWith(roleIdPrefix),
    ),
  );
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function logicalIdOf(template: Template, type: string, prefix: string): string {
  const id = Object.keys(template.findResources(type)).find((key) => key.startsWith(prefix));
  if (!id) throw new Error(`no ${type} named ${prefix}*`);
  return id;
}

const STAGING_BUCKET_ARN = {
  'Fn::ImportValue': Match.stringLikeRegexp('ExportsOutputFnGetAttAmazonMlStagingBucket.*Arn'),
};

describe('AmazonMlStack', () => {
  const { app, stacks } = buildTestFoundation({}, { nag: true });
  const stack = stacks.amazonMl!;
  const template = Template.fromStack(stack);
  const dataSources = template.findResources(DATASOURCE_RESOURCE_TYPE);

  test('declares the default datasets: banking from Redshift and from RDS, target y', () => {
    const declared = Object.values(dataSources).map((resource) => ({
      engine: resource.Properties.Engine,
      prefix: resource.Properties.DataSourceIdPrefix,
      target: JSON.parse(resource.Properties.DataSchema).targetAttributeName,
    }));
    expect(declared).toEqual([
      { engine: 'redshift', prefix: 'banking-redshift', target: 'y' },
      { engine: 'rds', prefix: 'banking-mysql', target: 'y' },
    ]);
  });

  test('the Amazon ML roles trust Amazon ML acting for datasources of this account and Region', () => {
    // The developer guide's role trust policies ("Required Parameters for the Create Datasource
    // Wizard" for Redshift, "Creating a Datasource from Amazon RDS"): aws:SourceAccount with
    // ArnLike aws:SourceArn "arn:aws:machinelearning:us-east-1:123456789012:datasource/*".
    for (const prefix of ['banking-redshift', 'banking-mysql']) {
      const roleId = logicalIdOf(
        template,
        'AWS::IAM::Role',
        `${prefix.replace('-', '')}AmazonMlRole`,
      );
      const role = template.findResources('AWS::IAM::Role')[roleId];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        serviceTrust('machinelearning.amazonaws.com', 'machinelearning', 'datasource/*'),
      ]);
    }
  });

  test("the Redshift role has the managed policy's actions that a VPC cluster needs, and none that change what CloudFormation declares", () => {
    // AmazonMachineLearningRoleforRedshiftDataSourceV3 (AWS managed policy reference) allows
    // ec2:AuthorizeSecurityGroupIngress, ec2:CreateSecurityGroup, ec2:DescribeInternetGateways,
    // ec2:DescribeSecurityGroups, ec2:RevokeSecurityGroupIngress, redshift:DescribeClusters,
    // redshift:ModifyCluster, the redshift cluster security group actions (EC2-Classic), and
    // s3:GetBucketLocation, GetBucketPolicy, GetObject, PutBucketPolicy, PutObject on
    // amazon-machine-learning* buckets only. The CreateDataSourceFromRedshift RoleARN reference
    // says Amazon ML uses the role to create a security group and a bucket policy: the app
    // declares the bucket policy (Storage stack) and the ingress target (the cluster's own
    // group), so the role may not write either; whether Amazon ML insists on writing them is
    // not documented, and if it does the datasource FAILS with its message.
    const actions = new Set(
      statementsOfRole(template, 'bankingredshiftAmazonMlRole').flatMap(actionsOf),
    );
    expect([...actions].sort()).toEqual([
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:DescribeInternetGateways',
      'ec2:DescribeSecurityGroups',
      'ec2:RevokeSecurityGroupIngress',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'redshift:DescribeClusters',
      's3:AbortMultipartUpload',
      's3:GetBucketLocation',
      's3:GetBucketPolicy',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
    ]);
    for (const forbidden of [
      's3:PutBucketPolicy',
      'ec2:CreateSecurityGroup',
      'redshift:ModifyCluster',
    ]) {
      expect(actions).not.toContain(forbidden);
    }
  });

  test('the default schemas say the staged exports have no header line', () => {
    // "Creating a Data Schema for Amazon ML" shows a CSV without a header line with
    // "dataFileContainsHeader": false; what Amazon ML's UNLOAD and RDS pipeline write is not
    // documented, so the handler checks the first staged line (see the handler tests).
    for (const resource of Object.values(dataSources)) {
      expect(JSON.parse(resource.Properties.DataSchema).dataFileContainsHeader).toBe(false);
    }
  });

  test.each([
    ['bankingredshiftAmazonMlRole', 'redshift/banking/'],
    ['bankingmysqlAmazonMlRole', 'rds/banking/'],
    ['DataPipelineRolesResourceRole', 'rds/banking/'],
  ])('S3 access of %s is scoped to the staging prefix %s', (role, prefix) => {
    const statements = statementsOfRole(template, role);
    const s3Statements = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    expect(s3Statements.length).toBeGreaterThan(0);
    for (const statement of s3Statements) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      const objectActions = actionsOf(statement).filter(
        (action) =>
          !['s3:ListBucket', 's3:GetBucketLocation', 's3:GetBucketPolicy'].includes(action),
      );
      if (objectActions.length > 0) {
        expect(statement.Resource).toEqual({
          'Fn::Join': ['', [expect.anything(), `/${prefix}*`]],
        });
      } else if (actionsOf(statement).includes('s3:ListBucket')) {
        expect(statement.Condition).toEqual({ StringLike: { 's3:prefix': [`${prefix}*`] } });
      }
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 's3:ListBucket', Resource: STAGING_BUCKET_ARN }),
        ]),
      },
    });
  });

  test('the staging key is usable only through S3', () => {
    const kmsStatements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')));
    expect(kmsStatements.length).toBeGreaterThanOrEqual(3);
    for (const statement of kmsStatements) {
      expect(statement.Condition).toEqual({
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
      });
    }
  });

  test('Amazon ML may pass only the two dedicated Data Pipeline roles', () => {
    const passRole = statementsOfRole(template, 'bankingmysqlAmazonMlRole').filter((statement) =>
      actionsOf(statement).includes('iam:PassRole'),
    );
    const roleArn = (prefix: string) => ({
      'Fn::GetAtt': [logicalIdOf(template, 'AWS::IAM::Role', prefix), 'Arn'],
    });
    expect(passRole).toEqual([
      {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: [
          roleArn('DataPipelineRolesResourceRole'),
          roleArn('DataPipelineRolesServiceRole'),
        ],
      },
    ]);
  });

  test('the pipeline security group may reach the database port, and the database admits it', () => {
    const pipelineGroup = logicalIdOf(
      template,
      'AWS::EC2::SecurityGroup',
      'bankingmysqlPipelineSecurityGroup',
    );
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 3306,
      ToPort: 3306,
      GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('MysqlSecurityGroup') },
      SourceSecurityGroupId: { 'Fn::GetAtt': [pipelineGroup, 'GroupId'] },
    });
    const group = template.findResources('AWS::EC2::SecurityGroup')[pipelineGroup];
    expect(group.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [pipelineGroup, 'GroupId'] },
      FromPort: 3306,
      DestinationSecurityGroupId: {
        'Fn::ImportValue': Match.stringLikeRegexp('MysqlSecurityGroup'),
      },
    });
  });

  test('the Sources stack does not refer back to this stack', () => {
    const sources = JSON.stringify(Template.fromStack(stacks.sources!).toJSON());
    expect(sources).not.toContain('ml-foundation-amazon-ml');
  });

  test('the dedicated Data Pipeline roles have generated names, so they collide with nothing', () => {
    // Amazon ML takes the roles by name: RDSDataSpec.ResourceRole and ServiceRole are strings
    // of 1 to 64 characters without a pattern (Amazon ML API model), and the Data Pipeline
    // guide ("IAM Roles for AWS Data Pipeline") allows roles other than the defaults. The
    // defaults exist only in accounts that used Data Pipeline before October 2022.
    const roles = template.findResources('AWS::IAM::Role');
    const pipelineRoles = Object.entries(roles).filter(([id]) =>
      id.startsWith('DataPipelineRoles'),
    );
    expect(pipelineRoles).toHaveLength(2);
    for (const [, role] of pipelineRoles) expect(role.Properties.RoleName).toBeUndefined();
    const resourceRole = logicalIdOf(template, 'AWS::IAM::Role', 'DataPipelineRolesResourceRole');
    template.hasResourceProperties('AWS::IAM::InstanceProfile', {
      InstanceProfileName: { Ref: resourceRole },
      Roles: [{ Ref: resourceRole }],
    });
    const rds = Object.values(dataSources).find((r) => r.Properties.Engine === 'rds')!;
    expect(rds.Properties.ResourceRole).toEqual({ Ref: resourceRole });
    expect(rds.Properties.ServiceRole).toEqual({
      Ref: logicalIdOf(template, 'AWS::IAM::Role', 'DataPipelineRolesServiceRole'),
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('DataPipelineDefault');
  });

  test('the resource role is trusted by EC2 and, as the RDS guide asks, by Amazon ML for this account', () => {
    const role =
      template.findResources('AWS::IAM::Role')[
        logicalIdOf(template, 'AWS::IAM::Role', 'DataPipelineRolesResourceRole')
      ];
    const statements = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'ec2.amazonaws.com' } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'machinelearning.amazonaws.com' },
        Condition: expect.objectContaining({
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        }),
      }),
    );
  });

  test('the service role may pass only the resource role and describe only the database', () => {
    const statements = statementsOfRole(template, 'DataPipelineRolesServiceRole');
    const resourceRole = logicalIdOf(template, 'AWS::IAM::Role', 'DataPipelineRolesResourceRole');
    expect(statements).toContainEqual({
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [resourceRole, 'Arn'] },
    });
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'rds:DescribeDBInstances',
        Resource: {
          'Fn::Join': ['', expect.arrayContaining([':db:ml-foundation-mysql'])],
        },
      }),
    );
  });

  test('an environment-agnostic stack stops deployment outside the Amazon ML Regions', () => {
    // AWS General Reference, "Amazon Machine Learning endpoints and quotas": only
    // machinelearning.us-east-1 and machinelearning.eu-west-1.
    const rules = template.toJSON().Rules;
    const [, rule] = Object.entries(rules).find(([id]) => id.startsWith('AmazonMlRegion'))!;
    expect(rule).toEqual({
      Assertions: [
        {
          Assert: { 'Fn::Contains': [['us-east-1', 'eu-west-1'], { Ref: 'AWS::Region' }] },
          AssertDescription:
            'features.amazonMl is on, but Amazon Machine Learning exists only in us-east-1 and eu-west-1 and this stack deploys to a Region outside that list: deploy to one of those Regions or set features.amazonMl to false.',
        },
      ],
    });
  });

  test('the handler may manage only datasources of the configured prefixes, and pass only their roles', () => {
    const onEvent = statementsOfRole(template, 'AmazonMlDataSourceProviderOnEventRole');
    const isComplete = statementsOfRole(template, 'AmazonMlDataSourceProviderIsCompleteRole');
    const mlActions = (statements: Statement[]) =>
      statements
        .filter((statement) => actionsOf(statement).some((a) => a.startsWith('machinelearning:')))
        .map((statement) => ({
          actions: actionsOf(statement),
          resources: [...JSON.stringify(statement.Resource).matchAll(/datasource\/[^"]+/g)].map(
            ([resource]) => resource,
          ),
        }));
    expect(mlActions(onEvent)).toEqual([
      {
        actions: [
          'machinelearning:CreateDataSourceFromRedshift',
          'machinelearning:DeleteDataSource',
          'machinelearning:GetDataSource',
        ],
        resources: ['datasource/banking-redshift-*'],
      },
      {
        actions: [
          'machinelearning:CreateDataSourceFromRDS',
          'machinelearning:DeleteDataSource',
          'machinelearning:GetDataSource',
        ],
        resources: ['datasource/banking-mysql-*'],
      },
    ]);
    expect(mlActions(isComplete)).toEqual([
      {
        actions: ['machinelearning:GetDataSource'],
        resources: ['datasource/banking-mysql-*', 'datasource/banking-redshift-*'],
      },
    ]);
    expect(onEvent).toContainEqual({
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Condition: { StringEquals: { 'iam:PassedToService': 'machinelearning.amazonaws.com' } },
      Resource: [
        {
          'Fn::GetAtt': [
            logicalIdOf(template, 'AWS::IAM::Role', 'bankingmysqlAmazonMlRole'),
            'Arn',
          ],
        },
        {
          'Fn::GetAtt': [
            logicalIdOf(template, 'AWS::IAM::Role', 'bankingredshiftAmazonMlRole'),
            'Arn',
          ],
        },
      ],
    });
    expect(isComplete.some((statement) => actionsOf(statement).includes('iam:PassRole'))).toBe(
      false,
    );
  });

  test('the isComplete handler reads and deletes under the staging prefixes only', () => {
    const isComplete = statementsOfRole(template, 'AmazonMlDataSourceProviderIsCompleteRole');
    const byPrefix: Record<string, string[]> = {};
    for (const statement of isComplete) {
      const objectActions = actionsOf(statement).filter((a) =>
        ['s3:GetObject', 's3:DeleteObject', 's3:PutObject'].includes(a),
      );
      if (objectActions.length === 0) continue;
      for (const [, prefix] of JSON.stringify(statement.Resource).matchAll(/"\/([^"*]*)\*"/g)) {
        byPrefix[prefix] = [...(byPrefix[prefix] ?? []), ...objectActions].sort();
      }
    }
    expect(byPrefix).toEqual({
      'redshift/banking/': ['s3:DeleteObject', 's3:GetObject'],
      'rds/banking/': ['s3:DeleteObject', 's3:GetObject'],
    });
  });

  test('one shared provider polls both datasources', () => {
    const handlers = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Handler,
    );
    expect(handlers.filter((handler) => handler === 'index.onEvent')).toHaveLength(1);
    expect(handlers.filter((handler) => handler === 'index.isComplete')).toHaveLength(1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const tokens = Object.values(dataSources).map((resource) => resource.Properties.ServiceToken);
    expect(new Set(tokens.map((token) => JSON.stringify(token))).size).toBe(1);
  });

  test('a datasource is created only after its role, policies and network rules', () => {
    const rds = Object.values(template.findResources(DATASOURCE_RESOURCE_TYPE)).find(
      (resource) => resource.Properties.Engine === 'rds',
    )!;
    const dependsOn = rds.DependsOn as string[];
    for (const prefix of [
      'bankingmysqlAmazonMlRole',
      'bankingmysqlAmazonMlRoleDefaultPolicy',
      'bankingmysqlDatabaseIngress',
      'bankingmysqlPipelineSecurityGroup',
      'DataPipelineRolesResourceRoleDefaultPolicy',
    ]) {
      expect(dependsOn.some((id) => id.startsWith(prefix))).toBe(true);
    }
  });

  test('exposes each datasource id as an output', () => {
    const outputs = template.findOutputs('*');
    expect(Object.values(outputs).map((output) => output.Value)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^bankingredshiftDataSource/), 'DataSourceId'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^bankingmysqlDataSource/), 'DataSourceId'] },
    ]);
  });

  test('the default queries shuffle: no warning', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('no plaintext password anywhere in the cloud assembly', () => {
    const assembly = app.synth();
    const files = fs
      .readdirSync(assembly.directory, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'));
    const references: string[] = [];
    const plaintext: string[] = [];
    const visit = (value: unknown, where: string): void => {
      if (Array.isArray(value)) return value.forEach((item, i) => visit(item, `${where}[${i}]`));
      if (typeof value !== 'object' || value === null) return;
      for (const [key, child] of Object.entries(value)) {
        const holdsPassword =
          /password/i.test(key) &&
          !/^(manage|generate|exclude|require)|length$/i.test(key) &&
          (typeof child === 'string' || typeof child === 'object');
        if (holdsPassword) {
          const isReference = JSON.stringify(child).includes('{{resolve:secretsmanager:');
          (isReference ? references : plaintext).push(`${where}.${key}`);
        }
        visit(child, `${where}.${key}`);
      }
    };
    for (const file of files) {
      visit(JSON.parse(fs.readFileSync(path.join(file.parentPath, file.name), 'utf8')), file.name);
    }
    expect(plaintext).toEqual([]);
    expect(references).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Sources\.template\.json\.Resources\.RedshiftCluster\w+\.Properties\.MasterUserPassword$/,
        ),
        expect.stringMatching(
          /^Sources\.template\.json\.Resources\.MysqlInstance\w+\.Properties\.MasterUserPassword$/,
        ),
      ]),
    );
    const properties = JSON.stringify(Object.values(dataSources).map((r) => r.Properties));
    expect(properties).not.toMatch(/password/i);
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(app, stack))).toBe('');
  });

  test('matches the reviewed snapshot', () => {
    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});

describe('AmazonMlStack with dataPipelineRoles "existing"', () => {
  const { app, stacks } = buildTestFoundation(
    { amazonMl: { dataPipelineRoles: 'existing' } },
    { nag: true },
  );
  const stack = stacks.amazonMl!;
  const template = Template.fromStack(stack);

  test('the account-wide roles are referenced by name, and only gain staging access', () => {
    const roleNames = Object.values(template.findResources('AWS::IAM::Role')).map(
      (role) => role.Properties.RoleName,
    );
    expect(roleNames).not.toContain('DataPipelineDefaultRole');
    expect(roleNames).not.toContain('DataPipelineDefaultResourceRole');
    template.resourceCountIs('AWS::IAM::InstanceProfile', 0);
    const attached = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('DataPipelineDefault'),
    );
    expect(attached.map((policy) => policy.Properties.Roles)).toEqual([
      ['DataPipelineDefaultResourceRole'],
    ]);
    const rds = Object.values(template.findResources(DATASOURCE_RESOURCE_TYPE)).find(
      (resource) => resource.Properties.Engine === 'rds',
    )!;
    expect(rds.Properties.ResourceRole).toBe('DataPipelineDefaultResourceRole');
    expect(rds.Properties.ServiceRole).toBe('DataPipelineDefaultRole');
  });

  test('an offline (environment-agnostic) synth looks nothing up', () => {
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(app, stack))).toBe('');
  });
});

describe('existing Data Pipeline roles in a known account', () => {
  const env = { account: '111122223333', region: 'us-east-1' };
  const lookupKey = (roleName: string) =>
    // The CLI's context key, with ":" in values quoted as "$:".
    `cc-api-provider:account=111122223333:exactIdentifier=${roleName}:propertiesToReturn.0=Arn:region=us-east-1:typeName=AWS$:$:IAM$:$:Role`;

  function synthWith(context: Record<string, unknown>) {
    const app = createTestApp({ context });
    buildFoundation(app, testConfig({ amazonMl: { dataPipelineRoles: 'existing' } }), env);
    return app;
  }

  test('asks the CLI to look both roles up, and still names them as configured', () => {
    const app = synthWith({});
    const missing = (app.synth().manifest.missing ?? []).map((entry) => entry.key);
    expect(missing).toEqual(
      expect.arrayContaining([
        lookupKey('DataPipelineDefaultRole'),
        lookupKey('DataPipelineDefaultResourceRole'),
      ]),
    );
    const amazonMl = app.node.findChild('AmazonMl') as Stack;
    expect(JSON.stringify(Template.fromStack(amazonMl).toJSON())).not.toContain('DUMMY');
  });

  test('a role the lookup did not find fails the synth with a plain sentence, before anything deploys', () => {
    // What the CDK CLI stores when a context lookup fails ($providerError), and aws-cdk-lib's
    // ContextProvider.getValue turns into an error on the construct.
    const app = synthWith({
      [lookupKey('DataPipelineDefaultRole')]: {
        $providerError:
          'Encountered CC API error while getting AWS::IAM::Role resource DataPipelineDefaultRole: ResourceNotFoundException',
      },
    });
    expect(() => app.synth()).toThrow(
      /The IAM role DataPipelineDefaultRole could not be looked up in account 111122223333 \(it does not exist, or the lookup was refused\): amazonMl\.dataPipelineRoles is "existing", .*set it to "dedicated"/,
    );
  });

  test('roles the lookup found synthesize', () => {
    const found = (name: string) => [{ Arn: `arn:aws:iam::111122223333:role/${name}` }];
    const app = synthWith({
      [lookupKey('DataPipelineDefaultRole')]: found('DataPipelineDefaultRole'),
      [lookupKey('DataPipelineDefaultResourceRole')]: found('DataPipelineDefaultResourceRole'),
    });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('Amazon ML Regions', () => {
  const inRegion = (region: string) => buildTestFoundationIn(region, { features: { edge: false } });

  test('a Region without Amazon ML fails the synth with one sentence naming the switch and the Regions', () => {
    // AWS General Reference, "Amazon Machine Learning endpoints and quotas".
    expect(() => inRegion('ap-northeast-1').synth()).toThrow(
      'features.amazonMl is on, but Amazon Machine Learning exists only in us-east-1 and eu-west-1 and this stack deploys to ap-northeast-1: deploy to one of those Regions or set features.amazonMl to false.',
    );
  });

  test.each(['us-east-1', 'eu-west-1'])('%s synthesizes without a Region rule', (region) => {
    const app = inRegion(region);
    const template = Template.fromStack(app.node.findChild('AmazonMl') as Stack);
    expect(Object.keys(template.toJSON().Rules ?? {})).not.toContainEqual(
      expect.stringMatching(/^AmazonMlRegion/),
    );
  });
});

describe('a training datasource and its complement', () => {
  const { app, stacks } = buildTestFoundation(
    {
      amazonMl: {
        datasources: [
          {
            id: 'banking-train',
            source: 'redshift',
            dataset: 'banking',
            stagingPrefix: 'redshift/banking/',
            targetAttribute: 'y',
            dataRearrangement: { percentBegin: 0, percentEnd: 70, strategy: 'random' },
          },
        ],
        complements: [
          { id: 'banking-evaluate', name: 'Banking, evaluation', complementOf: 'banking-train' },
        ],
      },
    },
    { nag: true },
  );
  const stack = stacks.amazonMl!;
  const template = Template.fromStack(stack);
  const resources = Object.entries(template.findResources(DATASOURCE_RESOURCE_TYPE));
  const [trainId, train] = resources.find(([, r]) => r.Properties.Engine === 'redshift')!;
  const [, evaluate] = resources.find(([, r]) => r.Properties.Engine === 's3')!;

  test('the training datasource reads 0-70 %, seeded with its id by default', () => {
    // API reference, DataRearrangement: strategy "random" with a randomSeed string.
    expect(JSON.parse(train.Properties.DataRearrangement)).toEqual({
      splitting: {
        percentBegin: 0,
        percentEnd: 70,
        strategy: 'random',
        randomSeed: 'banking-train',
      },
    });
  });

  test("the complement reads the other rows of the training datasource's staged data, with its schema", () => {
    // API reference, DataRearrangement: "use the same values for percentBegin and percentEnd,
    // along with the complement parameter". Amazon ML seeds a random split with the seed and
    // each row's byte offset, so the pair is complementary only over the same bytes: the
    // complement reads the training datasource's staged export (CreateDataSourceFromS3).
    expect(evaluate.Properties).toEqual({
      ServiceToken: train.Properties.ServiceToken,
      Engine: 's3',
      DataSourceIdPrefix: 'banking-evaluate',
      DataSourceName: 'Banking, evaluation',
      ComputeStatistics: true,
      OriginDataSourceId: { 'Fn::GetAtt': [trainId, 'DataSourceId'] },
      DataSchema: train.Properties.DataSchema,
      DataRearrangement: JSON.stringify({
        splitting: {
          percentBegin: 0,
          percentEnd: 70,
          strategy: 'random',
          randomSeed: 'banking-train',
          complement: 'true',
        },
      }),
    });
  });

  test('the handler may create the complement from S3 and read where the training data is staged', () => {
    const onEvent = statementsOfRole(template, 'AmazonMlDataSourceProviderOnEventRole');
    const ml = onEvent
      .filter((statement) => actionsOf(statement).some((a) => a.startsWith('machinelearning:')))
      .map((statement) => ({
        actions: actionsOf(statement),
        resources: [...JSON.stringify(statement.Resource).matchAll(/datasource\/[^"]+/g)].map(
          ([resource]) => resource,
        ),
      }));
    expect(ml).toContainEqual({
      actions: [
        'machinelearning:CreateDataSourceFromS3',
        'machinelearning:DeleteDataSource',
        'machinelearning:GetDataSource',
      ],
      resources: ['datasource/banking-evaluate-*'],
    });
    expect(ml).toContainEqual({
      actions: expect.arrayContaining(['machinelearning:GetDataSource']),
      resources: ['datasource/banking-train-*'],
    });
  });

  test('outputs both datasource ids', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'bankingevaluateid',
      'bankingtrainid',
    ]);
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(app, stack))).toBe('');
  });
});

describe('the app without Amazon ML', () => {
  test('has no Amazon ML stack, and no sources stack unless replication needs it', () => {
    const withReplication = buildTestFoundation({ features: { amazonMl: false, edge: false } });
    expect(withReplication.stacks.amazonMl).toBeUndefined();
    expect(withReplication.stacks.sources).toBeDefined();
    const neither = buildTestFoundation({
      features: { amazonMl: false, replication: false, governance: false, edge: false },
    });
    expect(neither.stacks.sources).toBeUndefined();
    expect(neither.stacks.all.map((stack) => stack.stackName)).toEqual(['ml-foundation-storage']);
  });
});
