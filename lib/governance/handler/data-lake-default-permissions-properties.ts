/**
 * The properties of a `Custom::DataLakeDefaultPermissions` resource: it has none. The resource
 * makes Lake Formation, not IAM alone, govern the databases and tables created from now on.
 */

/** The CloudFormation type of the default permissions resource. */
export const DATA_LAKE_DEFAULT_PERMISSIONS_RESOURCE_TYPE = 'Custom::DataLakeDefaultPermissions';

/** The properties of the default permissions resource: none. */
export type DataLakeDefaultPermissionsProperties = Record<never, never>;

/** The attributes of the default permissions resource. */
export interface DataLakeDefaultPermissionsAttributes {
  /** On create and update: the defaults it cleared (`database`, `table`), comma-separated. */
  readonly Cleared?: string;
  /** On delete: the defaults it gave back, comma-separated. */
  readonly Restored?: string;
}
