/**
 * The properties of a `Custom::DmsVpcRoleReady` resource: the construct writes them, the handler
 * reads them. The resource completes once DMS can use `dms-vpc-role` to place a subnet group in
 * the subnets, which it tries with a subnet group of its own that it deletes again.
 */

/** The CloudFormation type of the resource. */
export const DMS_VPC_ROLE_READY_RESOURCE_TYPE = 'Custom::DmsVpcRoleReady';

/** The properties of the resource. */
export interface DmsVpcRoleReadyProperties {
  /** The name of the subnet group that the handler creates and deletes to try the role. */
  readonly ProbeSubnetGroupIdentifier: string;
  /** The subnets (two or more) the probe's subnet group spans: those of the replication. */
  readonly SubnetIds: string[];
}

/** What onEvent tells isComplete. */
export interface DmsVpcRoleReadyAttributes {
  /** When the handler began to try the role, as an ISO 8601 time. */
  readonly TriedSince: string;
}
