#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildFoundation, environmentFromCli } from '../lib/app';
import { CONFIG_CONTEXT_KEY, ConfigError, resolveConfig } from '../lib/config/load-config';
import { ControlTowerRules } from '../lib/shared/control-tower-rules';

// aws-cdk-lib's built-in CloudFormation validation and AWS Control Tower's proactive controls
// add several seconds to every synth. The test suite runs both,
// asserting zero findings, on every shipped configuration, and the pull-request workflow runs
// them on the synth it diffs; set CDK_VALIDATION=true to run them here too.
process.env.CDK_VALIDATION ??= 'false';
const fullValidation = process.env.CDK_VALIDATION === 'true';

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
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app),
  ...(fullValidation ? [new ControlTowerRules()] : []),
);
app.synth();
