// aws-cdk-lib throws on the use of a deprecated API, so that a withdrawn default fails a test.
process.env.JSII_DEPRECATED = 'fail';
// aws-cdk-lib's built-in CloudFormation validation costs seconds a synth; the tests that want it
// register its plugin themselves (test/support/test-app.ts, `validate: true`).
process.env.CDK_VALIDATION = 'false';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // Jest's default leaves a core idle (one worker on two cores); the synths are CPU-bound.
  maxWorkers: '100%',
};
