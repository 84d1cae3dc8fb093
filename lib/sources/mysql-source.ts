import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../shared/nag';
import type { MysqlConfig } from './config';
import type { DatabaseProtection } from './database-protection';
import { databaseSecurityGroup, importedDatabaseAccess } from './database-access';
import type { DatabaseSource } from './database-source';

/** Properties of a {@link MysqlSource}. */
export interface MysqlSourceProps {
  /** Create an instance, or use an existing one. */
  readonly mysql: MysqlConfig;
  /** The VPC of the instance. */
  readonly vpc: ec2.IVpc;
  /** Subnets of a created instance. */
  readonly subnets: ec2.SubnetSelection;
  /** Encrypts a created instance, its backups and snapshots. */
  readonly encryptionKey: kms.IKey;
  /** What happens to a created instance when its stack is deleted. */
  readonly protection: DatabaseProtection;
}

/**
 * The binary log settings that change data capture (AWS DMS) requires: whole rows, every
 * column, no checksums. Binary logging itself is on whenever automated backups are.
 */
export const CHANGE_DATA_CAPTURE_PARAMETERS: Readonly<Record<string, string>> = {
  binlog_format: 'ROW',
  binlog_row_image: 'FULL',
  binlog_checksum: 'NONE',
};

/**
 * An RDS for MySQL instance: created encrypted and private, with automated backups, a binary
 * log ready for change data capture and a generated master secret, or imported by identifier
 * with its secret.
 */
export class MysqlSource extends Construct implements DatabaseSource {
  readonly identifier: string;
  readonly databaseName: string;
  readonly endpointAddress: string;
  readonly port: number;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly secret: secretsmanager.ISecret;
  /** The instance, when the app creates it. */
  readonly instance?: rds.DatabaseInstance;

  constructor(scope: Construct, id: string, props: MysqlSourceProps) {
    super(scope, id);
    const config = props.mysql;
    // RDS stores identifiers in lower case; Amazon ML and IAM ARNs use that form.
    this.identifier = config.instanceIdentifier.toLowerCase();
    this.databaseName = config.databaseName;
    this.port = config.port;

    if (config.mode === 'import') {
      ({
        endpointAddress: this.endpointAddress,
        securityGroup: this.securityGroup,
        secret: this.secret,
      } = importedDatabaseAccess(this, config));
      return;
    }

    const securityGroup = databaseSecurityGroup(
      this,
      props.vpc,
      `MySQL instance ${this.identifier}`,
    );
    this.securityGroup = securityGroup;

    const engine = rds.DatabaseInstanceEngine.mysql({
      version: rds.MysqlEngineVersion.of(
        config.engineVersion,
        config.engineVersion.split('.').slice(0, 2).join('.'),
      ),
    });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `MySQL ${config.engineVersion} with a binary log for change data capture`,
      parameters: { ...CHANGE_DATA_CAPTURE_PARAMETERS },
    });

    const instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceIdentifier: this.identifier,
      instanceType: new ec2.InstanceType(config.instanceClass),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [securityGroup],
      publiclyAccessible: false,
      port: config.port,
      databaseName: config.databaseName,
      credentials: rds.Credentials.fromGeneratedSecret(config.masterUsername),
      parameterGroup,
      allocatedStorage: config.allocatedStorageGiB,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      multiAz: config.multiAz,
      backupRetention: Duration.days(config.backupRetentionDays),
      copyTagsToSnapshot: true,
      deletionProtection: props.protection.deletionProtection,
      removalPolicy: props.protection.removalPolicy,
      cloudwatchLogsExports: ['error', 'slowquery'],
      autoMinorVersionUpgrade: false,
    });
    this.instance = instance;
    this.endpointAddress = instance.dbInstanceEndpointAddress;
    this.secret = instance.secret!;
    const masterSecret = instance.node.findChild('Secret') as secretsmanager.Secret;
    masterSecret.applyRemovalPolicy(props.protection.secretRemovalPolicy);

    acknowledge(
      instance,
      'AwsSolutions-RDS11',
      undefined,
      'The port is configurable (sources.mysql.port); a non-default port hides nothing from a client that the security group already admits, and the instance is not publicly accessible.',
    );
    if (!config.multiAz) {
      acknowledge(
        instance,
        'AwsSolutions-RDS3',
        undefined,
        'Single-AZ by configuration (sources.mysql.multiAz): the instance is a source for exports and change capture, and automated backups allow a point-in-time restore.',
      );
    }
    if (!props.protection.deletionProtection) {
      acknowledge(
        instance,
        'AwsSolutions-RDS10',
        undefined,
        'storage.removalPolicy is "destroy": the stack may delete the instance, which then keeps a final snapshot.',
      );
    }
    acknowledge(
      masterSecret,
      'AwsSolutions-SMG4',
      undefined,
      'The app does not rotate this password yet: Amazon ML and DMS read it at run time, so a rotation schedule can be added without redeploying them; only the roles granted on this secret can read it.',
    );
  }
}
