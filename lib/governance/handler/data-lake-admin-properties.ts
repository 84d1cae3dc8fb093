/**
 * The properties of a `Custom::DataLakeAdmin` resource: the construct writes them, the handler
 * reads them. The resource makes one principal a data lake admin, alongside the admins already
 * there.
 */

/** The CloudFormation type of the data lake admin resource. */
export const DATA_LAKE_ADMIN_RESOURCE_TYPE = 'Custom::DataLakeAdmin';

/** The properties of the data lake admin resource. */
export interface DataLakeAdminProperties {
  /** ARN of the IAM role (or user) that becomes an admin; one the provider's scope lists. */
  readonly Principal: string;
  /**
   * What to do when the settings name a principal that no longer exists: `fail` or `drop`.
   * @default fail
   */
  readonly DeadPrincipals?: string;
}

/** The attributes of the data lake admin resource. */
export interface DataLakeAdminAttributes {
  /** On create and update: `added`, or `present` when it was an admin already. */
  readonly Outcome?: string;
  /** On delete: `true` when the admin this resource added was removed. */
  readonly Removed?: string;
  /** Principals that no longer existed and were dropped from the settings, comma-separated. */
  readonly DroppedDeadPrincipals?: string;
}
