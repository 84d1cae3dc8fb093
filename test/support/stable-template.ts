import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

const ASSET_HASH = /[0-9a-f]{64}/g;

/**
 * The stack's template with asset hashes replaced by a placeholder, so that a snapshot does
 * not change with the machine, the bundler's output or the handler's source.
 */
export function stableTemplate(stack: Stack): unknown {
  const text = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(text.replace(ASSET_HASH, '[asset-hash]'));
}
