import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildTestFoundation } from './support/test-app';

const EXISTING_ACCOUNT: unknown = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../config/example-existing-account.json'), 'utf8'),
);
const CHECKER = path.resolve(__dirname, '../../shared/tools/cfn-schema-check/check.mjs');
const describeIfChecker = fs.existsSync(CHECKER) ? describe : describe.skip;

describeIfChecker('CloudFormation resource schemas', () => {
  test.each([
    ['the default configuration', {}],
    [
      'config/example-existing-account.json (imported VPC and databases, DMS Serverless)',
      EXISTING_ACCOUNT,
    ],
  ])('every resource of %s validates', (_name, overrides) => {
    const { app } = buildTestFoundation(overrides);
    const assembly = app.synth();
    const output = execFileSync('node', [CHECKER, assembly.directory], { encoding: 'utf8' });
    expect(output).toMatch(/, 0 failing/);
  });
});
