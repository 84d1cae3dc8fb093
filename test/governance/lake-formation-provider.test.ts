import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { lakeFormationProvider } from '../../lib/governance/lake-formation-provider';

function stack(): Stack {
  // No bundling: the provider's permissions are what is tested, not the handler.
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Governance');
}

/** The Glue resources that the provider's role may read. */
function glueResources(scope: Stack): unknown[] {
  const policies = Object.values(Template.fromStack(scope).findResources('AWS::IAM::Policy'));
  return policies.flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>)
      .filter((statement) => JSON.stringify(statement.Action).includes('glue:'))
      .map((statement) => statement.Resource),
  );
}

describe('lakeFormationProvider', () => {
  test('one provider per stack, whose role reads the governed database once', () => {
    const scope = stack();
    const provider = lakeFormationProvider(scope, 'ml_foundation');
    expect(lakeFormationProvider(scope, 'ml_foundation')).toBe(provider);
    expect(JSON.stringify(glueResources(scope))).toContain('database/ml_foundation');
    expect(glueResources(scope)).toHaveLength(1);
  });

  test('another database fails instead of getting a provider that cannot read it', () => {
    const scope = stack();
    lakeFormationProvider(scope, 'ml_foundation');
    expect(() => lakeFormationProvider(scope, 'other_lake')).toThrow(
      'The Lake Formation provider of stack Governance serves the governed database "ml_foundation"; ' +
        'it cannot serve "other_lake" as well.',
    );
  });
});
