import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BANKING_DATASET } from '../../lib/config/dataset';
import { BANKING_ANALYST_COLUMNS, BANKING_PERSONAL_COLUMNS } from '../../lib/governance/config';
import { GOVERNANCE_STAGES } from '../../lib/governance/dependency-chain';
import type { GovernanceStage } from '../../lib/governance/dependency-chain';
import { GovernanceStack } from '../../lib/governance/governance-stack';
import { regionalArn } from '../support/iam';
import { stableTemplate } from '../support/stable-template';
import { storageStackOf } from '../support/stacks';
import type { Json, TemplateResource } from '../support/template-resources';
import { allResources, logicalIdOf, resourcesOf } from '../support/template-resources';
import {
  buildTestFoundation,
  createTestApp,
  describeFindings,
  nagFindings,
  testConfig,
} from '../support/test-app';
import { buildGovernance, FixtureCatalogStack, queryWorkgroupsOf } from './fixture';

const { app, governance, catalog, storage } = buildGovernance({}, { nag: true });
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
    case 'Custom::LakeFormationGrantLedger':
      return 'ledger';
    case 'AWS::Glue::Trigger':
      return 'schedule';
    case 'AWS::LakeFormation::Resource':
      return 'location';
    case 'AWS::LakeFormation::PrincipalPermissions':
      return JSON.stringify(resource.Properties.Principal).includes('CrawlerRole')
        ? 'database-permissions'
        : 'grants';
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
    queryWorkgroups: queryWorkgroupsOf(testConfig()),
    tables: new Map([[table, columns]]),
  });
}

/** The scope in the environment of the stack's Lake Formation handler, as the template holds it. */
function providerScope(of: Template): Json {
  const [fn] = resourcesOf(of, 'AWS::Lambda::Function').filter((f) =>
    JSON.stringify(f.Properties.Role).includes('LakeFormationProviderOnEventRole'),
  );
  const value = fn.Properties.Environment.Variables.LAKE_FORMATION_SCOPE;
  if (typeof value === 'string') return JSON.parse(value);
  // Fn::Join of JSON text and references: put the references back as objects.
  const parts: unknown[] = value['Fn::Join'][1];
  const refs: unknown[] = [];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      refs.push(part);
      return `@@${refs.length - 1}@@`;
    })
    .join('');
  return JSON.parse(text, (_key, v) => {
    const match = typeof v === 'string' ? /^@@(\d+)@@$/.exec(v) : null;
    return match ? refs[Number(match[1])] : v;
  });
}

const tagIdByKey = new Map(
  ofType('AWS::LakeFormation::Tag').map((tag) => [tag.Properties.TagKey as string, tag.id]),
);

describe('GovernanceStack', () => {
  test('every Lake Formation resource is in one chain: settings, location, ledger, database permissions, tags, associations, grants, handover', () => {
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
    // The fixture catalog has no crawlers, so no schedule.
    expect(stages).toEqual(GOVERNANCE_STAGES.filter((stage) => stage !== 'schedule'));
    expect(chain[0].id).toMatch(/^DataLakeSettingsDataLakeAdminPersonaAdmin/);
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
    // The database, the table, its dataset columns and 5 history columns; two tag grants.
    expect(users).toHaveLength(2 + BANKING_DATASET.columns.length + 5 + 2);
    for (const user of users) {
      for (const key of user.keys) expect(user.dependsOn).toContain(tagIdByKey.get(key));
    }
  });

  test('the role tag is declared with its values', () => {
    template.hasResourceProperties('AWS::LakeFormation::Tag', {
      CatalogId: { Ref: 'AWS::AccountId' },
      TagKey: 'role',
      TagValues: ['leader', 'analyst', 'unclassified'],
    });
  });

  // LF "Assigning LF-Tags to Data Catalog resources": tables inherit the database's tags and
  // columns their table's, a value of the same key overriding; LF best practices: "You can't
  // assign LF-Tags to resources when you create the resource". So whatever a crawler adds later
  // carries what it inherits: the database and the table are tagged with the value nobody is
  // granted, and every known column is tagged explicitly.
  test('the database and the table are unclassified; each known column is tagged explicitly', () => {
    const associations = ofType('AWS::LakeFormation::TagAssociation').map((r) => r.Properties);
    const valueOn = (match: (resource: Json) => boolean) =>
      associations.filter((a) => match(a.Resource)).map((a) => a.LFTags[0].TagValues[0]);
    expect(valueOn((r) => r.Database?.Name === 'ml_foundation')).toEqual(['unclassified']);
    expect(valueOn((r) => r.Table?.Name === 'banking')).toEqual(['unclassified']);
    const columnValue = new Map<string, string>(
      associations
        .filter((a) => a.Resource.TableWithColumns)
        .map((a) => {
          expect(a.Resource.TableWithColumns.ColumnNames).toHaveLength(1);
          return [a.Resource.TableWithColumns.ColumnNames[0], a.LFTags[0].TagValues[0]];
        }),
    );
    const tagged = (value: string) =>
      [...columnValue].filter(([, v]) => v === value).map(([column]) => column);
    expect(tagged('leader')).toEqual(BANKING_PERSONAL_COLUMNS);
    expect(tagged('analyst')).toEqual([
      ...BANKING_ANALYST_COLUMNS,
      'op',
      'commit_ts',
      'change_seq',
      'generation',
      'bi_id',
    ]);
  });

  test('history columns that the Glue table does not declare are not tagged', () => {
    const config = testConfig();
    const partial = createTestApp();
    new GovernanceStack(partial, 'Governance', {
      governance: config.governance,
      storage: storageStackOf(partial, config),
      catalog: oneTableCatalog(partial, 'banking', [
        ...BANKING_ANALYST_COLUMNS,
        ...BANKING_PERSONAL_COLUMNS,
        'op',
      ]),
      historyColumns: new Map([['banking', ['op', 'commit_ts']]]),
    });
    const columns = resourcesOf(
      Template.fromStack(partial.node.findChild('Governance') as GovernanceStack),
      'AWS::LakeFormation::TagAssociation',
    ).flatMap((r) => r.Properties.Resource.TableWithColumns?.ColumnNames ?? []);
    expect(columns).toContain('op');
    expect(columns).not.toContain('commit_ts');
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

  test('each persona gets DESCRIBE on the database by name, and one grant per tag expression holding every permission', () => {
    const grants = ofType('AWS::LakeFormation::PrincipalPermissions')
      .filter((r) => !JSON.stringify(r.Properties.Principal).includes('CrawlerRole'))
      .map((r) => ({
        principal: r.Properties.Principal.DataLakePrincipalIdentifier['Fn::GetAtt'][0] as string,
        resource: r.Properties.Resource,
        permissions: r.Properties.Permissions,
        withGrant: r.Properties.PermissionsWithGrantOption,
      }));
    const analyst = logicalIdOf(governance.personas.analyst);
    const leader = logicalIdOf(governance.personas.projectLeader);
    const database = { Database: { CatalogId: { Ref: 'AWS::AccountId' }, Name: 'ml_foundation' } };
    const tagPolicy = (values: string[]) => ({
      LFTagPolicy: {
        CatalogId: { Ref: 'AWS::AccountId' },
        ResourceType: 'TABLE',
        Expression: [{ TagKey: 'role', TagValues: values }],
      },
    });
    expect(grants).toEqual([
      { principal: analyst, resource: database, permissions: ['DESCRIBE'], withGrant: [] },
      {
        principal: analyst,
        resource: tagPolicy(['analyst']),
        permissions: ['DESCRIBE', 'SELECT'],
        withGrant: [],
      },
      { principal: leader, resource: database, permissions: ['DESCRIBE'], withGrant: [] },
      {
        principal: leader,
        resource: tagPolicy(['analyst', 'leader']),
        permissions: ['DESCRIBE', 'SELECT'],
        withGrant: [],
      },
    ]);
  });

  // AWS::LakeFormation::PrincipalPermissions is identified by PrincipalIdentifier and
  // ResourceIdentifier, permissions not included: a second resource for the same pair fails
  // AlreadyExists, and deleting either revokes everything on the pair (CloudFormation reference
  // of the type, "Ref" and "Remarks"; cloudformation-coverage-roadmap#2500).
  test('no two grants share a principal and a resource', () => {
    const pairs = ofType('AWS::LakeFormation::PrincipalPermissions').map((r) =>
      JSON.stringify([r.Properties.Principal, r.Properties.Resource]),
    );
    expect(pairs).toHaveLength(3 + 4);
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  test('two grants of a persona on one resource fail synth, naming it', () => {
    const { app: twice } = buildGovernance({}, {}, (config) => {
      config.governance.grants.analyst.push({
        resourceType: 'TABLE',
        permissions: ['DESCRIBE'],
        expression: [{ key: 'role', values: ['analyst'] }],
      });
    });
    expect(() => twice.synth()).toThrow(
      'Analyst has two grants on TABLE:role=analyst: Lake Formation keeps one grant per principal and resource, so list every permission in one',
    );
  });

  test('the ledger lists the permissions of every grant and deploys before all of them', () => {
    const [ledger] = ofType('Custom::LakeFormationGrantLedger');
    expect(ledger.Properties.Grants).toEqual({
      'Crawler0|Location': 'DATA_LOCATION_ACCESS',
      'Crawler0|Database': 'ALTER,CREATE_TABLE,DESCRIBE',
      'Crawler0|Tables': 'ALTER,DESCRIBE,SELECT',
      'Analyst|DATABASE:ml_foundation': 'DESCRIBE',
      'Analyst|TABLE:role=analyst': 'DESCRIBE,SELECT',
      'ProjectLeader|DATABASE:ml_foundation': 'DESCRIBE',
      'ProjectLeader|TABLE:role=analyst,leader': 'DESCRIBE,SELECT',
    });
    const order = governance.chain.members.map(({ resource }) => governance.getLogicalId(resource));
    const ledgerAt = order.indexOf(ledger.id);
    expect(ledgerAt).toBeGreaterThanOrEqual(0);
    for (const grant of ofType('AWS::LakeFormation::PrincipalPermissions')) {
      expect(order.indexOf(grant.id)).toBeGreaterThan(ledgerAt);
    }
  });

  test('the admins are the data lake admin persona and the handler, and none of them is granted anything', () => {
    const admins = ofType('Custom::DataLakeAdmin').map((r) => r.Properties.Principal);
    expect(admins).toEqual([
      { 'Fn::GetAtt': [logicalIdOf(governance.personas.dataLakeAdmin), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^LakeFormationProviderOnEventRole/), 'Arn'] },
    ]);
    for (const admin of ofType('Custom::DataLakeAdmin')) {
      expect(admin.Properties.DeadPrincipals).toBe('fail');
    }
    const grantees = ofType('AWS::LakeFormation::PrincipalPermissions').map(
      (r) => r.Properties.Principal.DataLakePrincipalIdentifier,
    );
    expect(grantees).toHaveLength(3 + 4);
    for (const grantee of grantees) {
      for (const admin of admins) expect(grantee).not.toEqual(admin);
    }
  });

  test('governance.deadPrincipals reaches every settings resource', () => {
    const dropping = buildGovernance({
      governance: { deadPrincipals: 'drop', changeAccountDefaults: true },
    });
    const settingsResources = allResources(Template.fromStack(dropping.governance)).filter((r) =>
      r.Type.startsWith('Custom::DataLake'),
    );
    expect(settingsResources).toHaveLength(3);
    for (const resource of settingsResources)
      expect(resource.Properties.DeadPrincipals).toBe('drop');
  });

  // LF "Changing the default settings": the account defaults decide for new databases and
  // tables, and "you can override this setting when you create a database"; the catalog's
  // database sets CreateTableDefaultPermissions to [] (see the catalog stack's tests), which is
  // all the app's own tables need. Changing the account's defaults is left to an opt-in.
  test("the account's default permissions change only when the configuration opts in", () => {
    template.resourceCountIs('Custom::DataLakeDefaultPermissions', 0);
    const opted = buildGovernance({ governance: { changeAccountDefaults: true } });
    const optedTemplate = Template.fromStack(opted.governance);
    optedTemplate.resourceCountIs('Custom::DataLakeDefaultPermissions', 1);
    expect(providerScope(optedTemplate).defaultPermissions).toBe(true);
    expect(providerScope(template).defaultPermissions).toBe(false);
  });

  test("the handler's scope names the admins, database and tables it may change, and its role can do no more", () => {
    expect(providerScope(template)).toEqual({
      admins: [
        { 'Fn::GetAtt': [logicalIdOf(governance.personas.dataLakeAdmin), 'Arn'] },
        { 'Fn::GetAtt': [expect.stringMatching(/^LakeFormationProviderOnEventRole/), 'Arn'] },
      ],
      databaseName: 'ml_foundation',
      tableNames: ['banking'],
      defaultPermissions: false,
    });
    const statements = ofType('AWS::IAM::Policy')
      .filter((p) =>
        JSON.stringify(p.Properties.Roles).includes('LakeFormationProviderOnEventRole'),
      )
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((statement: Json) => [statement.Action].flat());
    expect(actions).not.toContain('lakeformation:GrantPermissions');
    expect(actions).toEqual(
      expect.arrayContaining([
        'lakeformation:GetDataLakeSettings',
        'lakeformation:PutDataLakeSettings',
        'lakeformation:ListPermissions',
        'lakeformation:RevokePermissions',
      ]),
    );
    const glue = statements.find((statement: Json) =>
      [statement.Action].flat().includes('glue:GetTable'),
    );
    expect(JSON.stringify(glue.Resource)).toContain(':table/ml_foundation/banking');
    expect(JSON.stringify(glue.Resource)).not.toContain('/*');
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

    // Athena, "Considerations and limitations" of Lake Formation: query results and history are
    // not governed by Lake Formation; "use workgroups to specify the location for query results
    // and align workgroup membership with Lake Formation permissions". Prepared statements need
    // athena:GetPreparedStatement besides StartQueryExecution (Athena, "Configure access to
    // prepared statements"); saved queries Get/BatchGet/ListNamedQueries on their workgroup.
    test.each([
      ['analyst', 1, 'ml-foundation-analyst'],
      ['project leader', 2, 'ml-foundation-project-leader'],
    ])(
      'the %s queries, runs prepared statements and saved queries only in its own workgroup, and reads only its results',
      (_persona, index, workgroup) => {
        const statements = statementsOf(personaIds[index]);
        const athena = statements.filter((s) =>
          asList(s.Action).some((a: string) => a.startsWith('athena:Start')),
        );
        expect(athena).toHaveLength(1);
        expect(asList(athena[0].Action)).toEqual(
          expect.arrayContaining([
            'athena:StartQueryExecution',
            'athena:GetQueryResults',
            'athena:GetPreparedStatement',
            'athena:ListPreparedStatements',
            'athena:GetNamedQuery',
            'athena:BatchGetNamedQuery',
            'athena:ListNamedQueries',
          ]),
        );
        expect(athena[0].Resource).toEqual(regionalArn('athena', `workgroup/${workgroup}`));
        const prefix = {
          'Fn::Join': [
            '',
            [
              { 'Fn::ImportValue': expect.stringMatching(/AthenaResultsBucket/) },
              `/${workgroup}/*`,
            ],
          ],
        };
        const objects = statements.filter((s) =>
          asList(s.Action).some((a: string) => /^s3:(Get|Put)Object$/.test(a)),
        );
        expect(objects).toHaveLength(1);
        expect(objects[0].Resource).toEqual(prefix);
        const listing = statements.find((s) => asList(s.Action).includes('s3:ListBucket'))!;
        expect(listing.Condition).toEqual({ StringLike: { 's3:prefix': [`${workgroup}/*`] } });
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
      },
    );

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

  describe('bad inputs fail synth with the construct path', () => {
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

  // IAM "Principal element": an account principal in a trust policy delegates to every identity
  // policy of the account, so any principal there allowed sts:AssumeRole on the role assumes it.
  test("has no unacknowledged cdk-nag finding; the built-in default's account-wide trust is a warning on each persona", () => {
    expect(describeFindings(nagFindings(app, governance)).split('\n')).toEqual(
      ['DataLakeAdmin', 'Analyst', 'ProjectLeader'].map(
        (persona) =>
          `Construct Annotations::Annotation::ml-foundation:persona-trusts-account at Governance/Personas/${persona}`,
      ),
    );
    const named = buildGovernance(
      {
        governance: {
          personas: {
            dataLakeAdmin: { principals: ['arn:aws:iam::111122223333:role/Admins'] },
            analyst: { principals: ['arn:aws:iam::111122223333:role/Analysts'] },
            projectLeader: { principals: ['arn:aws:iam::111122223333:role/Leads'] },
          },
        },
      },
      { nag: true },
    );
    expect(describeFindings(nagFindings(named.app, named.governance))).toBe('');
  });

  test('matches the reviewed snapshot', () => {
    expect(stableTemplate(governance)).toMatchSnapshot();
  });

  test('depends on the storage and catalog stacks', () => {
    expect(governance.dependencies).toEqual(expect.arrayContaining([storage, catalog]));
  });
});

describe('GovernanceStack in the whole app', () => {
  const { stacks } = buildTestFoundation();
  const template = Template.fromStack(stacks.governance!);

  // Glue, "Crawler errors when the crawler is using Lake Formation permissions": "The S3
  // location ... is not registered" and "Insufficient Lake Formation permission(s)" until the
  // location is registered and the crawler's grants exist.
  test('the crawlers start on the schedule only after the location is registered and their grants exist', () => {
    const [trigger] = resourcesOf(template, 'AWS::Glue::Trigger');
    expect(trigger.Properties).toMatchObject({
      Type: 'SCHEDULED',
      Schedule: 'cron(0 3 * * ? *)',
      StartOnCreation: true,
    });
    expect(trigger.Properties.Actions).toHaveLength(2);
    for (const action of trigger.Properties.Actions) {
      expect(JSON.stringify(action.CrawlerName)).toMatch(/Crawler/);
    }
    const chain = stacks.governance!.chain.members.map(({ resource }) =>
      stacks.governance!.getLogicalId(resource),
    );
    const at = (id: string) => chain.indexOf(id);
    expect(at(trigger.id)).toBe(chain.length - 1);
    const [registration] = resourcesOf(template, 'AWS::LakeFormation::Resource');
    expect(at(registration.id)).toBeGreaterThanOrEqual(0);
    for (const grant of resourcesOf(template, 'AWS::LakeFormation::PrincipalPermissions')) {
      expect(at(grant.id)).toBeLessThan(at(trigger.id));
    }
    expect(trigger.DependsOn).toEqual([chain[chain.length - 2]]);
  });
});
