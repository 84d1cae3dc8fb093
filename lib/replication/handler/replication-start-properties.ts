/**
 * The properties of a `Custom::DmsReplicationStart` resource: the construct writes them, the
 * handler reads them. The resource starts its replication after create, resumes it after an
 * update and stops it before delete.
 */

/** The CloudFormation type of the start resource. */
export const REPLICATION_START_RESOURCE_TYPE = 'Custom::DmsReplicationStart';

/** The properties of the start resource. */
export interface ReplicationStartProperties {
  /** Which DMS runs the replication: a task on a replication instance, or DMS Serverless. */
  readonly Engine: 'instance' | 'serverless';
  /** Digest of the replication's settings; when it changes, the replication is resumed. */
  readonly Fingerprint: string;
  /** With `instance`: the replication task to run. */
  readonly ReplicationTaskArn?: string;
  /** With `instance`: the instance the task runs on, which tests the endpoint connections. */
  readonly ReplicationInstanceArn?: string;
  /** With `instance`: the endpoints whose connections are tested before the task starts. */
  readonly EndpointArns?: string[];
  /** With `serverless`: the replication configuration to run. */
  readonly ReplicationConfigArn?: string;
}

/** What onEvent tells isComplete about the start it asked for, and what isComplete reports. */
export interface ReplicationStartAttributes {
  /** When the start was asked for, as an ISO 8601 time. */
  readonly StartRequestedAt: string;
  /** `true` when DMS accepted the start request; `false` when it is still to be made. */
  readonly StartIssued: string;
  /**
   * `true` when the replication had never run before this request: its failure fails the
   * request, also on update (a replacement), since rolling back returns to a replication that
   * ran.
   */
  readonly FreshTarget: string;
  /** Why the replication did not start, when an update completed without it running. */
  readonly StartFailed?: string;
}
