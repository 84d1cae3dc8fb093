/**
 * The properties of a `Custom::MySqlChangeCaptureSetup` resource: the construct writes them, the
 * handler reads them. No credentials are among them; the handler reads them from Secrets
 * Manager.
 */

/** The CloudFormation type of the setup resource. */
export const SOURCE_DATABASE_SETUP_RESOURCE_TYPE = 'Custom::MySqlChangeCaptureSetup';

/** The properties of the setup resource; CloudFormation passes numbers as strings. */
export interface SourceDatabaseSetupProperties {
  /** The MySQL endpoint. */
  readonly Host: string;
  readonly Port: number | string;
  /** The secret with the master user that the setup signs in as. */
  readonly AdminSecretArn: string;
  /** The secret with the user that DMS reads as, which the setup creates. */
  readonly DmsUserSecretArn: string;
  /**
   * Changes whenever the DMS user's secret is generated differently (a new password), so that
   * the setup runs again and gives the user the secret's password.
   */
  readonly DmsUserSecretSettings?: string;
  /** The databases whose tables DMS reads: the DMS user gets SELECT on them. */
  readonly Databases: string[];
  /** How long MySQL keeps binary logs (`binlog retention hours`). */
  readonly BinlogRetentionHours: number | string;
}

/** The attributes of the setup resource (`Fn::GetAtt`). */
export interface SourceDatabaseSetupAttributes {
  /** The MySQL user that DMS reads as. */
  readonly Username: string;
}
