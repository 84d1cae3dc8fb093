import { RemovalPolicy } from 'aws-cdk-lib';

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
 * Nothing is lost: the databases are kept and protected from deletion unless the app's data may
 * be destroyed (`DESTROY`), and then the stack deletes each after a final snapshot.
 */
export function databaseProtection(removalPolicy: RemovalPolicy): DatabaseProtection {
  return removalPolicy === RemovalPolicy.DESTROY
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
