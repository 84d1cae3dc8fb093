import { CfnDeletionPolicy, CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How a database of the app, and what it stands on, survive the deletion of its stack.
 *
 * Kept (`storage.removalPolicy` other than `destroy`): `cdk destroy` deletes the stack and
 * keeps each database with everything it still uses, which CloudFormation could not delete
 * anyway (a VPC, subnet, security group or parameter group that a database uses cannot be
 * deleted): the VPC, the database subnets, the security groups, the parameter and subnet groups,
 * the secrets and the key. The stack's outputs name them.
 *
 * Everything kept is `RetainExceptOnCreate` (`RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE`): a
 * first deploy that fails removes what it created, so that the identifiers it took are free for
 * the retry. For the same reason the instance has no deletion protection unless configured
 * (`sources.mysql.deletionProtection`): a rollback cannot delete a protected instance ("The
 * database can't be deleted when deletion protection is enabled", RDS DeleteDBInstance), and
 * the instance would then hold its identifier. The deletion policy already keeps it from every
 * stack delete and replacement.
 */
export interface DatabaseProtection {
  /** Whether the databases outlive their stack. */
  readonly kept: boolean;
  /** Of the databases: kept, or deleted after a final snapshot. */
  readonly removalPolicy: RemovalPolicy;
  /** Of the databases' credentials: they live as long as the databases do. */
  readonly secretRemovalPolicy: RemovalPolicy;
}

/**
 * Nothing is lost: the databases are kept unless the app's data may be destroyed (`DESTROY`),
 * and then the stack deletes each after a final snapshot.
 */
export function databaseProtection(removalPolicy: RemovalPolicy): DatabaseProtection {
  return removalPolicy === RemovalPolicy.DESTROY
    ? {
        kept: false,
        removalPolicy: RemovalPolicy.SNAPSHOT,
        secretRemovalPolicy: RemovalPolicy.DESTROY,
      }
    : {
        kept: true,
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        secretRemovalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      };
}

/**
 * Keeps what a kept database stands on (its network, security group, parameter and subnet
 * groups) when the stack is deleted, except after a failed first create. Unlike the database,
 * such a resource holds no data: when an update replaces it, the old one is deleted, which
 * CloudFormation does only once nothing uses it.
 */
export function keepForDatabase(protection: DatabaseProtection, scope: IConstruct): void {
  if (!protection.kept) return;
  const resource = CfnResource.isCfnResource(scope) ? scope : scope.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) {
    throw new Error(`${scope.node.path} has no CloudFormation resource to keep`);
  }
  resource.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
  resource.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.DELETE;
}
