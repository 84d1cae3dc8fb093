import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { resourceTypeHandlers } from '../../shared/handler/resource-type-handlers';
import { DMS_VPC_ROLE_READY_RESOURCE_TYPE } from './dms-vpc-role-ready-properties';
import type { DmsVpcRoleReadyDependencies } from './dms-vpc-role-ready';
import { dmsVpcRoleReadyHandlers } from './dms-vpc-role-ready';
import { REPLICATION_PAUSE_RESOURCE_TYPE } from './replication-pause-properties';
import { replicationPauseHandlers } from './replication-pause';
import type { ReplicationStartHandlerDependencies } from './replication-start';
import { replicationStartHandlers } from './replication-start';
import { REPLICATION_START_RESOURCE_TYPE } from './replication-start-properties';

/**
 * The provider that keeps a DMS replication running across CloudFormation changes: it serves
 * `Custom::DmsReplicationPause` (replication-pause.ts), `Custom::DmsReplicationStart`
 * (replication-start.ts) and `Custom::DmsVpcRoleReady` (dms-vpc-role-ready.ts).
 */

/** The dependencies of every resource type the provider serves; tests replace them. */
export type ReplicationControlDependencies = ReplicationStartHandlerDependencies &
  DmsVpcRoleReadyDependencies;

/** The onEvent and isComplete handlers of the resource types. */
export function replicationControlHandlers(deps: ReplicationControlDependencies) {
  return resourceTypeHandlers({
    [REPLICATION_START_RESOURCE_TYPE]: replicationStartHandlers(deps),
    [REPLICATION_PAUSE_RESOURCE_TYPE]: replicationPauseHandlers(deps),
    [DMS_VPC_ROLE_READY_RESOURCE_TYPE]: dmsVpcRoleReadyHandlers(deps),
  });
}

/** The Lambda entry points. */
export const { onEvent, isComplete } = deployedHandlers(() =>
  replicationControlHandlers({ dms: new DatabaseMigrationServiceClient({}) }),
);
