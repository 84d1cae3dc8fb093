import type { Permission, Resource } from '@aws-sdk/client-lakeformation';
import { ListPermissionsCommand, RevokePermissionsCommand } from '@aws-sdk/client-lakeformation';
import { withRetry } from '../../shared/handler/retry';
import type { LakeFormationDependencies } from './lake-formation-client';
import { IAM_ALLOWED_PRINCIPALS, lakeFormationRetry } from './lake-formation-client';

/**
 * A database or table created while Lake Formation ran in "IAM access control only" mode
 * carries a grant of ALL to IAM_ALLOWED_PRINCIPALS, which lets IAM alone decide who reads it
 * and makes every Lake Formation grant on it moot. Handing it to Lake Formation means revoking
 * that grant.
 */

/** A Glue database, or a table in it. */
export interface CatalogObject {
  readonly databaseName: string;
  readonly tableName?: string;
}

const principal = { DataLakePrincipalIdentifier: IAM_ALLOWED_PRINCIPALS };

function resourceOf(target: CatalogObject): Resource {
  return target.tableName
    ? { Table: { DatabaseName: target.databaseName, Name: target.tableName } }
    : { Database: { Name: target.databaseName } };
}

async function iamAllowedPermissions(
  deps: LakeFormationDependencies,
  target: CatalogObject,
): Promise<Permission[]> {
  const permissions = new Set<Permission>();
  let nextToken: string | undefined;
  do {
    const page = await withRetry(
      () =>
        deps.lakeFormation.send(
          new ListPermissionsCommand({
            Principal: principal,
            Resource: resourceOf(target),
            NextToken: nextToken,
          }),
        ),
      lakeFormationRetry(deps),
    );
    for (const entry of page.PrincipalResourcePermissions ?? []) {
      if (entry.Principal?.DataLakePrincipalIdentifier !== IAM_ALLOWED_PRINCIPALS) continue;
      for (const permission of entry.Permissions ?? []) permissions.add(permission);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return [...permissions].sort();
}

/** Revokes what IAM_ALLOWED_PRINCIPALS holds on `target`; returns what it revoked. */
export async function revokeIamAllowedPrincipals(
  deps: LakeFormationDependencies,
  target: CatalogObject,
): Promise<Permission[]> {
  const permissions = await iamAllowedPermissions(deps, target);
  if (permissions.length === 0) return [];
  await withRetry(
    () =>
      deps.lakeFormation.send(
        new RevokePermissionsCommand({
          Principal: principal,
          Resource: resourceOf(target),
          Permissions: permissions,
        }),
      ),
    lakeFormationRetry(deps),
  );
  return permissions;
}
