import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { FoundationStacks } from '../../lib/app';
import type { SnapshotDefinition } from '../../lib/snapshots/handler/snapshot-properties';
import type { Json } from '../support/template-resources';
import { logicalIdOf, onlyResource, resourcesOf } from '../support/template-resources';
import { buildTestFoundation, describeFindings, nagFindings } from '../support/test-app';

/*
 * The snapshots stack as the app composes it: who may read a snapshot, where its queries write,
 * what its handler may do, and what must exist before it runs.
 */

const NAME = 'banking-2026-11-01';
const SNAPSHOTS = {
  snapshots: {
    declared: [
      {
        source: 'history',
        name: NAME,
        dataset: 'banking',
        at: '2026-11-01T00:00:00Z',
        targetAttribute: 'y',
        amazonMlDatasource: { id: 'banking-snapshot' },
      },
      { source: 'redshift', name: 'banking-redshift', dataset: 'banking', targetAttribute: 'y' },
    ],
  },
};

/** Every IAM statement of every policy in `stack`, with the policy's roles. */
function statements(stack: Stack): Array<{ roles: string; statement: Json }> {
  const template = Template.fromStack(stack).toJSON();
  const found: Array<{ roles: string; statement: Json }> = [];
  for (const resource of Object.values(template.Resources ?? {}) as Json[]) {
    const documents: Array<{ roles: unknown; document: Json }> = [];
    if (resource.Type === 'AWS::IAM::Policy') {
      documents.push({
        roles: resource.Properties.Roles,
        document: resource.Properties.PolicyDocument,
      });
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of resource.Properties.Policies ?? []) {
        documents.push({ roles: resource.Properties.Description, document: policy.PolicyDocument });
      }
    }
    for (const { roles, document } of documents) {
      for (const statement of document.Statement) {
        found.push({ roles: JSON.stringify(roles ?? null), statement });
      }
    }
  }
  return found;
}

/** The statements of the policies attached to the role of a governance persona. */
function personaStatements(stacks: FoundationStacks, persona: 'analyst' | 'projectLeader') {
  const roleId = logicalIdOf(stacks.governance!.personas[persona]);
  return stacks.all.flatMap((stack) =>
    statements(stack).filter(
      ({ roles }) =>
        roles.includes(roleId) ||
        roles.includes(persona === 'analyst' ? 'Analyst:' : 'Project leader:'),
    ),
  );
}

describe('the snapshots stack', () => {
  let stacks: FoundationStacks;
  let template: Template;
  beforeAll(() => {
    ({ stacks } = buildTestFoundation(SNAPSHOTS));
    template = Template.fromStack(stacks.snapshots!);
  });

  test('exists only with declared snapshots, and deploys after the sources, catalog and governance', () => {
    expect(buildTestFoundation().stacks.snapshots).toBeUndefined();
    expect(stacks.all.map((stack) => stack.node.id)).toContain('Snapshots');
    expect(stacks.snapshots!.dependencies.map((stack) => stack.node.id).sort()).toEqual(
      expect.arrayContaining(['Catalog', 'Governance', 'Sources']),
    );
  });

  test('only personas whose grants cover every column read a snapshot: the project leader, not the analyst', () => {
    const snapshotObjects = (statement: Json) =>
      JSON.stringify(statement.Resource ?? '').includes(`/snapshots/${NAME}/`);
    const leader = personaStatements(stacks, 'projectLeader').filter(({ statement }) =>
      snapshotObjects(statement),
    );
    expect(leader.map(({ statement }) => statement.Action).sort()).toEqual(['s3:GetObject']);
    expect(JSON.stringify(leader[0].statement.Resource)).toMatch(
      new RegExp(`"/snapshots/${NAME}/\\*"`),
    );
    const analyst = personaStatements(stacks, 'analyst');
    // The analyst's own policy is found: its query statement is there.
    expect(analyst.map(({ statement }) => statement.Sid)).toContain('QueryInTheWorkgroup');
    expect(
      analyst.filter(({ statement }) => JSON.stringify(statement).includes(`snapshots/${NAME}`)),
    ).toEqual([]);
    expect(stacks.snapshots!.readers.get(NAME)).toEqual(['projectLeader']);
  });

  // "IAM principals with permission to the Amazon S3 GetObject action for the query result
  // location are able to retrieve query results from Amazon S3 even if permission to the Athena
  // GetQueryResults action is denied" (https://docs.aws.amazon.com/athena/latest/ug/querying.html):
  // the results of a snapshot query, personal columns included, are read by whoever reads where
  // they are written.
  test('no persona reads the staging folder, the workgroup’s results or every snapshot', () => {
    for (const persona of ['analyst', 'projectLeader'] as const) {
      const text = JSON.stringify(
        personaStatements(stacks, persona).map(({ statement }) => statement),
      );
      expect(text).not.toContain('staging/');
      expect(text).not.toContain('"/snapshots/*"');
      expect(text).not.toContain('ml-foundation-snapshots');
    }
  });

  test('the snapshot queries run in a workgroup of their own that writes under staging/ of the snapshots bucket', () => {
    const workgroup = onlyResource(template, 'AWS::Athena::WorkGroup').Properties;
    expect(workgroup.Name).toBe('ml-foundation-snapshots');
    expect(workgroup.WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 100 * 1024 ** 3,
      ResultConfiguration: {
        OutputLocation: {
          'Fn::Join': [
            '',
            ['s3://', { Ref: expect.stringMatching(/^StorageBucket/) }, '/staging/athena/'],
          ],
        },
        EncryptionConfiguration: {
          EncryptionOption: 'SSE_KMS',
          KmsKey: { 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] },
        },
      },
    });
    const worker = statements(stacks.snapshots!).filter(({ statement }) =>
      [statement.Action].flat().includes('athena:StartQueryExecution'),
    );
    expect(worker).toHaveLength(1);
    expect(JSON.stringify(worker[0].statement.Resource)).toContain(':workgroup/');
    expect(JSON.stringify(worker[0].statement.Resource)).toContain('StorageWorkgroup');
  });

  test('the handler that runs the queries gets Lake Formation SELECT and DESCRIBE on the tables, before any snapshot', () => {
    const grants = resourcesOf(template, 'AWS::LakeFormation::PrincipalPermissions');
    const worker = logicalIdOf(
      stacks
        .snapshots!.node.findChild('TrainingSnapshotProvider')
        .node.findChild('IsComplete')
        .node.findChild('Role'),
    );
    expect(
      grants.map((grant) => [grant.Properties.Resource, grant.Properties.Permissions]),
    ).toEqual([
      [{ Database: { CatalogId: expect.anything(), Name: 'ml_foundation' } }, ['DESCRIBE']],
      [
        { Table: { CatalogId: expect.anything(), DatabaseName: 'ml_foundation', Name: 'banking' } },
        ['SELECT', 'DESCRIBE'],
      ],
      [
        {
          Table: {
            CatalogId: expect.anything(),
            DatabaseName: 'ml_foundation',
            Name: 'history_truncations',
          },
        },
        ['SELECT', 'DESCRIBE'],
      ],
    ]);
    for (const grant of grants) {
      expect(grant.Properties.Principal).toEqual({
        DataLakePrincipalIdentifier: { 'Fn::GetAtt': [worker, 'Arn'] },
      });
    }
    expect(grants[1].DependsOn).toEqual([grants[0].id]);
    expect(grants[2].DependsOn).toEqual([grants[1].id]);
    const snapshot = onlyResource(
      template,
      'Custom::TrainingSnapshot',
      (resource) => resource.Properties.Name === NAME,
    );
    expect(snapshot.DependsOn).toEqual(expect.arrayContaining([grants[2].id]));
  });

  test('each snapshot resource carries its definition and the as-of SQL, and no wait reaches an hour', () => {
    const snapshot = onlyResource(
      template,
      'Custom::TrainingSnapshot',
      (resource) => resource.Properties.Name === NAME,
    );
    const definition: SnapshotDefinition = JSON.parse(snapshot.Properties.Definition);
    expect(definition).toMatchObject({
      source: 'history',
      dataset: 'banking',
      at: '2026-11-01T00:00:00.000Z',
      database: 'ml_foundation',
    });
    expect(definition.columns).toHaveLength(22);
    expect(snapshot.Properties).toMatchObject({
      RemovalPolicy: 'retain',
      Source: 'history',
      Workgroup: { Ref: expect.stringMatching(/^StorageWorkgroup/) },
    });
    expect(snapshot.Properties.SelectSql).toContain(`TIMESTAMP '2026-11-01 00:00:00.000'`);
    expect(snapshot.Properties.SelectSql).toContain('FROM "ml_foundation"."banking"');
    // The provider framework polls every 30 s for at most 110 times: 55 minutes, under
    // CloudFormation's hour (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes.html).
    for (const machine of resourcesOf(template, 'AWS::StepFunctions::StateMachine')) {
      const text = JSON.stringify(machine.Properties.DefinitionString);
      const interval = Number(/\\"IntervalSeconds\\":(\d+)/.exec(text)![1]);
      const attempts = Number(/\\"MaxAttempts\\":(\d+)/.exec(text)![1]);
      expect(interval * attempts).toBeLessThanOrEqual(55 * 60);
    }
  });

  test('the created cluster assumes a role for UNLOAD, which may write only the staging folder of Redshift snapshots', () => {
    const cluster = onlyResource(
      Template.fromStack(stacks.sources!),
      'AWS::Redshift::Cluster',
    ).Properties;
    const role = logicalIdOf(stacks.sources!.redshift.unloadRole()!);
    expect(cluster.IamRoles).toEqual([{ 'Fn::GetAtt': [role, 'Arn'] }]);
    const unload = onlyResource(template, 'AWS::IAM::Policy', (policy) =>
      JSON.stringify(policy.Properties.Roles).includes(role),
    );
    const writes = unload.Properties.PolicyDocument.Statement.find(
      (statement: Json) => statement.Sid === 'WriteUnloads',
    );
    expect(JSON.stringify(writes.Resource)).toContain('/staging/work/banking-redshift/*');
    expect(JSON.stringify(unload.Properties)).not.toContain('/snapshots/');
    const snapshot = onlyResource(
      template,
      'Custom::TrainingSnapshot',
      (resource) => resource.Properties.Name === 'banking-redshift',
    );
    expect(snapshot.DependsOn).toEqual(expect.arrayContaining([unload.id]));
    expect(snapshot.Properties).toMatchObject({
      Source: 'redshift',
      ClusterIdentifier: 'ml-foundation-redshift',
      Database: 'mlfoundation',
    });
  });

  // "users with the same IAM role or IAM permissions as the runner of an ExecuteStatement ... can
  // act on the same statement with CancelStatement, DescribeStatement" and, from another user,
  // only by assuming that role (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api-access.html).
  // Whether equal permissions on two roles suffice is not settled, so one role does both.
  test('one role runs and describes the Redshift statements: the isComplete function’s', () => {
    const provider = stacks.snapshots!.node.findChild('TrainingSnapshotProvider');
    const roleOf = (id: string) => logicalIdOf(provider.node.findChild(id).node.findChild('Role'));
    const actionsOf = (role: string) =>
      statements(stacks.snapshots!)
        .filter(({ roles }) => roles.includes(role))
        .flatMap(({ statement }) => [statement.Action].flat() as string[])
        .filter((action) => action.startsWith('redshift-data:'))
        .sort();
    expect(actionsOf(roleOf('IsComplete'))).toEqual([
      'redshift-data:BatchExecuteStatement',
      'redshift-data:CancelStatement',
      'redshift-data:DescribeStatement',
    ]);
    expect(actionsOf(roleOf('OnEvent'))).toEqual([]);
  });

  test('Amazon ML reads the CSV folder of a snapshot with a datasource, for this account’s datasources of its prefix only', () => {
    const policy = onlyResource(template, 'AWS::S3::BucketPolicy').Properties.PolicyDocument
      .Statement;
    const reads = policy.find(
      (statement: Json) => statement.Sid === 'AmazonMlReadsbanking20261101',
    );
    expect(reads).toMatchObject({
      Principal: { Service: 'machinelearning.amazonaws.com' },
      Action: 's3:GetObject',
      Condition: {
        StringEquals: { 'aws:SourceAccount': expect.anything() },
        ArnLike: { 'aws:SourceArn': expect.anything() },
      },
    });
    expect(JSON.stringify(reads.Resource)).toContain(`/snapshots/${NAME}/csv/*`);
    expect(JSON.stringify(reads.Condition.ArnLike)).toContain(':datasource/banking-snapshot-*');
    const datasource = onlyResource(template, 'Custom::AmazonMlSnapshotDataSource');
    expect(datasource.Properties).toMatchObject({
      DataSourceIdPrefix: 'banking-snapshot',
      SnapshotName: NAME,
    });
  });

  test('without governance, the handler reads the history with its own rights and no persona reads snapshots', () => {
    const { stacks: ungoverned } = buildTestFoundation({
      ...SNAPSHOTS,
      features: { governance: false },
    });
    const own = Template.fromStack(ungoverned.snapshots!);
    expect(resourcesOf(own, 'AWS::LakeFormation::PrincipalPermissions')).toEqual([]);
    const reads = statements(ungoverned.snapshots!).filter(({ statement }) =>
      JSON.stringify(statement.Resource ?? '').includes('/cdc/*'),
    );
    expect(reads.map(({ statement }) => statement.Action)).toEqual(['s3:GetObject']);
    expect(ungoverned.snapshots!.readers.get(NAME)).toEqual([]);
  });

  test('outputs the bucket, the workgroup and where each snapshot is', () => {
    const outputs = Object.keys(template.findOutputs('*'))
      .filter((id) => !id.startsWith('ExportsOutput'))
      .sort();
    expect(outputs).toEqual([
      'Banking20261101Location',
      'BankingRedshiftLocation',
      'SnapshotsBucketName',
      'SnapshotsWorkgroupName',
    ]);
  });

  test('has no unacknowledged finding of cdk-nag', () => {
    const { app, stacks: built } = buildTestFoundation(SNAPSHOTS, { nag: true });
    expect(describeFindings(nagFindings(app, built.snapshots))).toBe('');
  });

  test('with the removal policy destroy, a deleted snapshot takes its data along, and nothing is left unacknowledged', () => {
    const { app, stacks: built } = buildTestFoundation(
      { ...SNAPSHOTS, storage: { removalPolicy: 'destroy' } },
      { nag: true },
    );
    const snapshots = resourcesOf(Template.fromStack(built.snapshots!), 'Custom::TrainingSnapshot');
    expect(snapshots.map((snapshot) => snapshot.Properties.RemovalPolicy)).toEqual([
      'destroy',
      'destroy',
    ]);
    expect(describeFindings(nagFindings(app, built.snapshots))).toBe('');
  });
});
