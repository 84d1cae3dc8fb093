import type { App, Environment, Stack } from 'aws-cdk-lib';
import { Tags } from 'aws-cdk-lib';
import type { AppConfig } from './config/schema';
import { StorageStack } from './storage/storage-stack';

/** The stacks of the app, as composed for one configuration. */
export interface FoundationStacks {
  readonly storage: StorageStack;
  /** Every stack, in deployment order. */
  readonly all: Stack[];
}

/**
 * The CDK environment from the CLI: both account and region when the CLI knows them,
 * otherwise none, which makes the stacks environment-agnostic.
 */
export function environmentFromCli(env: NodeJS.ProcessEnv = process.env): Environment | undefined {
  const account = env.CDK_DEFAULT_ACCOUNT;
  const region = env.CDK_DEFAULT_REGION;
  return account && region ? { account, region } : undefined;
}

/** Adds the app's stacks for `config` to `app`. */
export function buildFoundation(app: App, config: AppConfig, env?: Environment): FoundationStacks {
  const stackName = (suffix: string) => `${config.projectName}-${suffix}`;
  const common = { env, config };

  const storage = new StorageStack(app, 'Storage', {
    ...common,
    stackName: stackName('storage'),
    description: 'ML data foundation: KMS key and S3 buckets shared by every other stack',
  });
  const all: Stack[] = [storage];

  for (const [key, value] of Object.entries(config.tags)) Tags.of(app).add(key, value);
  return { storage, all };
}
