import type { DataLakeSettings, PrincipalPermissions } from '@aws-sdk/client-lakeformation';
import {
  GetDataLakeSettingsCommand,
  PutDataLakeSettingsCommand,
} from '@aws-sdk/client-lakeformation';
import { errorName } from '../../shared/handler/aws-errors';
import { plainError } from '../../shared/handler/plain-error';
import { withRetry } from '../../shared/handler/retry';
import type { LakeFormationDependencies } from './lake-formation-client';
import { IAM_ALLOWED_PRINCIPALS, lakeFormationRetry } from './lake-formation-client';

/**
 * The data lake settings are one object that PutDataLakeSettings replaces whole. Every change
 * here reads the current settings, changes only its own part, and writes everything back, so
 * that admins and options set by anyone else survive. A read-modify-write that loses a race is
 * retried from the read. It is last-writer-wins all the same: Lake Formation has no version to
 * write against, so a change that another writer makes between the read and the write is lost
 * without a trace (AWS::LakeFormation::DataLakeSettings has the same race).
 */

/** What to do with principals that the settings name and that no longer exist. */
export type DeadPrincipals = 'fail' | 'drop';

/** How a settings change goes about principals that no longer exist. */
export interface SettingsWriteOptions {
  /** `fail` names them; `drop` removes them from the settings and writes again. */
  readonly deadPrincipals: DeadPrincipals;
}

/** A settings change: the settings to write (undefined: nothing to write) and what it found. */
interface Change<T> {
  readonly write?: DataLakeSettings;
  readonly result: T;
}

/** What a change did, and the principals it dropped because they no longer exist. */
export interface Written<T> {
  readonly result: T;
  readonly dropped: string[];
}

/**
 * Lake Formation refuses the whole PutDataLakeSettings with `Invalid principal, arn: <arn>`
 * when the settings name a principal that no longer exists, such as a deleted role
 * (aws/aws-cdk#19492); it names one at a time.
 */
const INVALID_PRINCIPAL = /Invalid principal,?\s*(?:arn:?\s*)?(arn:[^\s,)]+)/i;

/** The principal that Lake Formation says does not exist, if that is the error. */
export function invalidPrincipalOf(error: unknown): string | undefined {
  if (errorName(error) !== 'InvalidInputException' || !(error instanceof Error)) return undefined;
  return INVALID_PRINCIPAL.exec(error.message)?.[1];
}

/** At most this many dead principals are dropped from one write. */
const MAX_DROPPED = 20;

/** The settings without `principal` in any of their lists of principals. */
function withoutPrincipal(settings: DataLakeSettings, principal: string): DataLakeSettings {
  const keep = (entry: { DataLakePrincipalIdentifier?: string }) =>
    entry.DataLakePrincipalIdentifier !== principal;
  const keepGrant = (grant: PrincipalPermissions) => !grant.Principal || keep(grant.Principal);
  const result: DataLakeSettings = { ...settings };
  if (settings.DataLakeAdmins) result.DataLakeAdmins = settings.DataLakeAdmins.filter(keep);
  if (settings.ReadOnlyAdmins) result.ReadOnlyAdmins = settings.ReadOnlyAdmins.filter(keep);
  if (settings.ExternalDataFilteringAllowList)
    result.ExternalDataFilteringAllowList = settings.ExternalDataFilteringAllowList.filter(keep);
  if (settings.CreateDatabaseDefaultPermissions)
    result.CreateDatabaseDefaultPermissions =
      settings.CreateDatabaseDefaultPermissions.filter(keepGrant);
  if (settings.CreateTableDefaultPermissions)
    result.CreateTableDefaultPermissions = settings.CreateTableDefaultPermissions.filter(keepGrant);
  return result;
}

function deadPrincipalError(principal: string, own: readonly string[]): Error {
  if (own.includes(principal)) {
    return plainError(
      `Lake Formation says that ${principal}, which this resource writes into the data lake settings, does not exist (Invalid principal). Check the role ARN in the configuration.`,
    );
  }
  return plainError(
    `The Lake Formation settings name ${principal}, which no longer exists, and Lake Formation refuses every change to the settings until it is gone (Invalid principal). ` +
      'Remove it (Lake Formation console, Administrative roles and tasks; or aws lakeformation put-data-lake-settings), ' +
      'or set governance.deadPrincipals to "drop" to have the deployment remove it. Lake Formation names one such principal at a time: there may be more.',
  );
}

/**
 * Writes `settings`. A principal that Lake Formation says does not exist fails the write with
 * its name, or with `drop` is removed from the settings and the write tried again; a principal
 * of `own` (the one this change is about) is never dropped.
 */
async function putSettings(
  deps: LakeFormationDependencies,
  settings: DataLakeSettings,
  options: SettingsWriteOptions,
  own: readonly string[],
): Promise<string[]> {
  const dropped: string[] = [];
  let write = settings;
  for (;;) {
    try {
      await deps.lakeFormation.send(new PutDataLakeSettingsCommand({ DataLakeSettings: write }));
      return dropped;
    } catch (error) {
      const dead = invalidPrincipalOf(error);
      if (dead === undefined) throw error;
      if (
        options.deadPrincipals !== 'drop' ||
        own.includes(dead) ||
        dropped.includes(dead) ||
        dropped.length >= MAX_DROPPED
      ) {
        throw deadPrincipalError(dead, own);
      }
      console.log(JSON.stringify({ droppingDeadPrincipal: dead }));
      dropped.push(dead);
      write = withoutPrincipal(write, dead);
    }
  }
}

async function readModifyWrite<T>(
  deps: LakeFormationDependencies,
  options: SettingsWriteOptions,
  own: readonly string[],
  change: (current: DataLakeSettings) => Change<T>,
): Promise<Written<T>> {
  return withRetry(async () => {
    const response = await deps.lakeFormation.send(new GetDataLakeSettingsCommand({}));
    const { write, result } = change(response.DataLakeSettings ?? {});
    const dropped = write ? await putSettings(deps, write, options, own) : [];
    return { result, dropped };
  }, lakeFormationRetry(deps));
}

function adminsOf(settings: DataLakeSettings): string[] {
  return (settings.DataLakeAdmins ?? []).flatMap((admin) =>
    admin.DataLakePrincipalIdentifier ? [admin.DataLakePrincipalIdentifier] : [],
  );
}

/** Makes `principal` a data lake admin; says whether it already was. */
export function addAdmin(
  deps: LakeFormationDependencies,
  principal: string,
  options: SettingsWriteOptions,
): Promise<Written<'added' | 'present'>> {
  return readModifyWrite(deps, options, [principal], (current) => {
    if (adminsOf(current).includes(principal)) return { result: 'present' };
    const admins = [...(current.DataLakeAdmins ?? []), { DataLakePrincipalIdentifier: principal }];
    return { write: { ...current, DataLakeAdmins: admins }, result: 'added' };
  });
}

/** Removes `principal` from the data lake admins, if it is still one; keeps every other admin. */
export function removeAdmin(
  deps: LakeFormationDependencies,
  principal: string,
  options: SettingsWriteOptions,
): Promise<Written<boolean>> {
  return readModifyWrite(deps, options, [], (current) => {
    if (!adminsOf(current).includes(principal)) return { result: false };
    const admins = (current.DataLakeAdmins ?? []).filter(
      (admin) => admin.DataLakePrincipalIdentifier !== principal,
    );
    return { write: { ...current, DataLakeAdmins: admins }, result: true };
  });
}

/** The two defaults that decide who may use a new database or table. */
export type DefaultPermissionsKind = 'database' | 'table';
const DEFAULTS_FIELD = {
  database: 'CreateDatabaseDefaultPermissions',
  table: 'CreateTableDefaultPermissions',
} as const satisfies Record<DefaultPermissionsKind, keyof DataLakeSettings>;
const KINDS: DefaultPermissionsKind[] = ['database', 'table'];

/**
 * "Use only IAM access control": the only non-empty value Lake Formation accepts for either
 * default, and the one it starts with.
 */
export const IAM_ONLY_DEFAULT: PrincipalPermissions[] = [
  { Principal: { DataLakePrincipalIdentifier: IAM_ALLOWED_PRINCIPALS }, Permissions: ['ALL'] },
];

/**
 * Makes Lake Formation permissions, not IAM alone, govern new databases and tables by clearing
 * the defaults that grant ALL to IAM_ALLOWED_PRINCIPALS. Returns the defaults it cleared.
 */
export function clearDefaultPermissions(
  deps: LakeFormationDependencies,
  options: SettingsWriteOptions,
): Promise<Written<DefaultPermissionsKind[]>> {
  return readModifyWrite(deps, options, [], (current) => {
    const cleared = KINDS.filter((kind) => (current[DEFAULTS_FIELD[kind]] ?? []).length > 0);
    if (cleared.length === 0) return { result: [] };
    return {
      write: {
        ...current,
        CreateDatabaseDefaultPermissions: [],
        CreateTableDefaultPermissions: [],
      },
      result: cleared,
    };
  });
}

/**
 * Gives back the IAM-only defaults that {@link clearDefaultPermissions} cleared, unless someone
 * has set that default since: their setting stands. Returns the defaults it restored.
 */
export function restoreDefaultPermissions(
  deps: LakeFormationDependencies,
  cleared: readonly DefaultPermissionsKind[],
  options: SettingsWriteOptions,
): Promise<Written<DefaultPermissionsKind[]>> {
  return readModifyWrite(deps, options, [], (current) => {
    const restored = cleared.filter((kind) => (current[DEFAULTS_FIELD[kind]] ?? []).length === 0);
    if (restored.length === 0) return { result: [] };
    const write: DataLakeSettings = { ...current };
    for (const kind of restored) write[DEFAULTS_FIELD[kind]] = IAM_ONLY_DEFAULT;
    return { write, result: restored };
  });
}
