import { LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { resourceTypeHandlers } from '../../shared/handler/resource-type-handlers';
import { dataLakeAdminHandlers } from './data-lake-admin';
import { DATA_LAKE_ADMIN_RESOURCE_TYPE } from './data-lake-admin-properties';
import { dataLakeDefaultPermissionsHandlers } from './data-lake-default-permissions';
import { DATA_LAKE_DEFAULT_PERMISSIONS_RESOURCE_TYPE } from './data-lake-default-permissions-properties';
import { iamAllowedPrincipalsRevocationHandlers } from './iam-allowed-principals-revocation';
import { IAM_ALLOWED_PRINCIPALS_REVOCATION_RESOURCE_TYPE } from './iam-allowed-principals-revocation-properties';
import type { LakeFormationDependencies } from './lake-formation-client';

/**
 * The provider of the custom resources that change account-wide Lake Formation state: data
 * lake admins (data-lake-admin.ts), the default permissions of new databases and tables
 * (data-lake-default-permissions.ts), and the hand-over of catalog objects from
 * IAM_ALLOWED_PRINCIPALS (iam-allowed-principals-revocation.ts).
 */

/** The onEvent handler of the three resource types. */
export function lakeFormationHandlers(deps: LakeFormationDependencies) {
  return resourceTypeHandlers({
    [DATA_LAKE_ADMIN_RESOURCE_TYPE]: dataLakeAdminHandlers(deps),
    [DATA_LAKE_DEFAULT_PERMISSIONS_RESOURCE_TYPE]: dataLakeDefaultPermissionsHandlers(deps),
    [IAM_ALLOWED_PRINCIPALS_REVOCATION_RESOURCE_TYPE]: iamAllowedPrincipalsRevocationHandlers(deps),
  });
}

/** The Lambda entry points. */
export const { onEvent } = deployedHandlers(() =>
  lakeFormationHandlers({ lakeFormation: new LakeFormationClient({}) }),
);
