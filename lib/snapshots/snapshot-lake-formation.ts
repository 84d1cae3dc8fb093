import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';

/** Properties of {@link SnapshotLakeFormationAccess}. */
export interface SnapshotLakeFormationAccessProps {
  /** The role that runs the snapshot queries. */
  readonly role: iam.IRole;
  /** The governed Glue database. */
  readonly databaseName: string;
  /** The tables the snapshot queries read: the replicated tables and the truncation marks. */
  readonly tables: readonly string[];
}

/**
 * What the role that runs the snapshot queries needs once Lake Formation governs the catalog:
 * DESCRIBE on the database, and SELECT and DESCRIBE on every column of each table it reads
 * (a snapshot holds them all). Without them its queries fail with "Insufficient Lake Formation
 * permission(s)". The grants deploy one after another, since Lake Formation refuses concurrent
 * changes to permissions, and in a stack that deploys after the governance stack, whose data
 * lake admins, registered location and table handover they need.
 */
export class SnapshotLakeFormationAccess extends Construct {
  /** The grants, in deployment order; a snapshot deploys after the last. */
  readonly grants: lakeformation.CfnPrincipalPermissions[] = [];

  constructor(scope: Construct, id: string, props: SnapshotLakeFormationAccessProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    const principal = { dataLakePrincipalIdentifier: props.role.roleArn };
    const grant = (
      name: string,
      resource: lakeformation.CfnPrincipalPermissions.ResourceProperty,
      permissions: string[],
    ) => {
      const permission = new lakeformation.CfnPrincipalPermissions(this, name, {
        principal,
        resource,
        permissions,
        permissionsWithGrantOption: [],
      });
      const previous = this.grants[this.grants.length - 1];
      if (previous) permission.addResourceDependency(previous);
      this.grants.push(permission);
    };

    grant('Database', { database: { catalogId, name: props.databaseName } }, ['DESCRIBE']);
    for (const table of props.tables) {
      grant(
        `Table-${table}`,
        { table: { catalogId, databaseName: props.databaseName, name: table } },
        ['SELECT', 'DESCRIBE'],
      );
    }
  }
}
