import * as crypto from 'node:crypto';
import type { CfnResource } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { IDependable } from 'constructs';
import type { ReplicationEngineConfig } from './config';
import { ReplicationPause, ReplicationStart } from './replication-control';
import type { PauseScope, StartTarget } from './replication-control';
import type { ReplicationNetwork } from './replication-network';
import type { TableMappings } from './table-mappings';
import { replicationTaskSettings } from './task-settings';

/** Properties of {@link ChangeCapture}. */
export interface ChangeCaptureProps {
  /** A replication instance with its settings, or DMS Serverless with its capacity. */
  readonly engine: ReplicationEngineConfig;
  /** Start the replication once it is created, and resume it after each change. */
  readonly startTask: boolean;
  /** Identifier of the serverless replication configuration (`engine.mode: serverless`). */
  readonly replicationConfigIdentifier: string;
  /** Subnet group and security group. */
  readonly network: ReplicationNetwork;
  /** The MySQL source endpoint. */
  readonly source: dms.CfnEndpoint;
  /** The S3 target endpoint. */
  readonly target: dms.CfnEndpoint;
  /** Which tables to replicate, and how. */
  readonly tableMappings: TableMappings;
  /** Key that encrypts the replication's storage. */
  readonly encryptionKey: kms.IKey;
  /** What must exist before the replication is created: the DMS roles. */
  readonly dependsOn: IDependable[];
  /** What must be complete before the replication starts: the source database setup. */
  readonly startsAfter: IDependable[];
}

/** The replication that an engine runs, and how to start it. */
interface Replication {
  readonly resource: CfnResource;
  readonly startTarget: StartTarget;
  readonly task?: dms.CfnReplicationTask;
  readonly replicationConfig?: dms.CfnReplicationConfig;
}

/** What differs between the engines. */
interface Engine {
  /** The replication instance, for `mode: instance`. */
  readonly instance?: dms.CfnReplicationInstance;
  /** The compute settings, as they enter the fingerprint. */
  readonly compute: Record<string, unknown>;
  /** What the pause stops. */
  readonly pauseScope: PauseScope;
  /** Creates the replication, once the pause that it is ordered after exists. */
  replicate(): Replication;
}

/**
 * A full-load-and-CDC replication from the source endpoint to the target endpoint, on a
 * replication instance or on DMS Serverless, kept running across deployments.
 */
export class ChangeCapture extends Construct {
  /** The replication instance, for `engine.mode: instance`. */
  readonly instance?: dms.CfnReplicationInstance;
  /** The replication task, for `engine.mode: instance`. */
  readonly task?: dms.CfnReplicationTask;
  /** The serverless replication configuration, for `engine.mode: serverless`. */
  readonly replicationConfig?: dms.CfnReplicationConfig;
  /** Stops the replication before its settings change. */
  readonly pause: ReplicationPause;
  /** Starts the replication; absent when `startTask` is off. */
  readonly start?: ReplicationStart;

  constructor(scope: Construct, id: string, props: ChangeCaptureProps) {
    super(scope, id);
    const settings = replicationTaskSettings();
    const engine =
      props.engine.mode === 'instance'
        ? this.onInstance(props.engine, settings, props)
        : this.onServerless(props.engine, settings, props);
    this.instance = engine.instance;

    const fingerprint = this.fingerprint({
      source: [props.source.engineName, props.source.sslMode, props.source.mySqlSettings],
      target: props.target.s3Settings,
      tableMappings: props.tableMappings,
      settings,
      compute: engine.compute,
    });
    this.pause = new ReplicationPause(this, 'Pause', { scope: engine.pauseScope, fingerprint });
    props.source.node.addDependency(this.pause);
    props.target.node.addDependency(this.pause);

    const replication = engine.replicate();
    this.task = replication.task;
    this.replicationConfig = replication.replicationConfig;
    replication.resource.node.addDependency(this.pause);
    for (const dependency of props.startsAfter) replication.resource.node.addDependency(dependency);

    if (props.startTask) {
      this.start = new ReplicationStart(this, 'Start', {
        target: replication.startTarget,
        fingerprint,
      });
      this.start.node.addDependency(replication.resource);
    }
  }

  /** A replication task on a replication instance. */
  private onInstance(
    engine: Extract<ReplicationEngineConfig, { mode: 'instance' }>,
    settings: object,
    props: ChangeCaptureProps,
  ): Engine {
    const compute = {
      replicationInstanceClass: engine.instanceClass,
      allocatedStorage: engine.allocatedStorageGiB,
      multiAz: engine.multiAz,
    };
    const instance = new dms.CfnReplicationInstance(this, 'Instance', {
      ...compute,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      replicationSubnetGroupIdentifier: props.network.subnetGroup.ref,
      vpcSecurityGroupIds: [props.network.securityGroup.securityGroupId],
      kmsKeyId: props.encryptionKey.keyArn,
    });
    for (const dependency of props.dependsOn) instance.node.addDependency(dependency);
    return {
      instance,
      compute,
      pauseScope: { engine: 'instance', replicationInstanceArn: instance.ref },
      replicate: () => {
        const task = new dms.CfnReplicationTask(this, 'Task', {
          migrationType: 'full-load-and-cdc',
          replicationInstanceArn: instance.ref,
          sourceEndpointArn: props.source.ref,
          targetEndpointArn: props.target.ref,
          tableMappings: JSON.stringify(props.tableMappings),
          replicationTaskSettings: JSON.stringify(settings),
        });
        return {
          resource: task,
          task,
          startTarget: { engine: 'instance', replicationTaskArn: task.ref },
        };
      },
    };
  }

  /** A serverless replication configuration, which DMS provisions capacity for when it starts. */
  private onServerless(
    engine: Extract<ReplicationEngineConfig, { mode: 'serverless' }>,
    settings: object,
    props: ChangeCaptureProps,
  ): Engine {
    const compute = {
      minCapacityUnits: engine.capacity.min,
      maxCapacityUnits: engine.capacity.max,
      multiAz: engine.multiAz,
    };
    return {
      compute,
      pauseScope: {
        engine: 'serverless',
        replicationConfigIdentifier: props.replicationConfigIdentifier,
      },
      replicate: () => {
        const replicationConfig = new dms.CfnReplicationConfig(this, 'Serverless', {
          replicationConfigIdentifier: props.replicationConfigIdentifier,
          replicationType: 'full-load-and-cdc',
          sourceEndpointArn: props.source.ref,
          targetEndpointArn: props.target.ref,
          tableMappings: props.tableMappings,
          replicationSettings: settings,
          computeConfig: {
            ...compute,
            replicationSubnetGroupId: props.network.subnetGroup.ref,
            vpcSecurityGroupIds: [props.network.securityGroup.securityGroupId],
            kmsKeyId: props.encryptionKey.keyArn,
          },
        });
        for (const dependency of props.dependsOn) {
          replicationConfig.node.addDependency(dependency);
        }
        return {
          resource: replicationConfig,
          replicationConfig,
          startTarget: {
            engine: 'serverless',
            replicationConfigArn: replicationConfig.attrReplicationConfigArn,
          },
        };
      },
    };
  }

  /** A short digest of the settings, as CloudFormation will see them. */
  private fingerprint(settings: Record<string, unknown>): string {
    const resolved = JSON.stringify(Stack.of(this).resolve(settings));
    return crypto.createHash('sha256').update(resolved).digest('hex').slice(0, 16);
  }
}
