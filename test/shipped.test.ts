import { describeShippedMatrix, TEST_ACCOUNT } from './support/shipped-assemblies';
import { describeFindings } from './support/test-app';

/**
 * Every shipped configuration, synthesized as users synthesize it: environment-agnostic as an
 * offline `cdk synth` does, and with an account and Region as `cdk deploy` and `cdk diff` with
 * credentials do (the previous release failed only in the second mode). Each synth runs
 * cdk-nag's AwsSolutions pack, aws-cdk-lib's CloudFormation validation (the resource schemas)
 * and AWS Control Tower's proactive controls; every finding is fixed or acknowledged on its
 * resource with a reason.
 */

/** Warnings a configuration is meant to print. */
const EXPECTED_WARNINGS: Readonly<Record<string, string[]>> = {
  // The built-in default trusts the whole account: fine for an offline synth, named on each persona.
  'built-in default': ['DataLakeAdmin', 'Analyst', 'ProjectLeader'].map(
    (persona) =>
      `Construct Annotations::Annotation::ml-foundation:persona-trusts-account at Governance/Personas/${persona}`,
  ),
  'config/example-existing-account.json': [
    'Construct Annotations::Annotation::ml-foundation:storage-destroy at Storage',
  ],
};

/** The stacks of the built-in default configuration. */
const DEFAULT_STACKS = [
  'AmazonMl',
  'Catalog',
  'Edge',
  'Governance',
  'LakeAdmin',
  'Replication',
  'Sources',
  'Storage',
];

/** The stacks each configuration deploys. */
const EXPECTED_STACKS: Readonly<Record<string, string[]>> = {
  'built-in default': DEFAULT_STACKS,
  'config/new-account.json': [
    'Catalog',
    'Governance',
    'LakeAdmin',
    'Replication',
    'Sources',
    'Storage',
  ],
  'config/example-existing-account.json': DEFAULT_STACKS,
  'test: training snapshots': [
    'AmazonMl',
    'Catalog',
    'Governance',
    'LakeAdmin',
    'Replication',
    'Snapshots',
    'Sources',
    'Storage',
  ],
};

/** Every string in a template that is a property named like a password. */
function plaintextPasswords(value: unknown, where: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => plaintextPasswords(item, `${where}[${index}]`));
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const isPasswordField = /password$/i.test(key) && !/^(Manage|Generate)/.test(key);
    const isSecretReference =
      typeof child === 'string' && child.startsWith('{{resolve:secretsmanager:');
    const here = `${where}.${key}`;
    return [
      ...(isPasswordField && typeof child === 'string' && !isSecretReference ? [here] : []),
      ...plaintextPasswords(child, here),
    ];
  });
}

describeShippedMatrix(({ configuration, environment, assembly }) => {
  test('synthesizes every stack of the configuration', () => {
    expect(Object.keys(assembly().templates).sort()).toEqual(EXPECTED_STACKS[configuration]);
  });

  test('has no unacknowledged finding of cdk-nag, CloudFormation validation or Control Tower', () => {
    const findings = describeFindings([...assembly().findings])
      .split('\n')
      .filter(Boolean);
    expect(findings).toEqual(EXPECTED_WARNINGS[configuration] ?? []);
  });

  test('no template holds a plaintext password', () => {
    const passwords = Object.entries(assembly().templates).flatMap(([stack, template]) =>
      plaintextPasswords(template, stack),
    );
    expect(passwords).toEqual([]);
  });

  if (environment.env) {
    test('the templates are bound to the account and Region', () => {
      const text = JSON.stringify(assembly().templates);
      expect(text).not.toContain('"Fn::GetAZs"');
      expect(text).toContain(`:${environment.env!.region}:${TEST_ACCOUNT}:`);
    });
  }
});
