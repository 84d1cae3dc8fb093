/**
 * The properties of a `Custom::DataLakeDefaultPermissions` resource. The resource makes Lake
 * Formation, not IAM alone, govern the databases and tables created from now on in the whole
 * account; only a provider whose scope allows it serves it.
 */

/** The CloudFormation type of the default permissions resource. */
export const DATA_LAKE_DEFAULT_PERMISSIONS_RESOURCE_TYPE = 'Custom::DataLakeDefaultPermissions';

/** The properties of the default permissions resource. */
export interface DataLakeDefaultPermissionsProperties {
  /**
   * What to do when the settings name a principal that no longer exists: `fail` or `drop`.
   * @default fail
   */
  readonly DeadPrincipals?: string;
}

/** The attributes of the default permissions resource. */
export interface DataLakeDefaultPermissionsAttributes {
  /** On create and update: the defaults it cleared (`database`, `table`), comma-separated. */
  readonly Cleared?: string;
  /** On delete: the defaults it gave back, comma-separated. */
  readonly Restored?: string;
  /** Principals that no longer existed and were dropped from the settings, comma-separated. */
  readonly DroppedDeadPrincipals?: string;
}
