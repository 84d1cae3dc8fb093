import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IDependable } from 'constructs';
import { Construct, DependencyGroup } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import { acknowledge, acknowledgeControl } from '../shared/nag';
import type { RedshiftConfig } from './config';
import type { DatabaseProtection } from './database-protection';
import { keepForDatabase } from './database-protection';
import { databaseSecurityGroup, importedDatabaseAccess } from './database-access';
import type { DatabaseSource } from './database-source';
import {
  REDSHIFT_REFUSED_PASSWORD_CHARACTERS,
  RedshiftSourceTables,
} from './redshift-source-tables';
import { readerSecretOf, sourceTablesOptions } from './source-tables';

/** Properties of a {@link RedshiftSource}. */
export interface RedshiftSourceProps {
  /** Create a cluster, or use an existing one. */
  readonly redshift: RedshiftConfig;
  /** The VPC of the cluster. */
  readonly vpc: ec2.IVpc;
  /** Subnets of a created cluster that is not publicly accessible. */
  readonly subnets: ec2.SubnetSelection;
  /**
   * Whether a created cluster has a public endpoint in the VPC's public subnets, which Amazon ML
   * needs (it connects from its own addresses). Decided once, when the cluster is created: the
   * subnet group of a running cluster cannot change without replacing it.
   */
  readonly publiclyAccessible: boolean;
  /** Encrypts a created cluster and its snapshots. */
  readonly encryptionKey: kms.IKey;
  /** What happens to a created cluster when its stack is deleted. */
  readonly protection: DatabaseProtection;
  /** Every dataset: a created cluster gets their tables. */
  readonly datasets: readonly DatasetConfig[];
  /**
   * The datasets that Amazon ML reads from the cluster: with any, a reader user.
   * @default - none
   */
  readonly readerDatasets?: readonly DatasetConfig[];
}

/**
 * An Amazon Redshift cluster: created encrypted and (unless Amazon ML needs to reach it) private,
 * with TLS required, audit and user activity logging to CloudWatch Logs, automated snapshots, a
 * generated admin secret and every dataset's table; or imported by identifier with its secret.
 * Either way, with a user that Amazon ML reads as when a datasource reads the cluster.
 */
export class RedshiftSource extends Construct implements DatabaseSource {
  readonly identifier: string;
  readonly databaseName: string;
  readonly endpointAddress: string;
  readonly port: number;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly secret: secretsmanager.ISecret;
  readonly tablesReady: IDependable;
  /** The cluster resource, when the app creates it. */
  readonly cluster?: redshift.CfnCluster;
  /** The setup of the tables and the reader, when there is something to set up. */
  readonly tables?: RedshiftSourceTables;
  private unload?: iam.Role;

  constructor(scope: Construct, id: string, props: RedshiftSourceProps) {
    super(scope, id);
    const config = props.redshift;
    this.identifier = config.clusterIdentifier;
    this.databaseName = config.databaseName;
    this.port = config.port;

    if (config.mode === 'import') {
      ({
        endpointAddress: this.endpointAddress,
        securityGroup: this.securityGroup,
        secret: this.secret,
      } = importedDatabaseAccess(this, config));
    } else {
      const { cluster, securityGroup, adminSecret } = this.createCluster(config, props);
      this.cluster = cluster;
      this.endpointAddress = cluster.attrEndpointAddress;
      this.securityGroup = securityGroup;
      this.secret = adminSecret.attach({
        // Completes the secret with the cluster's host and port, as rotation functions expect.
        asSecretAttachmentTarget: () => ({
          targetId: cluster.ref,
          targetType: secretsmanager.AttachmentTargetType.REDSHIFT_CLUSTER,
        }),
      });
    }

    const tables = sourceTablesOptions(config, props.datasets, props.readerDatasets);
    if (tables) {
      this.tables = new RedshiftSourceTables(this, 'Tables', {
        cluster: {
          clusterIdentifier: this.cluster?.ref ?? this.identifier,
          databaseName: this.databaseName,
          endpointAddress: this.endpointAddress,
          port: this.port,
          secret: this.secret,
        },
        ...tables,
      });
    }
    this.tablesReady = this.tables?.resource ?? new DependencyGroup();
  }

  get readerSecret(): secretsmanager.ISecret {
    return readerSecretOf(this.tables, `the Redshift cluster ${this.identifier}`);
  }

  private createCluster(
    config: Extract<RedshiftConfig, { mode: 'create' }>,
    props: RedshiftSourceProps,
  ): {
    cluster: redshift.CfnCluster;
    securityGroup: ec2.SecurityGroup;
    adminSecret: secretsmanager.Secret;
  } {
    const { protection, publiclyAccessible } = props;
    const securityGroup = databaseSecurityGroup(
      this,
      props.vpc,
      `Redshift cluster ${config.clusterIdentifier}`,
    );
    keepForDatabase(protection, securityGroup);

    const adminSecret = new secretsmanager.Secret(this, 'AdminSecret', {
      description: `Admin credentials of the Redshift cluster ${config.clusterIdentifier}`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: config.masterUsername }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludeCharacters: REDSHIFT_REFUSED_PASSWORD_CHARACTERS,
        requireEachIncludedType: true,
      },
      removalPolicy: protection.secretRemovalPolicy,
    });
    acknowledge(
      adminSecret,
      'AwsSolutions-SMG4',
      undefined,
      'The app does not rotate this password yet: the table setup reads it at run time, so a rotation schedule can be added without redeploying it; only the roles granted on this secret can read it.',
    );

    const subnets = publiclyAccessible
      ? props.vpc.publicSubnets
      : props.vpc.selectSubnets(props.subnets).subnets;
    if (publiclyAccessible && subnets.length === 0) {
      this.node.addValidation({
        validate: () => [
          'sources.redshift.publiclyAccessible needs public subnets: create the VPC with at least one NAT gateway',
        ],
      });
    }
    // The id names the accessibility: a later switch makes a new subnet group, and with it a
    // new ClusterSubnetGroupName, which only a replacement of the cluster could take (the
    // property is create-only); CloudFormation refuses to replace a cluster with a fixed
    // identifier, so the switch fails before anything changes instead of moving the cluster.
    const subnetGroup = new redshift.CfnClusterSubnetGroup(
      this,
      publiclyAccessible ? 'PublicSubnetGroup' : 'SubnetGroup',
      {
        description: `Subnets of the Redshift cluster ${config.clusterIdentifier}`,
        subnetIds: subnets.map((subnet) => subnet.subnetId),
      },
    );
    keepForDatabase(protection, subnetGroup);
    const parameterGroup = new redshift.CfnClusterParameterGroup(this, 'ParameterGroup', {
      description: `Parameters of the Redshift cluster ${config.clusterIdentifier}`,
      parameterGroupFamily: 'redshift-1.0',
      parameters: [
        { parameterName: 'require_ssl', parameterValue: 'true' },
        { parameterName: 'enable_user_activity_logging', parameterValue: 'true' },
      ],
    });
    keepForDatabase(protection, parameterGroup);

    const multiNode = config.numberOfNodes > 1;
    const cluster = new redshift.CfnCluster(this, 'Cluster', {
      clusterIdentifier: config.clusterIdentifier,
      clusterType: multiNode ? 'multi-node' : 'single-node',
      nodeType: config.nodeType,
      numberOfNodes: multiNode ? config.numberOfNodes : undefined,
      dbName: config.databaseName,
      masterUsername: config.masterUsername,
      masterUserPassword: adminSecret.secretValueFromJson('password').unsafeUnwrap(),
      port: config.port,
      encrypted: true,
      kmsKeyId: props.encryptionKey.keyArn,
      publiclyAccessible,
      clusterSubnetGroupName: subnetGroup.ref,
      vpcSecurityGroupIds: [securityGroup.securityGroupId],
      clusterParameterGroupName: parameterGroup.ref,
      automatedSnapshotRetentionPeriod: config.automatedSnapshotRetentionDays,
      allowVersionUpgrade: true,
      // COPY and UNLOAD traffic stays in the VPC, through its S3 gateway endpoint (CT.REDSHIFT.PR.5).
      enhancedVpcRouting: true,
      preferredMaintenanceWindow: 'sun:04:00-sun:04:30',
      loggingProperties: {
        logDestinationType: 'cloudwatch',
        logExports: ['connectionlog', 'useractivitylog', 'userlog'],
      },
    });
    cluster.applyRemovalPolicy(protection.removalPolicy);
    acknowledge(
      cluster,
      'AwsSolutions-RS4',
      undefined,
      'The port is configurable (sources.redshift.port); a non-default port hides nothing from a client that the security group already admits, and TLS is required.',
    );
    acknowledgeControl(
      cluster,
      'redshift_cluster_audit_logging_enabled_check',
      'Audit logging is on, to CloudWatch Logs (LogDestinationType cloudwatch: connection, user and user activity logs); the rule recognises only delivery to an S3 bucket.',
    );
    if (publiclyAccessible) {
      const reason =
        'Public so that Amazon ML can connect (it reads Redshift from its own address ranges): the security group admits no one but the Amazon ML address ranges that Amazon ML adds through its role, and TLS is required (require_ssl).';
      acknowledge(cluster, 'AwsSolutions-RS8', undefined, reason);
      acknowledgeControl(
        cluster,
        'redshift_cluster_public_access_check',
        `${reason} An account that enforces CT.REDSHIFT.PR.1 refuses a public cluster: read the dataset from MySQL there, or import a cluster that Amazon ML can reach.`,
      );
    }
    return { cluster, securityGroup, adminSecret };
  }

  /**
   * The role that a created cluster assumes to write UNLOAD files to S3: made and associated
   * with the cluster (`IamRoles`, updated without interruption) on the first call, with no
   * permissions until a caller grants it what it writes. An imported cluster has none here.
   */
  unloadRole(): iam.IRole | undefined {
    if (!this.cluster) return undefined;
    if (!this.unload) {
      this.unload = new iam.Role(this, 'UnloadRole', {
        assumedBy: new iam.ServicePrincipal('redshift.amazonaws.com'),
        description: `Role the Redshift cluster ${this.identifier} assumes to UNLOAD to S3`,
      });
      this.cluster.iamRoles = [...(this.cluster.iamRoles ?? []), this.unload.roleArn];
    }
    return this.unload;
  }
}
