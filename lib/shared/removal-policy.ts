import { RemovalPolicy } from 'aws-cdk-lib';
import type { StorageConfig } from '../storage/config';

/**
 * The removal policy of the app's data and of the keys that encrypt it, from
 * `storage.removalPolicy`: kept unless the user says `destroy`.
 */
export function removalPolicyOf(setting: StorageConfig['removalPolicy']): RemovalPolicy {
  return setting === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
