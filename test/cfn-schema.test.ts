import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildTestFoundation } from './support/test-app';

const CHECKER = path.resolve(__dirname, '../../shared/tools/cfn-schema-check/check.mjs');
const describeIfChecker = fs.existsSync(CHECKER) ? describe : describe.skip;

describeIfChecker('CloudFormation resource schemas', () => {
  test.each([
    ['the default configuration', {}],
    [
      'imported sources, existing account-wide roles and destroyable storage',
      { storage: { removalPolicy: 'destroy' } },
    ],
  ])('every resource of %s validates', (_name, overrides) => {
    const { app } = buildTestFoundation(overrides);
    const assembly = app.synth();
    const output = execFileSync('node', [CHECKER, assembly.directory], { encoding: 'utf8' });
    expect(output).toMatch(/, 0 failing/);
  });
});
