import { LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { resourceTypeHandlers } from '../../shared/handler/resource-type-handlers';
import { dataLakeAdminHandlers } from './data-lake-admin';
import { DATA_LAKE_ADMIN_RESOURCE_TYPE } from './data-lake-admin-properties';
import { dataLakeDefaultPermissionsHandlers } from './data-lake-default-permissions';
import { DATA_LAKE_DEFAULT_PERMISSIONS_RESOURCE_TYPE } from './data-lake-default-permissions-properties';
import { grantLedgerHandlers } from './grant-ledger';
import { GRANT_LEDGER_RESOURCE_TYPE } from './grant-ledger-properties';
import { iamAllowedPrincipalsRevocationHandlers } from './iam-allowed-principals-revocation';
import { IAM_ALLOWED_PRINCIPALS_REVOCATION_RESOURCE_TYPE } from './iam-allowed-principals-revocation-properties';
import type { LakeFormationDependencies } from './lake-formation-client';
import { parseScope, SCOPE_VARIABLE } from './lake-formation-scope';

/**
 * The provider of the custom resources that change account-wide Lake Formation state, within
 * the scope it was deployed with (lake-formation-scope.ts): data lake admins
 * (data-lake-admin.ts), the default permissions of new databases and tables
 * (data-lake-default-permissions.ts), the hand-over of catalog objects from
 * IAM_ALLOWED_PRINCIPALS (iam-allowed-principals-revocation.ts), and the ledger that keeps
 * grant edits to two deployments (grant-ledger.ts).
 */

/** The onEvent handler of the four resource types. */
export function lakeFormationHandlers(deps: LakeFormationDependencies) {
  return resourceTypeHandlers({
    [DATA_LAKE_ADMIN_RESOURCE_TYPE]: dataLakeAdminHandlers(deps),
    [DATA_LAKE_DEFAULT_PERMISSIONS_RESOURCE_TYPE]: dataLakeDefaultPermissionsHandlers(deps),
    [IAM_ALLOWED_PRINCIPALS_REVOCATION_RESOURCE_TYPE]: iamAllowedPrincipalsRevocationHandlers(deps),
    [GRANT_LEDGER_RESOURCE_TYPE]: grantLedgerHandlers(),
  });
}

/** The Lambda entry points. */
export const { onEvent } = deployedHandlers(() =>
  lakeFormationHandlers({
    lakeFormation: new LakeFormationClient({}),
    scope: parseScope(process.env[SCOPE_VARIABLE]),
  }),
);
