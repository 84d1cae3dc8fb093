import * as crypto from 'node:crypto';
import type { CfnResource } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { IDependable } from 'constructs';
import type { ReplicationConfig } from './config';
import { ReplicationPause, ReplicationStart } from './replication-control';
import type { PauseScope, StartTarget } from './replication-control';
import type { ReplicationNetwork } from './replication-network';
import type { TableMappings } from './table-mappings';
import { replicationTaskSettings } from './task-settings';

/** Properties of {@link ChangeCapture}. */
export interface ChangeCaptureProps {
  /** Engine, capacity and whether to start. */
  readonly config: ReplicationConfig;
  /** Identifier of the serverless replication configuration (`engine: serverless`). */
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

/**
 * A full-load-and-CDC replication from the source endpoint to the target endpoint, on a
 * replication instance or on DMS Serverless, kept running across deployments.
 */
export class ChangeCapture extends Construct {
  /** The replication instance, for `engine: instance`. */
  readonly instance?: dms.CfnReplicationInstance;
  /** The replication task, for `engine: instance`. */
  readonly task?: dms.CfnReplicationTask;
  /** The serverless replication configuration, for `engine: serverless`. */
  readonly replicationConfig?: dms.CfnReplicationConfig;
  /** Stops the replication before its settings change. */
  readonly pause: ReplicationPause;
  /** Starts the replication; absent when `startTask` is off. */
  readonly start?: ReplicationStart;

  constructor(scope: Construct, id: string, props: ChangeCaptureProps) {
    super(scope, id);
    const { config, network } = props;
    const settings = replicationTaskSettings();
    const securityGroupIds = [network.securityGroup.securityGroupId];

    let pauseScope: PauseScope;
    let compute: Record<string, unknown>;
    if (config.engine === 'instance') {
      const instanceCompute = {
        replicationInstanceClass: config.instanceClass,
        allocatedStorage: config.allocatedStorageGiB,
        multiAz: config.multiAz,
      };
      compute = instanceCompute;
      this.instance = new dms.CfnReplicationInstance(this, 'Instance', {
        ...instanceCompute,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        replicationSubnetGroupIdentifier: network.subnetGroup.ref,
        vpcSecurityGroupIds: securityGroupIds,
        kmsKeyId: props.encryptionKey.keyArn,
      });
      for (const dependency of props.dependsOn) this.instance.node.addDependency(dependency);
      pauseScope = { engine: 'instance', replicationInstanceArn: this.instance.ref };
    } else {
      compute = {
        minCapacityUnits: config.serverlessCapacity.min,
        maxCapacityUnits: config.serverlessCapacity.max,
        multiAz: config.multiAz,
      };
      pauseScope = {
        engine: 'serverless',
        replicationConfigIdentifier: props.replicationConfigIdentifier,
      };
    }

    const fingerprint = this.fingerprint({
      source: [props.source.engineName, props.source.sslMode, props.source.mySqlSettings],
      target: props.target.s3Settings,
      tableMappings: props.tableMappings,
      settings,
      compute,
    });
    this.pause = new ReplicationPause(this, 'Pause', { scope: pauseScope, fingerprint });
    props.source.node.addDependency(this.pause);
    props.target.node.addDependency(this.pause);

    let startTarget: StartTarget;
    let replication: CfnResource;
    if (this.instance) {
      this.task = new dms.CfnReplicationTask(this, 'Task', {
        migrationType: 'full-load-and-cdc',
        replicationInstanceArn: this.instance.ref,
        sourceEndpointArn: props.source.ref,
        targetEndpointArn: props.target.ref,
        tableMappings: JSON.stringify(props.tableMappings),
        replicationTaskSettings: JSON.stringify(settings),
      });
      startTarget = { engine: 'instance', replicationTaskArn: this.task.ref };
      replication = this.task;
    } else {
      this.replicationConfig = new dms.CfnReplicationConfig(this, 'Serverless', {
        replicationConfigIdentifier: props.replicationConfigIdentifier,
        replicationType: 'full-load-and-cdc',
        sourceEndpointArn: props.source.ref,
        targetEndpointArn: props.target.ref,
        tableMappings: props.tableMappings,
        replicationSettings: settings,
        computeConfig: {
          minCapacityUnits: config.serverlessCapacity.min,
          maxCapacityUnits: config.serverlessCapacity.max,
          multiAz: config.multiAz,
          replicationSubnetGroupId: network.subnetGroup.ref,
          vpcSecurityGroupIds: securityGroupIds,
          kmsKeyId: props.encryptionKey.keyArn,
        },
      });
      for (const dependency of props.dependsOn) {
        this.replicationConfig.node.addDependency(dependency);
      }
      startTarget = {
        engine: 'serverless',
        replicationConfigArn: this.replicationConfig.attrReplicationConfigArn,
      };
      replication = this.replicationConfig;
    }
    replication.node.addDependency(this.pause);
    for (const dependency of props.startsAfter) replication.node.addDependency(dependency);

    if (config.startTask) {
      this.start = new ReplicationStart(this, 'Start', { target: startTarget, fingerprint });
      this.start.node.addDependency(replication);
    }
  }

  /** A short digest of the settings, as CloudFormation will see them. */
  private fingerprint(settings: Record<string, unknown>): string {
    const resolved = JSON.stringify(Stack.of(this).resolve(settings));
    return crypto.createHash('sha256').update(resolved).digest('hex').slice(0, 16);
  }
}
