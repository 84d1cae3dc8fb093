import { required } from '../../shared/handler/required';
import type {
  DataLakeAdminAttributes,
  DataLakeAdminProperties,
} from './data-lake-admin-properties';
import { addAdmin, removeAdmin } from './data-lake-settings';
import { settingsWriteOptions } from './dead-principals';
import type { LakeFormationDependencies } from './lake-formation-client';
import { requireAdminInScope } from './lake-formation-scope';
import { recordedChangeHandlers } from './recorded-change';

/**
 * `Custom::DataLakeAdmin`: makes one principal a data lake admin, if the provider's scope lists
 * it. Its physical id records whether it added the admin or found it there; delete removes only
 * an admin it added (removing takes rights away, so it needs no scope).
 */

const ADMIN_ID = /^data-lake-admin:(added|present):(.+)$/;

interface AdminRecord {
  readonly added: boolean;
  readonly principal: string;
}

/** The onEvent handler of `Custom::DataLakeAdmin`. */
export function dataLakeAdminHandlers(deps: LakeFormationDependencies) {
  return recordedChangeHandlers<DataLakeAdminProperties, AdminRecord, DataLakeAdminAttributes>({
    read(physicalId) {
      const match = ADMIN_ID.exec(physicalId);
      return match ? { added: match[1] === 'added', principal: match[2] } : undefined;
    },

    async apply(properties, previous) {
      const principal = required(properties, 'Principal');
      requireAdminInScope(deps.scope, principal);
      const options = settingsWriteOptions(properties);
      const { result: outcome, dropped } = await addAdmin(deps, principal, options);
      // An admin that was already there when this resource took it over stays on delete; one
      // that this resource added (now or when it was created) goes.
      const keepPrevious = previous?.record.principal === principal && outcome === 'present';
      return {
        PhysicalResourceId: keepPrevious
          ? previous.physicalId
          : `data-lake-admin:${outcome}:${principal}`,
        Data: { Outcome: outcome, DroppedDeadPrincipals: dropped.join(',') },
      };
    },

    async undo(record, properties) {
      if (!record?.added) return { Removed: 'false', DroppedDeadPrincipals: '' };
      const { result, dropped } = await removeAdmin(
        deps,
        record.principal,
        settingsWriteOptions(properties ?? {}),
      );
      return { Removed: String(result), DroppedDeadPrincipals: dropped.join(',') };
    },
  });
}
