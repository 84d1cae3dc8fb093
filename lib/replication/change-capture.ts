import * as crypto from 'node:crypto';
import type { CfnResource } from 'aws-cdk-lib';
import { RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { IDependable } from 'constructs';
import { acknowledgeControl } from '../shared/nag';
import type { ReplicationEngineConfig } from './config';
import { ReplicationPause, ReplicationStart } from './replication-control';
import type { PauseScope, ReplicationTag, StartTarget } from './replication-control';
import { ReplicationFailureAlarm } from './replication-failure-alarm';
import type { ReplicationNames } from './replication-names';
import type { ReplicationNetwork } from './replication-network';
import type { TableMappings } from './table-mappings';
import { replicationTaskSettings } from './task-settings';

/** Properties of {@link ChangeCapture}. */
export interface ChangeCaptureProps {
  /** A replication instance with its settings, or DMS Serverless with its capacity. */
  readonly engine: ReplicationEngineConfig;
  /** Start the replication once it is created, and resume it after each change. */
  readonly startTask: boolean;
  /** The names of the replication generation's resources. */
  readonly names: ReplicationNames;
  /** The tag of the app's replications, which the control functions may stop and start. */
  readonly replicationTag: ReplicationTag;
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
  /** What must be ready before the replication is created: DMS can use its roles. */
  readonly dependsOn: IDependable[];
  /** What must be complete before the replication starts: the source database setup. */
  readonly startsAfter: IDependable[];
}

/** The replication that an engine runs, and how to start it. */
interface Replication {
  readonly resource: CfnResource;
  /** The ARN of the task or serverless configuration. */
  readonly arn: string;
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
 * replication instance or on DMS Serverless, kept running across deployments: one replication
 * generation. Its instance, task or serverless configuration carry the generation in their
 * construct ids and their names (`replication-names.ts`), so that a new generation is a new
 * replication next to the previous one, which CloudFormation deletes once the new one runs,
 * and a change that would replace one within a generation fails instead.
 *
 * DMS writes the replication's logs to a log group named after it, which it creates without a
 * retention, and its policy (AmazonDMSCloudWatchLogsRole) cannot set one; so the group is made
 * here first, with a retention, and kept when the replication goes.
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
  /** The log group DMS writes the replication's logs to. */
  readonly logGroup: logs.LogGroup;
  /** Goes off when DMS reports that the replication failed. */
  readonly failureAlarm: ReplicationFailureAlarm;

  constructor(scope: Construct, id: string, props: ChangeCaptureProps) {
    super(scope, id);
    const settings = replicationTaskSettings();
    const engine =
      props.engine.mode === 'instance'
        ? this.onInstance(props.engine, settings, props)
        : this.onServerless(props.engine, settings, props);
    this.instance = engine.instance;

    const fingerprint = this.fingerprint({
      source: [
        props.source.engineName,
        props.source.sslMode,
        props.source.certificateArn,
        props.source.mySqlSettings,
      ],
      target: props.target.s3Settings,
      tableMappings: props.tableMappings,
      settings,
      compute: engine.compute,
    });
    this.pause = new ReplicationPause(this, 'Pause', {
      scope: engine.pauseScope,
      fingerprint,
      replicationTag: props.replicationTag,
    });
    props.source.node.addDependency(this.pause);
    props.target.node.addDependency(this.pause);

    const replication = engine.replicate();
    this.task = replication.task;
    this.replicationConfig = replication.replicationConfig;
    Tags.of(replication.resource).add(props.replicationTag.key, props.replicationTag.value);
    replication.resource.node.addDependency(this.pause);
    for (const dependency of props.startsAfter) replication.resource.node.addDependency(dependency);

    this.logGroup = new logs.LogGroup(this, `LogsGeneration${props.names.generation}`, {
      logGroupName:
        props.engine.mode === 'instance'
          ? props.names.instanceLogGroup
          : props.names.serverlessLogGroup,
      retention: logs.RetentionDays.ONE_YEAR,
      // A fixed name: kept when the replication goes, but not left behind by a first
      // deployment that rolls back, which would block the next attempt.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    acknowledgeControl(
      this.logGroup,
      'cloudwatch_log_group_encrypted_check',
      'CloudWatch Logs encrypts every log group at rest; DMS writes its task logs here (progress and errors, no data rows), and a customer managed key would need a key policy for DMS to write with.',
    );
    (engine.instance ?? replication.resource).node.addDependency(this.logGroup);
    this.failureAlarm = new ReplicationFailureAlarm(this, 'FailureAlarm', {
      names: props.names,
      replicationArn: replication.arn,
      serverless: props.engine.mode === 'serverless',
    });

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
    const instance = new dms.CfnReplicationInstance(
      this,
      `InstanceGeneration${props.names.generation}`,
      {
        ...compute,
        replicationInstanceIdentifier: props.names.replication,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        replicationSubnetGroupIdentifier: props.network.subnetGroup.ref,
        vpcSecurityGroupIds: [props.network.securityGroup.securityGroupId],
        kmsKeyId: props.encryptionKey.keyArn,
      },
    );
    for (const dependency of props.dependsOn) instance.node.addDependency(dependency);
    return {
      instance,
      compute,
      pauseScope: { engine: 'instance', replicationInstanceArn: instance.ref },
      replicate: () => {
        const task = new dms.CfnReplicationTask(this, `TaskGeneration${props.names.generation}`, {
          replicationTaskIdentifier: props.names.replication,
          migrationType: 'full-load-and-cdc',
          replicationInstanceArn: instance.ref,
          sourceEndpointArn: props.source.ref,
          targetEndpointArn: props.target.ref,
          tableMappings: JSON.stringify(props.tableMappings),
          replicationTaskSettings: JSON.stringify(settings),
        });
        return {
          resource: task,
          arn: task.ref,
          task,
          startTarget: {
            engine: 'instance',
            replicationTaskArn: task.ref,
            replicationInstanceArn: instance.ref,
            endpointArns: [props.source.ref, props.target.ref],
          },
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
        replicationConfigIdentifier: props.names.replication,
      },
      replicate: () => {
        const replicationConfig = new dms.CfnReplicationConfig(
          this,
          `ServerlessGeneration${props.names.generation}`,
          {
            replicationConfigIdentifier: props.names.replication,
            // The end of its ARN, and the name of its log group.
            resourceIdentifier: props.names.replication,
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
          },
        );
        for (const dependency of props.dependsOn) {
          replicationConfig.node.addDependency(dependency);
        }
        return {
          resource: replicationConfig,
          arn: replicationConfig.attrReplicationConfigArn,
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
