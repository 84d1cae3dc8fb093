import { plainError } from '../../shared/handler/plain-error';

/**
 * What one provider of the Lake Formation custom resources may change, fixed at synth time in
 * its function's environment. Anyone allowed to invoke the provider (its framework function
 * forwards whatever event it gets) could send a forged event; with the scope, such an event
 * can at most re-apply what the stack configures, never make another principal an admin or
 * take another object from IAM.
 */
export interface LakeFormationScope {
  /** The principals the provider may make data lake admins. */
  readonly admins: readonly string[];
  /**
   * The governed database, whose IAM_ALLOWED_PRINCIPALS grants the provider may revoke.
   * @default - none: the provider revokes nothing
   */
  readonly databaseName?: string;
  /** The tables of that database whose IAM_ALLOWED_PRINCIPALS grants it may revoke. */
  readonly tableNames: readonly string[];
  /** Whether it may clear the account's default permissions. */
  readonly defaultPermissions: boolean;
}

/** The environment variable that holds the scope, as JSON. */
export const SCOPE_VARIABLE = 'LAKE_FORMATION_SCOPE';

/** The scope in `text`; a missing or malformed scope allows nothing. */
export function parseScope(text: string | undefined): LakeFormationScope {
  const nothing: LakeFormationScope = { admins: [], tableNames: [], defaultPermissions: false };
  if (!text) return nothing;
  try {
    const value = JSON.parse(text) as Partial<LakeFormationScope>;
    const strings = (list: unknown) =>
      Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
    return {
      admins: strings(value.admins),
      databaseName: typeof value.databaseName === 'string' ? value.databaseName : undefined,
      tableNames: strings(value.tableNames),
      defaultPermissions: value.defaultPermissions === true,
    };
  } catch {
    return nothing;
  }
}

/** Fails unless `principal` is one of the admins of the scope. */
export function requireAdminInScope(scope: LakeFormationScope, principal: string): void {
  if (!scope.admins.includes(principal)) {
    throw plainError(
      `${principal} is not one of the data lake admins this provider was deployed to manage (${scope.admins.join(', ') || 'none'}).`,
    );
  }
}

/** Whether the database, or the table of it, is one the scope governs. */
export function objectInScope(
  scope: LakeFormationScope,
  target: { readonly databaseName: string; readonly tableName?: string },
): boolean {
  if (scope.databaseName === undefined || target.databaseName !== scope.databaseName) return false;
  return target.tableName === undefined || scope.tableNames.includes(target.tableName);
}
