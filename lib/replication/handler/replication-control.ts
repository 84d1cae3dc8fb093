import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { resourceTypeHandlers } from '../../shared/handler/resource-type-handlers';
import { REPLICATION_PAUSE_RESOURCE_TYPE } from './replication-pause-properties';
import { replicationPauseHandlers } from './replication-pause';
import type { ReplicationStartHandlerDependencies } from './replication-start';
import { replicationStartHandlers } from './replication-start';
import { REPLICATION_START_RESOURCE_TYPE } from './replication-start-properties';

/**
 * The provider that keeps a DMS replication running across CloudFormation changes: it serves
 * `Custom::DmsReplicationPause` (replication-pause.ts) and `Custom::DmsReplicationStart`
 * (replication-start.ts).
 */

/** The onEvent and isComplete handlers of both resource types. */
export function replicationControlHandlers(deps: ReplicationStartHandlerDependencies) {
  return resourceTypeHandlers({
    [REPLICATION_START_RESOURCE_TYPE]: replicationStartHandlers(deps),
    [REPLICATION_PAUSE_RESOURCE_TYPE]: replicationPauseHandlers(deps),
  });
}

/** The Lambda entry points. */
export const { onEvent, isComplete } = deployedHandlers(() =>
  replicationControlHandlers({ dms: new DatabaseMigrationServiceClient({}) }),
);
