import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import { CustomResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { IDependable } from 'constructs';
import { SharedProvider } from '../shared/shared-provider';
import { GENERATED_PASSWORD_EXCLUDED_CHARACTERS } from '../sources/database-access';
import type { DatabaseSource } from '../sources/database-source';
import type { SourceDatabaseSetupProperties } from './handler/source-database-setup-properties';
import { SOURCE_DATABASE_SETUP_RESOURCE_TYPE } from './handler/source-database-setup-properties';
import { allowDatabaseAccess } from './replication-network';

/**
 * Characters left out of the DMS user's password, when it is generated and at every rotation:
 * among them `;.:+`, which DMS refuses in endpoint passwords.
 */
export const DMS_PASSWORD_EXCLUDED_CHARACTERS = GENERATED_PASSWORD_EXCLUDED_CHARACTERS;

/**
 * A digest of how the DMS user's secret is generated. When it changes, Secrets Manager makes a
 * new password, and the setup, whose properties carry the digest, runs again to give the user
 * that password.
 */
const DMS_USER_SECRET_SETTINGS = createHash('sha256')
  .update(JSON.stringify({ excluded: DMS_PASSWORD_EXCLUDED_CHARACTERS, length: 32, ssl: true }))
  .digest('hex')
  .slice(0, 16);

/** Properties of {@link SourceDatabaseSetup}. */
export interface SourceDatabaseSetupProps {
  /** The VPC of the database; the setup function and the password rotation run in it. */
  readonly vpc: ec2.IVpc;
  /** Subnets for the functions; they need a route to Secrets Manager. */
  readonly subnets: ec2.SubnetSelection;
  /**
   * The MySQL source; its secret holds the master credentials the setup uses, and DMS starts
   * reading only once its tables are ready.
   */
  readonly mysql: DatabaseSource;
  /** MySQL databases whose tables DMS reads; the DMS user gets SELECT on them. */
  readonly databases: string[];
  /** The MySQL user that DMS reads as. */
  readonly dmsUsername: string;
  /** Days between two rotations of the DMS user's password. */
  readonly passwordRotation: Duration;
  /** Hours that MySQL keeps binary logs. */
  readonly binlogRetentionHours: number;
  /**
   * Called with each security group that must reach Secrets Manager, for VPCs that reach it
   * through an interface endpoint; what it returns (the endpoint and its rules) is kept until
   * the setup's delete has run.
   * @default - nothing to allow
   */
  readonly allowSecretsManager?: (securityGroup: ec2.ISecurityGroup) => IDependable | void;
}

/**
 * Prepares the MySQL source for change capture, from a function inside the VPC: sets the binlog
 * retention (`mysql.rds_set_configuration`), and creates the DMS user with only REPLICATION
 * CLIENT, REPLICATION SLAVE and SELECT on the replicated databases, signing in with
 * `mysql_native_password` over TLS only (the plugin the DMS User Guide recommends for RDS for
 * MySQL 8.4 sources). The user's credentials live in their own secret, with the host and port
 * that DMS reads from it, and rotate on a schedule.
 */
export class SourceDatabaseSetup extends Construct {
  /** The secret DMS connects with: `host`, `port`, `username`, `password`. */
  readonly dmsUserSecret: secretsmanager.Secret;
  /** The custom resource; DMS must not start before it completes. */
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SourceDatabaseSetupProps) {
    super(scope, id);
    const { mysql } = props;

    this.dmsUserSecret = new secretsmanager.Secret(this, 'DmsUserSecret', {
      description: `MySQL user ${props.dmsUsername} that DMS reads the binlog as`,
      generateSecretString: {
        secretStringTemplate: Stack.of(this).toJsonString({
          engine: 'mysql',
          host: mysql.endpointAddress,
          port: mysql.port,
          username: props.dmsUsername,
          // The rotation function connects with TLS only, never falling back to plain text.
          ssl: true,
        }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludeCharacters: DMS_PASSWORD_EXCLUDED_CHARACTERS,
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const rotationSecurityGroup = this.functionSecurityGroup(
      'RotationSecurityGroup',
      'Rotates the password of the DMS user',
      props,
    );
    const rotation = this.dmsUserSecret.addRotationSchedule('Rotation', {
      automaticallyAfter: props.passwordRotation,
      // The first rotation waits for its schedule: the user exists only once the setup has run.
      rotateImmediatelyOnUpdate: false,
      hostedRotation: secretsmanager.HostedRotation.mysqlSingleUser({
        vpc: props.vpc,
        vpcSubnets: props.subnets,
        securityGroups: [rotationSecurityGroup],
        excludeCharacters: DMS_PASSWORD_EXCLUDED_CHARACTERS,
      }),
    });

    const setupAccess: IDependable[] = [];
    const setupSecurityGroup = this.functionSecurityGroup(
      'SetupSecurityGroup',
      'Sets binlog retention and the DMS user on the MySQL source',
      props,
      setupAccess,
    );
    const provider = SharedProvider.of(this, 'SourceDatabaseSetupProvider', {
      entry: path.join(__dirname, 'handler', 'source-database-setup.ts'),
      description: 'Sets binlog retention and the DMS user on the MySQL source',
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [setupSecurityGroup],
    });
    for (const role of provider.roles) {
      mysql.secret.grantRead(role);
      this.dmsUserSecret.grantRead(role);
    }

    const properties: SourceDatabaseSetupProperties = {
      Host: mysql.endpointAddress,
      Port: mysql.port,
      AdminSecretArn: mysql.secret.secretArn,
      DmsUserSecretArn: this.dmsUserSecret.secretArn,
      DmsUserSecretSettings: DMS_USER_SECRET_SETTINGS,
      Databases: props.databases,
      BinlogRetentionHours: props.binlogRetentionHours,
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: SOURCE_DATABASE_SETUP_RESOURCE_TYPE,
      properties: { ...properties },
    });
    // Deleted before the rules it connects through (the security group holds the 3306 egress
    // and, across stacks, the database's ingress), so that its delete can drop the DMS user.
    this.resource.node.addDependency(setupSecurityGroup, ...setupAccess, mysql.tablesReady);
    rotation.node.addDependency(this.resource);
  }

  private functionSecurityGroup(
    id: string,
    description: string,
    props: SourceDatabaseSetupProps,
    access: IDependable[] = [],
  ): ec2.SecurityGroup {
    const securityGroup = new ec2.SecurityGroup(this, id, {
      vpc: props.vpc,
      description,
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs over HTTPS');
    allowDatabaseAccess(securityGroup, props.mysql, description);
    const secretsManager = props.allowSecretsManager?.(securityGroup);
    if (secretsManager) access.push(secretsManager);
    return securityGroup;
  }
}
