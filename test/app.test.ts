import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { environmentFromCli } from '../lib/app';
import {
  buildTestFoundation,
  createTestApp,
  describeFindings,
  nagFindings,
} from './support/test-app';

describe('the whole app', () => {
  test('has no unacknowledged cdk-nag AwsSolutions finding and no CloudFormation Validate warning', () => {
    const { app } = buildTestFoundation({}, { bundle: true });
    const findings = nagFindings(app);
    expect(describeFindings(findings)).toBe('');
  });

  test('the example configuration for an existing account is clean too, apart from the destroy warning', () => {
    const example = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../config/example-existing-account.json'), 'utf8'),
    );
    const { app } = buildTestFoundation(example);
    expect(nagFindings(app)).toEqual([
      { rule: 'Construct Annotations::Annotation::ml-foundation:storage-destroy', path: 'Storage' },
    ]);
  });

  test('no template in the cloud assembly holds a plaintext password', () => {
    const { app } = buildTestFoundation();
    const assembly = app.synth();
    const templates = fs
      .readdirSync(assembly.directory)
      .filter((file) => file.endsWith('.template.json'));
    expect(templates.length).toBeGreaterThan(0);
    const plaintext: string[] = [];
    const visit = (value: unknown, where: string): void => {
      if (Array.isArray(value))
        return value.forEach((item, index) => visit(item, `${where}[${index}]`));
      if (typeof value !== 'object' || value === null) return;
      for (const [key, child] of Object.entries(value)) {
        const isPasswordField = /password$/i.test(key) && !/^(Manage|Generate)/.test(key);
        const isSecretReference =
          typeof child === 'string' && child.startsWith('{{resolve:secretsmanager:');
        if (isPasswordField && typeof child === 'string' && !isSecretReference)
          plaintext.push(`${where}.${key}`);
        visit(child, `${where}.${key}`);
      }
    };
    for (const file of templates) {
      visit(JSON.parse(fs.readFileSync(path.join(assembly.directory, file), 'utf8')), file);
    }
    expect(plaintext).toEqual([]);
  });

  test('cdk-nag really runs: a bare bucket is reported', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Canary');
    new s3.Bucket(stack, 'Bare');
    const rules = nagFindings(app).map((finding) => finding.rule);
    expect(rules).toEqual(
      expect.arrayContaining(['AwsSolutions::AwsSolutions-S1', 'AwsSolutions::AwsSolutions-S10']),
    );
  });

  test("aws-cdk-lib's CloudFormation validation really runs: an invalid property is reported", () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Canary');
    new CfnResource(stack, 'Invalid', {
      type: 'AWS::S3::Bucket',
      properties: { NoSuchProperty: 1 },
    });
    expect(nagFindings(app).map((finding) => finding.rule)).toContain(
      'CloudFormation Validate::F3002',
    );
  });

  test('stacks are environment-agnostic without a CLI environment', () => {
    const { stacks } = buildTestFoundation();
    for (const stack of stacks.all) {
      expect(stack.environment).toBe('aws://unknown-account/unknown-region');
    }
    expect(environmentFromCli({})).toBeUndefined();
    expect(environmentFromCli({ CDK_DEFAULT_ACCOUNT: '123456789012' })).toBeUndefined();
    expect(
      environmentFromCli({ CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' }),
    ).toEqual({
      account: '123456789012',
      region: 'eu-west-1',
    });
  });

  test('applies the configured tags', () => {
    const { stacks } = buildTestFoundation({ tags: { owner: 'data-platform' } });
    Template.fromStack(stacks.storage).hasResourceProperties('AWS::S3::Bucket', {
      Tags: Match.arrayWith([
        { Key: 'owner', Value: 'data-platform' },
        { Key: 'project', Value: 'ml-data-foundation' },
      ]),
    });
  });
});
