#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildFoundation, environmentFromCli } from '../lib/app';
import { CONFIG_CONTEXT_KEY, ConfigError, resolveConfig } from '../lib/config/load-config';

// aws-cdk-lib's built-in CloudFormation validation takes longer than everything else in this
// app's synth together (about 2.5 s, most of it start-up). The test suite runs it, asserting zero
// findings, on every configuration it synthesizes, and the pull-request workflow runs it on the
// synth it diffs; set CDK_VALIDATION=true to run it here too.
process.env.CDK_VALIDATION ??= 'false';

const app = new App();
try {
  const config = resolveConfig(app.node.tryGetContext(CONFIG_CONTEXT_KEY));
  buildFoundation(app, config, environmentFromCli());
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
