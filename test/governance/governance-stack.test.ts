import type { App } from 'aws-cdk-lib';
import { CliCredentialsStackSynthesizer } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BANKING_PERSONAL_COLUMNS } from '../../lib/governance/config';
import { GOVERNANCE_STAGES } from '../../lib/governance/dependency-chain';
import type { GovernanceStage } from '../../lib/governance/dependency-chain';
import { GovernanceStack } from '../../lib/governance/governance-stack';
import { stableTemplate } from '../support/stable-template';
import { storageStackOf } from '../support/stacks';
import type { Json, TemplateResource } from '../support/template-resources';
import { allResources, logicalIdOf, resourcesOf } from '../support/template-resources';
import { createTestApp, describeFindings, nagFindings, testConfig } from '../support/test-app';
import { buildGovernance, FixtureCatalogStack } from './fixture';

const { app, governance, catalog, storage } = buildGovernance();
const template = Template.fromStack(governance);
const resources = allResources(template);
const resourceById = new Map(resources.map((resource) => [resource.id, resource]));
const ofType = (type: string) => resourcesOf(template, type);

/** The stage a Lake Formation resource belongs to, read from the template alone. */
function stageOf(resource: TemplateResource): GovernanceStage | undefined {
  switch (resource.Type) {
    case 'Custom::DataLakeAdmin':
    case 'Custom::DataLakeDefaultPermissions':
      return 'settings';
    case 'AWS::LakeFormation::Resource':
      return 'location';
    case 'AWS::LakeFormation::PrincipalPermissions':
      return resource.Properties.Resource.LFTagPolicy ? 'grants' : 'database-permissions';
    case 'AWS::LakeFormation::Tag':
      return 'tags';
    case 'AWS::LakeFormation::TagAssociation':
      return 'associations';
    case 'Custom::IamAllowedPrincipalsRevocation':
      return 'handover';
    default:
      return undefined;
  }
}

/** A catalog with one table of the given columns (default: a single id column). */
function oneTableCatalog(scope: App, table: string, columns = ['id']): FixtureCatalogStack {
  return new FixtureCatalogStack(scope, 'Catalog', {
    databaseName: 'ml_foundation',
    workgroupName: 'ml-foundation',
    tables: new Map([[table, columns]]),
  });
}

const tagIdByKey = new Map(
  ofType('AWS::LakeFormation::Tag').map((tag) => [tag.Properties.TagKey as string, tag.id]),
);

describe('GovernanceStack', () => {
  test('every Lake Formation resource is in one chain: settings, location, database permissions, tags, associations, grants, handover', () => {
    const chain = governance.chain.members.map(({ stage, resource }) => ({
      stage,
      id: governance.getLogicalId(resource),
    }));
    const governed = resources.filter((resource) => stageOf(resource) !== undefined);
    expect(chain.map((link) => link.id).sort()).toEqual(governed.map(({ id }) => id).sort());

    chain.forEach((link, index) => {
      const resource = resourceById.get(link.id)!;
      expect(stageOf(resource)).toBe(link.stage);
      if (index === 0) expect(resource.DependsOn ?? []).toEqual([]);
      else expect(resource.DependsOn).toContain(chain[index - 1].id);
    });
    const stages = [...new Set(chain.map((link) => link.stage))];
    expect(stages).toEqual(GOVERNANCE_STAGES);
    expect(chain[0].id).toMatch(/^DataLakeSettingsDeploymentRoleAdmin/);
  });

  test('every tag association and every grant depends on each tag it uses', () => {
    const users = [
      ...ofType('AWS::LakeFormation::TagAssociation').map((r) => ({
        id: r.id,
        keys: r.Properties.LFTags.map((tag: { TagKey: string }) => tag.TagKey),
        dependsOn: r.DependsOn,
      })),
      ...ofType('AWS::LakeFormation::PrincipalPermissions')
        .filter((r) => r.Properties.Resource.LFTagPolicy)
        .map((r) => ({
          id: r.id,
          keys: r.Properties.Resource.LFTagPolicy.Expression.map(
            (term: { TagKey: string }) => term.TagKey,
          ),
          dependsOn: r.DependsOn,
        })),
    ];
    expect(users).toHaveLength(9 + 6);
    for (const user of users) {
      for (const key of user.keys) expect(user.dependsOn).toContain(tagIdByKey.get(key));
    }
  });

  test('the role tag is declared with its values', () => {
    template.hasResourceProperties('AWS::LakeFormation::Tag', {
      CatalogId: { Ref: 'AWS::AccountId' },
      TagKey: 'role',
      TagValues: ['leader', 'analyst'],
    });
  });

  test('the database and the table are tagged for analysts, the personal columns for leaders', () => {
    const associations = ofType('AWS::LakeFormation::TagAssociation').map((r) => r.Properties);
    const valueOn = (match: (resource: Json) => boolean) =>
      associations.filter((a) => match(a.Resource)).map((a) => a.LFTags[0].TagValues[0]);
    expect(valueOn((r) => r.Database?.Name === 'ml_foundation')).toEqual(['analyst']);
    expect(valueOn((r) => r.Table?.Name === 'banking')).toEqual(['analyst']);
    const columns = associations.filter((a) => a.Resource.TableWithColumns);
    expect(columns.flatMap((a) => a.Resource.TableWithColumns.ColumnNames)).toEqual(
      BANKING_PERSONAL_COLUMNS,
    );
    expect(new Set(columns.map((a) => a.LFTags[0].TagValues[0]))).toEqual(new Set(['leader']));
  });

  test('column associations name real columns of the catalog table', () => {
    const catalogTables = Template.fromStack(catalog).findResources('AWS::Glue::Table');
    const realColumns = new Map(
      Object.values(catalogTables).map((table) => [
        table.Properties.TableInput.Name as string,
        table.Properties.TableInput.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name),
      ]),
    );
    const columnAssociations = ofType('AWS::LakeFormation::TagAssociation').filter(
      (r) => r.Properties.Resource.TableWithColumns,
    );
    expect(columnAssociations.length).toBeGreaterThan(0);
    for (const association of columnAssociations) {
      const { Name, DatabaseName, ColumnNames } = association.Properties.Resource.TableWithColumns;
      expect(DatabaseName).toBe(catalog.databaseName);
      for (const column of ColumnNames) expect(realColumns.get(Name)).toContain(column);
    }
  });

  test('analysts get DESCRIBE on databases and SELECT on tables tagged analyst; leaders on leader or analyst', () => {
    const grants = ofType('AWS::LakeFormation::PrincipalPermissions')
      .filter((r) => r.Properties.Resource.LFTagPolicy)
      .map((r) => ({
        principal: r.Properties.Principal.DataLakePrincipalIdentifier['Fn::GetAtt'][0] as string,
        type: r.Properties.Resource.LFTagPolicy.ResourceType,
        values: r.Properties.Resource.LFTagPolicy.Expression[0].TagValues,
        permissions: r.Properties.Permissions,
        withGrant: r.Properties.PermissionsWithGrantOption,
      }));
    const analyst = logicalIdOf(governance.personas.analyst);
    const leader = logicalIdOf(governance.personas.projectLeader);
    expect(grants).toEqual([
      {
        principal: analyst,
        type: 'DATABASE',
        values: ['analyst'],
        permissions: ['DESCRIBE'],
        withGrant: [],
      },
      {
        principal: analyst,
        type: 'TABLE',
        values: ['analyst'],
        permissions: ['SELECT'],
        withGrant: [],
      },
      {
        principal: analyst,
        type: 'TABLE',
        values: ['analyst'],
        permissions: ['DESCRIBE'],
        withGrant: [],
      },
      {
        principal: leader,
        type: 'DATABASE',
        values: ['leader', 'analyst'],
        permissions: ['DESCRIBE'],
        withGrant: [],
      },
      {
        principal: leader,
        type: 'TABLE',
        values: ['leader', 'analyst'],
        permissions: ['SELECT'],
        withGrant: [],
      },
      {
        principal: leader,
        type: 'TABLE',
        values: ['leader', 'analyst'],
        permissions: ['DESCRIBE'],
        withGrant: [],
      },
    ]);
  });

  test('the admins are the deployment role, the data lake admin persona and the handler, and none of them is granted anything', () => {
    const admins = ofType('Custom::DataLakeAdmin').map((r) => r.Properties.Principal);
    expect(admins).toEqual([
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}',
      },
      { 'Fn::GetAtt': [logicalIdOf(governance.personas.dataLakeAdmin), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^LakeFormationProviderOnEventRole/), 'Arn'] },
    ]);
    const grantees = ofType('AWS::LakeFormation::PrincipalPermissions').map(
      (r) => r.Properties.Principal.DataLakePrincipalIdentifier,
    );
    expect(grantees).toHaveLength(3 + 6);
    for (const grantee of grantees) {
      for (const admin of admins) expect(grantee).not.toEqual(admin);
    }
  });

  test('the settings resource makes new databases and tables Lake Formation-governed', () => {
    template.resourceCountIs('Custom::DataLakeDefaultPermissions', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: [
              'lakeformation:GetDataLakeSettings',
              'lakeformation:GrantPermissions',
              'lakeformation:ListPermissions',
              'lakeformation:PutDataLakeSettings',
              'lakeformation:RevokePermissions',
            ],
            Resource: '*',
          }),
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^LakeFormationProviderOnEventRole') }],
    });
  });

  test('the data lake bucket is registered with a dedicated role that can use the KMS key', () => {
    const bucketArn = { 'Fn::ImportValue': Match.stringLikeRegexp('DataLakeBucket') };
    template.hasResourceProperties('AWS::LakeFormation::Resource', {
      ResourceArn: bucketArn,
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataLakeLocationRole'), 'Arn'] },
      UseServiceLinkedRole: false,
      HybridAccessEnabled: false,
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: ['sts:AssumeRole', 'sts:SetContext'],
            Effect: 'Allow',
            Principal: { Service: 'lakeformation.amazonaws.com' },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'location',
          PolicyDocument: {
            Statement: [
              {
                Action: ['s3:GetBucketLocation', 's3:ListBucket'],
                Effect: 'Allow',
                Resource: bucketArn,
              },
              {
                Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
                Effect: 'Allow',
                Resource: { 'Fn::Join': ['', [bucketArn, '/*']] },
              },
              {
                Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
                Condition: {
                  StringEquals: {
                    'kms:ViaService': {
                      'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
                    },
                  },
                },
                Effect: 'Allow',
                Resource: { 'Fn::ImportValue': Match.stringLikeRegexp('DataKey') },
              },
            ],
          },
        },
      ],
    });
  });

  test('the crawler may read the location, create and alter tables, and ask for data access', () => {
    const crawler = { 'Fn::ImportValue': Match.stringLikeRegexp('CrawlerRole') };
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: crawler },
      Resource: {
        DataLocation: {
          ResourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('DataLakeBucket') },
        },
      },
      Permissions: ['DATA_LOCATION_ACCESS'],
      PermissionsWithGrantOption: [],
    });
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: crawler },
      Resource: { Database: { Name: 'ml_foundation' } },
      Permissions: ['CREATE_TABLE', 'DESCRIBE', 'ALTER'],
    });
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: crawler },
      Resource: { Table: { DatabaseName: 'ml_foundation', TableWildcard: {} } },
      Permissions: ['ALTER', 'DESCRIBE', 'SELECT'],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Action: 'lakeformation:GetDataAccess', Effect: 'Allow', Resource: '*' }],
      },
      Roles: [{ 'Fn::ImportValue': Match.stringLikeRegexp('CrawlerRole') }],
    });
  });

  test('the declared database and tables are taken from IAM_ALLOWED_PRINCIPALS', () => {
    expect(ofType('Custom::IamAllowedPrincipalsRevocation').map((r) => r.Properties)).toEqual([
      { ServiceToken: expect.anything(), DatabaseName: 'ml_foundation' },
      { ServiceToken: expect.anything(), DatabaseName: 'ml_foundation', TableName: 'banking' },
    ]);
  });

  describe('personas', () => {
    const roles = template.findResources('AWS::IAM::Role');
    const policies = template.findResources('AWS::IAM::Policy');
    const personaIds = [
      governance.personas.dataLakeAdmin,
      governance.personas.analyst,
      governance.personas.projectLeader,
    ].map(logicalIdOf);
    /** Every statement that applies to a role: its inline policies and attached policies. */
    const statementsOf = (roleId: string): Json[] => [
      ...(roles[roleId].Properties.Policies ?? []).flatMap((p: Json) => p.PolicyDocument.Statement),
      ...Object.values(policies)
        .filter((p) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
        .flatMap((p) => p.Properties.PolicyDocument.Statement),
    ];
    const asList = (value: unknown) => (Array.isArray(value) ? value : [value]);
    const mentions = (statement: Json, text: string) =>
      JSON.stringify(statement.Resource).includes(text);

    test('each persona is assumable by its configured principals', () => {
      for (const id of personaIds) {
        expect(roles[id].Properties.AssumeRolePolicyDocument.Statement).toEqual([
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: {
              AWS: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
                ],
              },
            },
          },
        ]);
      }
    });

    test('no persona can read the data lake bucket outside Lake Formation', () => {
      for (const id of personaIds) {
        const statements = statementsOf(id);
        expect(statements.length).toBeGreaterThan(0);
        for (const statement of statements) {
          expect(mentions(statement, 'DataLakeBucket')).toBe(false);
          for (const action of asList(statement.Action)) {
            if (action.startsWith('s3:'))
              expect(mentions(statement, 'AthenaResultsBucket')).toBe(true);
            expect(action).not.toMatch(/^(s3:\*|iam:|kms:\*|lakeformation:PutDataLakeSettings)/);
          }
        }
      }
    });

    test('analysts and project leaders may query in the workgroup and write results only to the results bucket', () => {
      for (const id of personaIds.slice(1)) {
        const statements = statementsOf(id);
        const athena = statements.filter((s) =>
          asList(s.Action).some((a: string) => a.startsWith('athena:Start')),
        );
        expect(athena).toHaveLength(1);
        expect(athena[0].Resource).toEqual({
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':athena:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':workgroup/ml-foundation',
            ],
          ],
        });
        const writes = statements.filter((s) => asList(s.Action).includes('s3:PutObject'));
        expect(writes).toHaveLength(1);
        expect(writes[0].Resource).toEqual({
          'Fn::Join': [
            '',
            [{ 'Fn::ImportValue': expect.stringMatching(/AthenaResultsBucket/) }, '/*'],
          ],
        });
        expect(statements).toContainEqual(
          expect.objectContaining({ Action: 'lakeformation:GetDataAccess', Resource: '*' }),
        );
        const kms = statements.find((s) => asList(s.Action).includes('kms:Decrypt'))!;
        expect(kms.Condition.StringEquals['kms:ViaService']).toEqual({
          'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
        });
        expect(JSON.stringify(kms.Condition.StringLike)).toMatch(/AthenaResultsBucket/);
        expect(JSON.stringify(kms.Condition.StringLike)).not.toMatch(/DataLakeBucket/);
        const glueRead = statements.find((s) => asList(s.Action).includes('glue:GetTable'))!;
        expect(JSON.stringify(glueRead.Resource)).toContain(':table/ml_foundation/*');
        for (const action of statements.flatMap((s) => asList(s.Action))) {
          expect(action).toMatch(
            /^(athena|glue):(Get|List|Start|Stop|Batch)|^lakeformation:GetDataAccess$|^s3:|^kms:(Decrypt|GenerateDataKey)$/,
          );
        }
      }
    });

    test('the data lake admin persona reviews Lake Formation and the catalog, and changes nothing', () => {
      const actions = statementsOf(personaIds[0]).flatMap((s) => asList(s.Action));
      expect(actions).toEqual(
        expect.arrayContaining(['lakeformation:Get*', 'lakeformation:List*']),
      );
      for (const action of actions)
        expect(action).toMatch(/^(lakeformation|glue):(Get|List|Describe|Search)/);
    });

    test('the persona role ARNs are stack outputs', () => {
      expect(Object.keys(template.toJSON().Outputs)).toEqual(
        expect.arrayContaining(['DataLakeAdminRoleArn', 'AnalystRoleArn', 'ProjectLeaderRoleArn']),
      );
    });
  });

  test('a configured deployment role replaces the bootstrap execution role as admin', () => {
    const arn = 'arn:aws:iam::111122223333:role/Deployer';
    const custom = buildGovernance({ governance: { deploymentRoleArn: arn } });
    Template.fromStack(custom.governance).hasResourceProperties('Custom::DataLakeAdmin', {
      Principal: arn,
    });
  });

  describe('bad inputs fail synth with the construct path', () => {
    test('a synthesizer without an execution role needs governance.deploymentRoleArn', () => {
      const config = testConfig();
      const bare = createTestApp();
      const bareStorage = storageStackOf(bare, config);
      const bareCatalog = oneTableCatalog(bare, 'banking');
      new GovernanceStack(bare, 'Governance', {
        governance: config.governance,
        storage: bareStorage,
        catalog: bareCatalog,
        synthesizer: new CliCredentialsStackSynthesizer(),
      });
      expect(() => bare.synth()).toThrow(
        /\[Governance\] governance\.deploymentRoleArn is required/,
      );
    });

    test('a catalog without a configured table, or without a configured column, is refused', () => {
      const config = testConfig();
      const bare = createTestApp();
      const bareStorage = storageStackOf(bare, config);
      new GovernanceStack(bare, 'Governance', {
        governance: config.governance,
        storage: bareStorage,
        catalog: oneTableCatalog(bare, 'other'),
      });
      expect(() => bare.synth()).toThrow(
        /\[Governance\/LfTags\] the catalog declares no table "banking" to tag/,
      );

      const narrow = createTestApp();
      const narrowStorage = storageStackOf(narrow, config);
      new GovernanceStack(narrow, 'Governance', {
        governance: config.governance,
        storage: narrowStorage,
        catalog: oneTableCatalog(narrow, 'banking', ['id', 'age']),
      });
      expect(() => narrow.synth()).toThrow(/table "banking" has no column "job" to tag/);
    });
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(app, governance))).toBe('');
  });

  test('matches the reviewed snapshot', () => {
    expect(stableTemplate(governance)).toMatchSnapshot();
  });

  test('depends on the storage and catalog stacks', () => {
    expect(governance.dependencies).toEqual(expect.arrayContaining([storage, catalog]));
  });
});
