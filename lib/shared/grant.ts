import * as iam from 'aws-cdk-lib/aws-iam';

/** What a grant allows: actions on resources, under conditions (an unnamed Allow statement). */
export interface Permission {
  readonly actions: string[];
  readonly resources: string[];
  /**
   * Conditions of the statement.
   * @default - none
   */
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/**
 * Adds each of `permissions`, in order, to the identity policy of each of `grantees`, as
 * aws-cdk-lib's grant methods do (`iam.Grant.addToPrincipal`), and returns one grant for all.
 */
export function grantPermissions(
  grantees: iam.IGrantable | readonly iam.IGrantable[],
  ...permissions: Permission[]
): iam.Grant {
  const principals = Array.isArray(grantees) ? grantees : [grantees as iam.IGrantable];
  const grants = principals.flatMap((grantee) =>
    permissions.map((permission) =>
      iam.Grant.addToPrincipal({
        grantee,
        actions: permission.actions,
        resourceArns: permission.resources,
        conditions: permission.conditions,
      }),
    ),
  );
  if (grants.length === 0) throw new Error('A grant needs a grantee and a permission.');
  return grants.reduce((all, grant) => all.combine(grant));
}
