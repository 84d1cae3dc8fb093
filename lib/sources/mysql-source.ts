import { Annotations, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IDependable } from 'constructs';
import { Construct, DependencyGroup } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import { acknowledge, acknowledgeControl } from '../shared/nag';
import type { MysqlConfig } from './config';
import type { DatabaseProtection } from './database-protection';
import { keepForDatabase } from './database-protection';
import { databaseSecurityGroup, importedDatabaseAccess } from './database-access';
import type { DatabaseSource } from './database-source';
import { MySqlSourceTables } from './mysql-source-tables';
import { readerSecretOf, sourceTablesOptions } from './source-tables';

/** Properties of a {@link MysqlSource}. */
export interface MysqlSourceProps {
  /** Create an instance, or use an existing one. */
  readonly mysql: MysqlConfig;
  /** The VPC of the instance. */
  readonly vpc: ec2.IVpc;
  /** Subnets of a created instance. */
  readonly subnets: ec2.SubnetSelection;
  /** Subnets of the function that sets up the tables: a route to Secrets Manager. */
  readonly workloadSubnets: ec2.SubnetSelection;
  /** Encrypts a created instance, its backups and snapshots. */
  readonly encryptionKey: kms.IKey;
  /** What happens to a created instance when its stack is deleted. */
  readonly protection: DatabaseProtection;
  /** Every dataset: a created instance gets their tables. */
  readonly datasets: readonly DatasetConfig[];
  /**
   * The datasets that Amazon ML reads from the instance: with any, a reader user.
   * @default - none
   */
  readonly readerDatasets?: readonly DatasetConfig[];
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
 * Every client connects with TLS (CT.RDS.PR.28): the server refuses plain connections. The
 * app's clients do: the setup functions (mysql2, verifying the RDS certificate authorities), DMS
 * (its endpoint's SSL mode), the password rotation (`"ssl": true` in the secret), and AWS Data
 * Pipeline for Amazon ML, whose TLS behaviour is undocumented: if it connects in plain text,
 * MySQL refuses it and the datasource fails with MySQL's message.
 */
export const TLS_ONLY_PARAMETERS: Readonly<Record<string, string>> = {
  require_secure_transport: '1',
};

/** MySQL's own port, which the control CT.RDS.PR.20 asks not to use. */
const DEFAULT_MYSQL_PORT = 3306;

/**
 * The aws-cdk-lib constant of a MySQL version (`8.4.10` is `MysqlEngineVersion.VER_8_4_10`).
 * aws-cdk-lib marks the versions RDS withdrew as deprecated, and the tests fail on deprecated
 * APIs, so a withdrawn default is a failing test rather than a failed deploy.
 */
export function mysqlEngineVersion(version: string): rds.MysqlEngineVersion {
  const name = `VER_${version.replace(/\./g, '_')}`;
  const constants = rds.MysqlEngineVersion as unknown as Record<string, unknown>;
  const constant = constants[name];
  if (!(constant instanceof rds.MysqlEngineVersion)) {
    throw new Error(`aws-cdk-lib offers no MySQL version ${version} (MysqlEngineVersion.${name})`);
  }
  return constant;
}

/**
 * An RDS for MySQL instance: created encrypted and private, with automated backups, a binary
 * log ready for change data capture, a generated master secret and every dataset's table; or
 * imported by identifier with its secret. Either way, with a user that Amazon ML reads as when
 * a datasource reads the instance.
 */
export class MysqlSource extends Construct implements DatabaseSource {
  readonly identifier: string;
  readonly databaseName: string;
  readonly endpointAddress: string;
  readonly port: number;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly secret: secretsmanager.ISecret;
  readonly tablesReady: IDependable;
  /** The instance, when the app creates it. */
  readonly instance?: rds.DatabaseInstance;
  /** The setup of the tables and the reader, when there is something to set up. */
  readonly tables?: MySqlSourceTables;

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
    } else {
      const instance = this.createInstance(config, props);
      this.instance = instance;
      this.securityGroup = instance.connections.securityGroups[0];
      this.endpointAddress = instance.dbInstanceEndpointAddress;
      this.secret = instance.secret!;
    }

    const tables = sourceTablesOptions(config, props.datasets, props.readerDatasets);
    if (tables) {
      this.tables = new MySqlSourceTables(this, 'Tables', {
        vpc: props.vpc,
        subnets: props.workloadSubnets,
        database: this,
        ...tables,
      });
    }
    this.tablesReady = this.tables?.resource ?? new DependencyGroup();
  }

  get readerSecret(): secretsmanager.ISecret {
    return readerSecretOf(this.tables, `the MySQL instance ${this.identifier}`);
  }

  private createInstance(
    config: Extract<MysqlConfig, { mode: 'create' }>,
    props: MysqlSourceProps,
  ): rds.DatabaseInstance {
    const { protection } = props;
    const securityGroup = databaseSecurityGroup(
      this,
      props.vpc,
      `MySQL instance ${this.identifier}`,
    );
    keepForDatabase(protection, securityGroup);

    const version = mysqlEngineVersion(config.engineVersion);
    if (version.mysqlMajorVersion === '8.0') {
      Annotations.of(this).addWarningV2(
        'ml-foundation:mysql-extended-support',
        `MySQL ${config.engineVersion} left RDS standard support on 2026-07-31: the instance runs on paid RDS Extended Support. Set sources.mysql.engineVersion to an 8.4 version.`,
      );
    }
    const engine = rds.DatabaseInstanceEngine.mysql({ version });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      // The description cannot change without replacing the group: it names the major version
      // only, so that a minor version change leaves the group in place.
      description: `MySQL ${engine.engineVersion?.majorVersion} with a binary log for change data capture, TLS only`,
      parameters: { ...CHANGE_DATA_CAPTURE_PARAMETERS, ...TLS_ONLY_PARAMETERS },
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
      // Off unless configured: the deletion policy keeps the instance, and a protected instance
      // cannot be deleted by the rollback of a failed first deploy (see DatabaseProtection).
      deletionProtection: config.deletionProtection,
      removalPolicy: protection.removalPolicy,
      // Every log type MySQL has (CT.RDS.PR.14). The general and audit logs stay empty unless
      // general_log is set or the MariaDB audit plugin is added; error and slow query logs flow.
      cloudwatchLogsExports: ['audit', 'error', 'general', 'slowquery'],
      // Security patches within the major version (CT.RDS.PR.5). The template keeps naming the
      // version it was created with; CloudFormation only changes a version the template changes.
      autoMinorVersionUpgrade: true,
      // Lets IAM users and roles sign in with tokens (CT.RDS.PR.7); the app's own clients keep
      // their passwords in Secrets Manager.
      iamAuthentication: true,
    });
    keepForDatabase(protection, instance.node.findChild('SubnetGroup'));
    for (const group of parameterGroup.node.findAll()) {
      if (group instanceof rds.CfnDBParameterGroup) keepForDatabase(protection, group);
    }
    const masterSecret = instance.node.findChild('Secret') as secretsmanager.Secret;
    masterSecret.applyRemovalPolicy(protection.secretRemovalPolicy);

    acknowledge(
      instance,
      'AwsSolutions-RDS11',
      undefined,
      'The port is configurable (sources.mysql.port); a non-default port hides nothing from a client that the security group already admits, and the instance is not publicly accessible.',
    );
    if (!config.multiAz) {
      const reason =
        'Single-AZ by configuration (sources.mysql.multiAz): the instance is a source for exports and change capture, and automated backups allow a point-in-time restore.';
      acknowledge(instance, 'AwsSolutions-RDS3', undefined, reason);
      acknowledgeControl(instance, 'rds_instance_multi_az_support_check', reason);
    }
    if (config.port === DEFAULT_MYSQL_PORT) {
      acknowledgeControl(
        instance,
        'rds_instance_no_default_ports_check',
        'The port is configurable (sources.mysql.port); a non-default port hides nothing from a client that the security group already admits, and the instance is not publicly accessible.',
      );
    }
    acknowledgeControl(
      instance,
      'rds_instance_enhanced_monitoring_enabled_check',
      'A source for exports and change capture; the CloudWatch metrics of RDS are enough to operate it, and enhanced monitoring would add a monitoring role and per-second metrics to pay for.',
    );
    if (!config.deletionProtection) {
      const unprotected = protection.kept
        ? 'Off by configuration (sources.mysql.deletionProtection): the deletion policy (RetainExceptOnCreate) keeps the instance when its stack is deleted or it would be replaced, and deletion protection would also refuse the delete that rolls back a failed first deploy, leaving the instance to hold its fixed identifier against the retry. Accounts that enforce CT.RDS.PR.8 turn it on.'
        : 'storage.removalPolicy is "destroy": the stack may delete the instance, which then keeps a final snapshot.';
      acknowledge(instance, 'AwsSolutions-RDS10', undefined, unprotected);
      acknowledgeControl(instance, 'rds_instance_deletion_protection_enabled_check', unprotected);
    }
    acknowledge(
      masterSecret,
      'AwsSolutions-SMG4',
      undefined,
      'The app does not rotate this password yet: the setup functions read it at run time, so a rotation schedule can be added without redeploying them; only the roles granted on this secret can read it.',
    );
    return instance;
  }
}
