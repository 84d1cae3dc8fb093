/**
 * The properties of a `Custom::LakeFormationGrantLedger` resource: the construct writes them,
 * the handler reads them. The ledger lists the permissions of every Lake Formation grant of the
 * stack and deploys before them, so that an update that would change the permissions of an
 * existing grant fails before CloudFormation touches the grant.
 */

/** The CloudFormation type of the grant ledger resource. */
export const GRANT_LEDGER_RESOURCE_TYPE = 'Custom::LakeFormationGrantLedger';

/** The properties of the grant ledger resource. */
export interface GrantLedgerProperties {
  /**
   * The permissions of each grant, comma-separated in order, by the grant's principal and
   * resource (`<principal>|<resource>`): what identifies a grant to Lake Formation.
   */
  readonly Grants: Readonly<Record<string, string>>;
}

/** The attributes of the grant ledger resource. */
export interface GrantLedgerAttributes {
  /** How many grants the ledger lists. */
  readonly Grants?: string;
}
