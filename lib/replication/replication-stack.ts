import type { StackProps } from 'aws-cdk-lib';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import type { DatabaseSource } from '../sources/database-source';
import { addOutputs } from '../shared/outputs';
import type { StorageResources } from '../storage/storage-resources';
import { ChangeCapture } from './change-capture';
import type { ReplicationConfig } from './config';
import { MySqlSourceEndpoint, S3TargetEndpoint } from './dms-endpoints';
import { DmsServiceRoles } from './dms-service-roles';
import { REPLICATION_TAG_KEY, ReplicationNames } from './replication-names';
import { ReplicationNetwork } from './replication-network';
import { SourceDatabaseSetup } from './source-database-setup';
import { tableMappings } from './table-mappings';

/** Properties of the {@link ReplicationStack}. */
export interface ReplicationStackProps extends StackProps {
  /** Prefix of the names of the DMS resources, `<projectName>-cdc-g<generation>`. */
  readonly projectName: string;
  /**
   * The engine, the generation, the DMS roles and user, batching, VPC endpoints and whether to
   * start.
   */
  readonly replication: ReplicationConfig;
  /** The datasets whose MySQL tables are replicated, in the order of `replication.tables`. */
  readonly datasets: readonly DatasetConfig[];
  /** The data lake bucket that DMS writes to, and the key that encrypts it. */
  readonly storage: StorageResources;
  /** The VPC of the source database. */
  readonly vpc: ec2.IVpc;
  /** The MySQL source database. */
  readonly mysql: DatabaseSource;
  /**
   * Subnets that DMS and the setup functions run in; they need a route to the database and,
   * unless `engine.mode` is `serverless`, to S3 and Secrets Manager.
   * @default - the VPC's private subnets with egress
   */
  readonly subnets?: ec2.SubnetSelection;
}

/**
 * Change capture from MySQL into the data lake: every insert, update and delete of the
 * configured tables, written by DMS as Parquet rows with the operation and commit time.
 */
export class ReplicationStack extends Stack {
  readonly changeCapture: ChangeCapture;
  readonly sourceSetup: SourceDatabaseSetup;

  constructor(scope: Construct, id: string, props: ReplicationStackProps) {
    super(scope, id, props);
    const { replication, datasets, storage, vpc, mysql } = props;
    const subnets = props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

    const names = new ReplicationNames(props.projectName, replication.generation);

    const roles = new DmsServiceRoles(this, 'DmsServiceRoles', {
      mode: replication.dmsRoles,
      subnetIds: vpc.selectSubnets(subnets).subnetIds,
      probeSubnetGroupIdentifier: names.roleProbeSubnetGroup,
    });
    const network = new ReplicationNetwork(this, 'Network', {
      vpc,
      subnets,
      mysql,
      dependsOn: roles.ready,
      endpoints: replication.vpcEndpoints,
    });

    this.sourceSetup = new SourceDatabaseSetup(this, 'SourceDatabase', {
      vpc,
      subnets,
      mysql,
      databases: [...new Set(datasets.map((dataset) => dataset.mysqlDatabase))],
      dmsUsername: replication.dmsUser.username,
      passwordRotation: Duration.days(replication.dmsUser.passwordRotationDays),
      binlogRetentionHours: replication.binlogRetentionHours,
      allowSecretsManager: (securityGroup) => network.allowSecretsManagerFrom(securityGroup),
    });

    const source = new MySqlSourceEndpoint(this, 'Source', {
      secret: this.sourceSetup.dmsUserSecret,
    });
    // A generation's target endpoint belongs to one engine: switching engines within a
    // generation would make a second endpoint with the generation's name, which DMS refuses.
    const engineId = replication.engine.mode === 'instance' ? 'Instance' : 'Serverless';
    const target = new S3TargetEndpoint(this, `Target${engineId}Generation${names.generation}`, {
      endpointIdentifier: names.targetEndpoint,
      generation: names.generation,
      bucket: storage.dataLakeBucket,
      encryptionKey: storage.dataKey,
      bucketFolder: replication.bucketFolder,
      cdcMaxBatchIntervalSeconds: replication.cdcMaxBatchIntervalSeconds,
      cdcMinFileSizeKb: replication.cdcMinFileSizeKb,
    });

    this.changeCapture = new ChangeCapture(this, 'ChangeCapture', {
      engine: replication.engine,
      startTask: replication.startTask,
      names,
      replicationTag: { key: REPLICATION_TAG_KEY, value: props.projectName },
      network,
      source: source.endpoint,
      target: target.endpoint,
      tableMappings: tableMappings(datasets),
      encryptionKey: storage.dataKey,
      dependsOn: roles.ready,
      startsAfter: [this.sourceSetup.resource],
    });

    const { task, replicationConfig } = this.changeCapture;
    addOutputs(this, [
      task
        ? {
            id: 'ReplicationTaskArn',
            value: task.ref,
            description: 'DMS replication task (full load and change capture)',
          }
        : {
            id: 'ReplicationConfigArn',
            value: replicationConfig!.attrReplicationConfigArn,
            description: 'DMS Serverless replication (full load and change capture)',
          },
      {
        id: 'DmsUserSecretArn',
        value: this.sourceSetup.dmsUserSecret.secretArn,
        description: 'Secret of the MySQL user DMS reads the binlog as',
      },
    ]);
  }
}
