import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeControl } from '../shared/nag';
import type { RedshiftConfig } from './config';
import type { DatabaseProtection } from './database-protection';
import { databaseSecurityGroup, importedDatabaseAccess } from './database-access';
import type { DatabaseSource } from './database-source';

/** Properties of a {@link RedshiftSource}. */
export interface RedshiftSourceProps {
  /** Create a cluster, or use an existing one. */
  readonly redshift: RedshiftConfig;
  /** The VPC of the cluster. */
  readonly vpc: ec2.IVpc;
  /** Subnets of a created cluster that is not publicly accessible. */
  readonly subnets: ec2.SubnetSelection;
  /** Encrypts a created cluster and its snapshots. */
  readonly encryptionKey: kms.IKey;
  /** What happens to a created cluster when its stack is deleted. */
  readonly protection: DatabaseProtection;
}

/** Characters that Redshift does not accept in a password. */
const REDSHIFT_PASSWORD_EXCLUDED = `"'\\/@ `;

/**
 * An Amazon Redshift cluster: created encrypted and (unless configured otherwise) private, with
 * TLS required, audit and user activity logging to CloudWatch Logs, automated snapshots and a
 * generated admin secret, or imported by identifier with its secret.
 */
export class RedshiftSource extends Construct implements DatabaseSource {
  readonly identifier: string;
  readonly databaseName: string;
  readonly endpointAddress: string;
  readonly port: number;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly secret: secretsmanager.ISecret;
  /** The cluster resource, when the app creates it. */
  readonly cluster?: redshift.CfnCluster;
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
      return;
    }

    const securityGroup = databaseSecurityGroup(
      this,
      props.vpc,
      `Redshift cluster ${config.clusterIdentifier}`,
    );
    this.securityGroup = securityGroup;

    const adminSecret = new secretsmanager.Secret(this, 'AdminSecret', {
      description: `Admin credentials of the Redshift cluster ${config.clusterIdentifier}`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: config.masterUsername }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludeCharacters: REDSHIFT_PASSWORD_EXCLUDED,
        requireEachIncludedType: true,
      },
      removalPolicy: props.protection.secretRemovalPolicy,
    });
    acknowledge(
      adminSecret,
      'AwsSolutions-SMG4',
      undefined,
      'The app does not rotate this password yet: Amazon ML and DMS read it at run time, so a rotation schedule can be added without redeploying them; only the roles granted on this secret can read it.',
    );

    const subnets = config.publiclyAccessible
      ? props.vpc.publicSubnets
      : props.vpc.selectSubnets(props.subnets).subnets;
    if (config.publiclyAccessible && subnets.length === 0) {
      this.node.addValidation({
        validate: () => [
          'sources.redshift.publiclyAccessible needs public subnets: create the VPC with at least one NAT gateway',
        ],
      });
    }
    const subnetGroup = new redshift.CfnClusterSubnetGroup(this, 'SubnetGroup', {
      description: `Subnets of the Redshift cluster ${config.clusterIdentifier}`,
      subnetIds: subnets.map((subnet) => subnet.subnetId),
    });
    const parameterGroup = new redshift.CfnClusterParameterGroup(this, 'ParameterGroup', {
      description: `Parameters of the Redshift cluster ${config.clusterIdentifier}`,
      parameterGroupFamily: 'redshift-1.0',
      parameters: [
        { parameterName: 'require_ssl', parameterValue: 'true' },
        { parameterName: 'enable_user_activity_logging', parameterValue: 'true' },
      ],
    });

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
      publiclyAccessible: config.publiclyAccessible,
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
    cluster.applyRemovalPolicy(props.protection.removalPolicy);
    acknowledge(
      cluster,
      'AwsSolutions-RS4',
      undefined,
      'The port is configurable (sources.redshift.port); a non-default port hides nothing from a client that the security group already admits, and the cluster is not publicly accessible.',
    );
    acknowledgeControl(
      cluster,
      'redshift_cluster_audit_logging_enabled_check',
      'Audit logging is on, to CloudWatch Logs (LogDestinationType cloudwatch: connection, user and user activity logs); the rule recognises only delivery to an S3 bucket.',
    );
    if (config.publiclyAccessible) {
      acknowledge(
        cluster,
        'AwsSolutions-RS8',
        undefined,
        'Public by configuration (sources.redshift.publiclyAccessible) so that Amazon ML can connect: the security group admits no one but the Amazon ML address ranges that Amazon ML adds through its role, and TLS is required.',
      );
    }
    this.cluster = cluster;
    this.endpointAddress = cluster.attrEndpointAddress;

    // Completes the secret with the cluster's host and port, as rotation functions expect.
    this.secret = adminSecret.attach({
      asSecretAttachmentTarget: () => ({
        targetId: cluster.ref,
        targetType: secretsmanager.AttachmentTargetType.REDSHIFT_CLUSTER,
      }),
    });
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
