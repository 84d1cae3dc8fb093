import type { DataLakeSettings, PrincipalPermissions } from '@aws-sdk/client-lakeformation';
import {
  GetDataLakeSettingsCommand,
  PutDataLakeSettingsCommand,
} from '@aws-sdk/client-lakeformation';
import { withRetry } from '../../shared/handler/retry';
import type { LakeFormationDependencies } from './lake-formation-client';
import { IAM_ALLOWED_PRINCIPALS, lakeFormationRetry } from './lake-formation-client';

/**
 * The data lake settings are one object that PutDataLakeSettings replaces whole. Every change
 * here reads the current settings, changes only its own part, and writes everything back, so
 * that admins and options set by anyone else survive. A read-modify-write that loses a race is
 * retried from the read.
 */

/** A settings change: the settings to write (undefined: nothing to write) and what it found. */
interface Change<T> {
  readonly write?: DataLakeSettings;
  readonly result: T;
}

async function readModifyWrite<T>(
  deps: LakeFormationDependencies,
  change: (current: DataLakeSettings) => Change<T>,
): Promise<T> {
  return withRetry(async () => {
    const response = await deps.lakeFormation.send(new GetDataLakeSettingsCommand({}));
    const { write, result } = change(response.DataLakeSettings ?? {});
    if (write)
      await deps.lakeFormation.send(new PutDataLakeSettingsCommand({ DataLakeSettings: write }));
    return result;
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
): Promise<'added' | 'present'> {
  return readModifyWrite(deps, (current) => {
    if (adminsOf(current).includes(principal)) return { result: 'present' };
    const admins = [...(current.DataLakeAdmins ?? []), { DataLakePrincipalIdentifier: principal }];
    return { write: { ...current, DataLakeAdmins: admins }, result: 'added' };
  });
}

/** Removes `principal` from the data lake admins, if it is still one; keeps every other admin. */
export function removeAdmin(deps: LakeFormationDependencies, principal: string): Promise<boolean> {
  return readModifyWrite(deps, (current) => {
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
): Promise<DefaultPermissionsKind[]> {
  return readModifyWrite(deps, (current) => {
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
): Promise<DefaultPermissionsKind[]> {
  return readModifyWrite(deps, (current) => {
    const restored = cleared.filter((kind) => (current[DEFAULTS_FIELD[kind]] ?? []).length === 0);
    if (restored.length === 0) return { result: [] };
    const write: DataLakeSettings = { ...current };
    for (const kind of restored) write[DEFAULTS_FIELD[kind]] = IAM_ONLY_DEFAULT;
    return { write, result: restored };
  });
}
