/**
 * The properties of a `Custom::DmsReplicationPause` resource: the construct writes them, the
 * handler reads them. The resource stops the replications in its scope before CloudFormation
 * modifies their settings.
 */

/** The CloudFormation type of the pause resource. */
export const REPLICATION_PAUSE_RESOURCE_TYPE = 'Custom::DmsReplicationPause';

/** The properties of the pause resource. */
export interface ReplicationPauseProperties {
  /** Which DMS runs the replications: tasks on a replication instance, or DMS Serverless. */
  readonly Engine: 'instance' | 'serverless';
  /** Digest of the replication's settings; when it changes, the replications are stopped. */
  readonly Fingerprint: string;
  /** With `instance`: every task on this replication instance is stopped. */
  readonly ReplicationInstanceArn?: string;
  /** With `serverless`: the replication of this configuration identifier is stopped. */
  readonly ReplicationConfigIdentifier?: string;
}
