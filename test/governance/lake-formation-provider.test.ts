import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { lakeFormationProvider } from '../../lib/governance/lake-formation-provider';

function stack(): Stack {
  // No bundling: the provider's permissions are what is tested, not the handler.
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Governance');
}

/** Every action the provider's role may take. */
function actionsOf(scope: Stack): string[] {
  const policies = Object.values(Template.fromStack(scope).findResources('AWS::IAM::Policy'));
  return policies.flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap(
      (statement) => [statement.Action].flat(),
    ),
  );
}

const NO_OBJECTS = {
  admins: ['arn:aws:iam::111122223333:role/Deployer'],
  tableNames: [],
  defaultPermissions: false,
};

describe('lakeFormationProvider', () => {
  test('a provider without a database may change the settings and nothing else', () => {
    const scope = stack();
    lakeFormationProvider(scope, NO_OBJECTS);
    const actions = actionsOf(scope).filter((action) => /^(lakeformation|glue|iam):/.test(action));
    expect(actions.sort()).toEqual([
      'lakeformation:GetDataLakeSettings',
      'lakeformation:PutDataLakeSettings',
    ]);
  });

  test('with a database, it may list and revoke permissions and read that database and its named tables', () => {
    const scope = stack();
    lakeFormationProvider(scope, {
      ...NO_OBJECTS,
      databaseName: 'ml_foundation',
      tableNames: ['banking'],
    });
    expect(actionsOf(scope)).toEqual(
      expect.arrayContaining([
        'lakeformation:ListPermissions',
        'lakeformation:RevokePermissions',
        'glue:GetDatabase',
        'glue:GetTable',
      ]),
    );
    expect(actionsOf(scope)).not.toContain('lakeformation:GrantPermissions');
  });

  test('a second provider in the stack fails instead of getting another scope', () => {
    const scope = stack();
    lakeFormationProvider(scope, NO_OBJECTS);
    expect(() => lakeFormationProvider(scope, NO_OBJECTS)).toThrow(
      'Stack Governance has a Lake Formation provider already: make one, with everything it may change.',
    );
  });

  // Lambda limits a function's environment variables to 4 KB in all.
  test('a scope too large for a Lambda environment fails synth', () => {
    const scope = stack();
    lakeFormationProvider(scope, {
      ...NO_OBJECTS,
      databaseName: 'ml_foundation',
      tableNames: Array.from({ length: 200 }, (_, index) => `table_number_${index}`),
    });
    expect(() => Template.fromStack(scope)).toThrow(/more than a Lambda environment holds/);
  });
});
