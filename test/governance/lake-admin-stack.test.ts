import { CliCredentialsStackSynthesizer } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LakeAdminStack } from '../../lib/governance/lake-admin-stack';
import type { Stack } from 'aws-cdk-lib';
import { SHIPPED_CONFIGURATIONS } from '../support/shipped-assemblies';
import { resourcesOf } from '../support/template-resources';
import { stableTemplate } from '../support/stable-template';
import {
  buildTestFoundation,
  createTestApp,
  describeFindings,
  nagFindings,
} from '../support/test-app';

const BOOTSTRAP_EXECUTION_ROLE = {
  'Fn::Sub':
    'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}',
};

/** Every stack that `stack` depends on, directly or through others. */
function dependenciesOf(stack: Stack): Set<Stack> {
  const found = new Set<Stack>();
  const visit = (current: Stack) => {
    for (const dependency of current.dependencies) {
      if (found.has(dependency)) continue;
      found.add(dependency);
      visit(dependency);
    }
  };
  visit(stack);
  return found;
}

describe('LakeAdminStack', () => {
  const { app, stacks } = buildTestFoundation({}, { nag: true });
  const lakeAdmin = stacks.lakeAdmin!;
  const template = Template.fromStack(lakeAdmin);

  test('makes the bootstrap execution role a data lake admin, and nothing else', () => {
    const admins = resourcesOf(template, 'Custom::DataLakeAdmin');
    expect(admins.map((admin) => admin.Properties.Principal)).toEqual([BOOTSTRAP_EXECUTION_ROLE]);
    expect(admins[0].Properties.DeadPrincipals).toBe('fail');
    template.resourceCountIs('Custom::DataLakeDefaultPermissions', 0);
    template.resourceCountIs('AWS::LakeFormation::PrincipalPermissions', 0);
  });

  // In an account that Lake Formation governs, CreateDatabase fails with "Insufficient Lake
  // Formation permission(s): Required Create Database on Catalog" unless the caller is an admin
  // or was granted CREATE_DATABASE (aws-samples/bedrock-chat#475; LF "Implicit Lake Formation
  // permissions": admins "can create databases in the Data Catalog").
  test.each(['built-in default', 'config/example-existing-account.json'])(
    'with the %s configuration, every stack that writes to the Glue catalog deploys after it',
    (configuration) => {
      const { stacks: built } = buildTestFoundation(SHIPPED_CONFIGURATIONS[configuration]);
      const admin = built.lakeAdmin!;
      for (const stack of built.all) {
        const types = Object.values(Template.fromStack(stack).toJSON().Resources ?? {}).map(
          (resource) => (resource as { Type: string }).Type,
        );
        const writesCatalog = types.some((type) =>
          /^AWS::(Glue|LakeFormation|Athena)::/.test(type),
        );
        if (writesCatalog) expect(dependenciesOf(stack)).toContain(admin);
      }
      expect(dependenciesOf(admin).has(built.catalog!)).toBe(false);
      expect(built.all.indexOf(admin)).toBeLessThan(built.all.indexOf(built.catalog!));
      // Deleting the app's stacks goes against these dependencies: governance, then the catalog,
      // then this stack, so the deployment role stays an admin while the others are deleted.
      expect(dependenciesOf(built.governance!)).toContain(admin);
      expect(dependenciesOf(built.governance!)).toContain(built.catalog!);
    },
  );

  test("its provider's scope allows that one admin, and its role may only read and write the settings", () => {
    const [fn] = resourcesOf(template, 'AWS::Lambda::Function').filter((f) =>
      JSON.stringify(f.Properties.Role).includes('LakeFormationProviderOnEventRole'),
    );
    expect(JSON.stringify(fn.Properties.Environment.Variables.LAKE_FORMATION_SCOPE)).toContain(
      'cfn-exec-role',
    );
    const actions = resourcesOf(template, 'AWS::IAM::Policy')
      .filter((p) =>
        JSON.stringify(p.Properties.Roles).includes('LakeFormationProviderOnEventRole'),
      )
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .flatMap((statement: { Action: string | string[] }) => [statement.Action].flat())
      .filter((action: string) => !action.startsWith('logs:'));
    expect(actions.sort()).toEqual([
      'lakeformation:GetDataLakeSettings',
      'lakeformation:PutDataLakeSettings',
    ]);
  });

  test('a configured deployment role replaces the bootstrap execution role', () => {
    const arn = 'arn:aws:iam::111122223333:role/Deployer';
    const { stacks: custom } = buildTestFoundation({ governance: { deploymentRoleArn: arn } });
    Template.fromStack(custom.lakeAdmin!).hasResourceProperties('Custom::DataLakeAdmin', {
      Principal: arn,
    });
  });

  test('a synthesizer without an execution role needs governance.deploymentRoleArn', () => {
    const bare = createTestApp();
    new LakeAdminStack(bare, 'LakeAdmin', {
      deadPrincipals: 'fail',
      synthesizer: new CliCredentialsStackSynthesizer(),
    });
    expect(() => bare.synth()).toThrow(/\[LakeAdmin\] governance\.deploymentRoleArn is required/);
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(app, lakeAdmin))).toBe('');
  });

  test('matches the reviewed snapshot', () => {
    expect(stableTemplate(lakeAdmin)).toMatchSnapshot();
  });
});
