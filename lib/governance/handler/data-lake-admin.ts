import { required } from '../../shared/handler/required';
import type {
  DataLakeAdminAttributes,
  DataLakeAdminProperties,
} from './data-lake-admin-properties';
import { addAdmin, removeAdmin } from './data-lake-settings';
import type { LakeFormationDependencies } from './lake-formation-client';
import { recordedChangeHandlers } from './recorded-change';

/**
 * `Custom::DataLakeAdmin`: makes one principal a data lake admin. Its physical id records
 * whether it added the admin or found it there; delete removes only an admin it added.
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
      const outcome = await addAdmin(deps, principal);
      // An admin that was already there when this resource took it over stays on delete; one
      // that this resource added (now or when it was created) goes.
      const keepPrevious = previous?.record.principal === principal && outcome === 'present';
      return {
        PhysicalResourceId: keepPrevious
          ? previous.physicalId
          : `data-lake-admin:${outcome}:${principal}`,
        Data: { Outcome: outcome },
      };
    },

    async undo(record) {
      const removed = record?.added ? await removeAdmin(deps, record.principal) : false;
      return { Removed: String(removed) };
    },
  });
}
