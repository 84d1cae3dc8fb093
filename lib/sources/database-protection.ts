import { RemovalPolicy } from 'aws-cdk-lib';
import type { StorageConfig } from '../storage/config';

/** How a database of the app survives the deletion of its stack. */
export interface DatabaseProtection {
  /** `RETAIN` keeps the database; `SNAPSHOT` deletes it after a final snapshot. */
  readonly removalPolicy: RemovalPolicy;
  /** Whether the database refuses to be deleted (where the engine supports it). */
  readonly deletionProtection: boolean;
  /** The database's credentials live as long as the database does. */
  readonly secretRemovalPolicy: RemovalPolicy;
}

/**
 * Nothing is lost: `retain` keeps the databases and protects them from deletion; `destroy`
 * lets the stack delete them, each after a final snapshot.
 */
export function databaseProtection(
  removalPolicy: StorageConfig['removalPolicy'],
): DatabaseProtection {
  return removalPolicy === 'destroy'
    ? {
        removalPolicy: RemovalPolicy.SNAPSHOT,
        deletionProtection: false,
        secretRemovalPolicy: RemovalPolicy.DESTROY,
      }
    : {
        removalPolicy: RemovalPolicy.RETAIN,
        deletionProtection: true,
        secretRemovalPolicy: RemovalPolicy.RETAIN,
      };
}
