#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildFoundation, environmentFromCli } from '../lib/app';
import { CONFIG_CONTEXT_KEY, ConfigError, resolveConfig } from '../lib/config/load-config';

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
