import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DATASOURCE_RESOURCE_TYPE } from '../../lib/amazon-ml/handler/datasource-properties';
import { stableTemplate } from '../support/stable-template';
import { buildTestFoundation, describeFindings, nagFindings } from '../support/test-app';

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
  const { app, stacks } = buildTestFoundation();
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

  test('the Amazon ML roles trust Amazon ML for this account and these datasources only', () => {
    for (const prefix of ['banking-redshift', 'banking-mysql']) {
      const roleId = logicalIdOf(
        template,
        'AWS::IAM::Role',
        `${prefix.replace('-', '')}AmazonMlRole`,
      );
      const role = template.findResources('AWS::IAM::Role')[roleId];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'machinelearning.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: {
              'aws:SourceArn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':machinelearning:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    `:datasource/${prefix}-*`,
                  ],
                ],
              },
            },
          },
        },
      ]);
    }
  });

  test.each([
    ['bankingredshiftAmazonMlRole', 'redshift/banking/'],
    ['bankingmysqlAmazonMlRole', 'rds/banking/'],
    ['DataPipelineRolesResourceRole', 'rds/banking/'],
  ])('S3 access of %s is scoped to the staging prefix %s', (role, prefix) => {
    const statements =
      role === 'DataPipelineRolesResourceRole'
        ? Object.values(template.findResources('AWS::IAM::Policy'))
            .filter((policy) =>
              (policy.Properties.Roles as unknown[]).includes('DataPipelineDefaultResourceRole'),
            )
            .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
        : statementsOfRole(template, role);
    const s3Statements = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    expect(s3Statements.length).toBeGreaterThan(0);
    for (const statement of s3Statements) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      const objectActions = actionsOf(statement).filter(
        (action) => !['s3:ListBucket', 's3:GetBucketLocation'].includes(action),
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
    expect(kmsStatements.length).toBe(3);
    for (const statement of kmsStatements) {
      expect(statement.Condition).toEqual({
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
      });
    }
  });

  test('Amazon ML may pass only the two Data Pipeline roles', () => {
    const passRole = statementsOfRole(template, 'bankingmysqlAmazonMlRole').filter((statement) =>
      actionsOf(statement).includes('iam:PassRole'),
    );
    const roleArn = (name: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:role/${name}`],
      ],
    });
    expect(passRole).toEqual([
      {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: [roleArn('DataPipelineDefaultResourceRole'), roleArn('DataPipelineDefaultRole')],
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

  test('existing Data Pipeline roles are referenced by name, and only gain staging access', () => {
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
      'DataPipelineRolesResourceRolePolicy',
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

describe('AmazonMlStack with dataPipelineRoles "create"', () => {
  const { app, stacks } = buildTestFoundation({ amazonMl: { dataPipelineRoles: 'create' } });
  const stack = stacks.amazonMl!;
  const template = Template.fromStack(stack);

  test('creates the two conventional roles and the instance profile', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'DataPipelineDefaultRole',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: {
              Service: ['datapipeline.amazonaws.com', 'elasticmapreduce.amazonaws.com'],
            },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'DataPipelineDefaultResourceRole',
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })],
      },
    });
    template.hasResourceProperties('AWS::IAM::InstanceProfile', {
      InstanceProfileName: 'DataPipelineDefaultResourceRole',
      Roles: [{ Ref: logicalIdOf(template, 'AWS::IAM::Role', 'DataPipelineRolesResourceRole') }],
    });
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

  test('the RDS datasource names the roles it depends on', () => {
    const rds = Object.values(template.findResources(DATASOURCE_RESOURCE_TYPE)).find(
      (resource) => resource.Properties.Engine === 'rds',
    )!;
    expect(rds.Properties.ResourceRole).toEqual({
      Ref: logicalIdOf(template, 'AWS::IAM::Role', 'DataPipelineRolesResourceRole'),
    });
    expect(rds.Properties.ServiceRole).toEqual({
      Ref: logicalIdOf(template, 'AWS::IAM::Role', 'DataPipelineRolesServiceRole'),
    });
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
