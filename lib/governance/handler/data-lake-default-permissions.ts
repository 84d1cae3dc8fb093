import { plainError } from '../../shared/handler/plain-error';
import type {
  DataLakeDefaultPermissionsAttributes,
  DataLakeDefaultPermissionsProperties,
} from './data-lake-default-permissions-properties';
import type { DefaultPermissionsKind } from './data-lake-settings';
import { clearDefaultPermissions, restoreDefaultPermissions } from './data-lake-settings';
import { settingsWriteOptions } from './dead-principals';
import type { LakeFormationDependencies } from './lake-formation-client';
import { recordedChangeHandlers } from './recorded-change';

/**
 * `Custom::DataLakeDefaultPermissions`: clears the account's defaults that give new databases
 * and tables to IAM_ALLOWED_PRINCIPALS, when the provider's scope allows it (the configuration
 * opted in). Its physical id records which defaults it cleared; delete gives back those, unless
 * someone has set them since.
 */

const DEFAULTS_ID = /^data-lake-default-permissions:cleared=(none|[a-z,]+)$/;

/** The onEvent handler of `Custom::DataLakeDefaultPermissions`. */
export function dataLakeDefaultPermissionsHandlers(deps: LakeFormationDependencies) {
  return recordedChangeHandlers<
    DataLakeDefaultPermissionsProperties,
    DefaultPermissionsKind[],
    DataLakeDefaultPermissionsAttributes
  >({
    read(physicalId) {
      const match = DEFAULTS_ID.exec(physicalId);
      if (!match) return undefined;
      if (match[1] === 'none') return [];
      return match[1]
        .split(',')
        .filter((kind): kind is DefaultPermissionsKind => kind === 'database' || kind === 'table');
    },

    async apply(properties, previous) {
      if (!deps.scope.defaultPermissions) {
        throw plainError(
          "This provider was not deployed to change the account's default permissions (governance.changeAccountDefaults is off).",
        );
      }
      const { result: cleared, dropped } = await clearDefaultPermissions(
        deps,
        settingsWriteOptions(properties),
      );
      // On update the record of the first change stands: it is what deleting must give back.
      return {
        PhysicalResourceId:
          previous?.physicalId ??
          `data-lake-default-permissions:cleared=${cleared.length ? cleared.join(',') : 'none'}`,
        Data: { Cleared: cleared.join(','), DroppedDeadPrincipals: dropped.join(',') },
      };
    },

    async undo(cleared, properties) {
      if (!cleared || cleared.length === 0) return { Restored: '', DroppedDeadPrincipals: '' };
      const { result, dropped } = await restoreDefaultPermissions(
        deps,
        cleared,
        settingsWriteOptions(properties ?? {}),
      );
      return { Restored: result.join(','), DroppedDeadPrincipals: dropped.join(',') };
    },
  });
}
