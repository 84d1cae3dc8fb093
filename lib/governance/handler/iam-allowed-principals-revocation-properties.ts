/**
 * The properties of a `Custom::IamAllowedPrincipalsRevocation` resource: the construct writes
 * them, the handler reads them. The resource takes one database or table from
 * IAM_ALLOWED_PRINCIPALS and hands it to Lake Formation for good.
 */

/** The CloudFormation type of the revocation resource. */
export const IAM_ALLOWED_PRINCIPALS_REVOCATION_RESOURCE_TYPE =
  'Custom::IamAllowedPrincipalsRevocation';

/** The properties of the revocation resource. */
export interface IamAllowedPrincipalsRevocationProperties {
  /** The Glue database, or the database of the table. */
  readonly DatabaseName: string;
  /**
   * The table.
   * @default - the database itself
   */
  readonly TableName?: string;
}

/** The attributes of the revocation resource. */
export interface IamAllowedPrincipalsRevocationAttributes {
  /** On create and update: the permissions it revoked, comma-separated. */
  readonly Revoked?: string;
  /** On delete: always `false`; the object stays governed by Lake Formation. */
  readonly Restored?: string;
}
