import * as dms from 'aws-cdk-lib/aws-dms';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { IDependable } from 'constructs';
import type { DatabaseSource } from '../sources/database-source';

/** Properties of {@link ReplicationNetwork}. */
export interface ReplicationNetworkProps {
  /** The VPC of the source database. */
  readonly vpc: ec2.IVpc;
  /** Subnets that DMS runs in; they need a route to S3 and Secrets Manager. */
  readonly subnets: ec2.SubnetSelection;
  /** The MySQL source that DMS reads. */
  readonly mysql: DatabaseSource;
  /** Resources the subnet group must wait for: the check that DMS can use `dms-vpc-role`. */
  readonly dependsOn: IDependable[];
  /**
   * VPC endpoints to create: `s3` (gateway) and `secretsmanager` (interface). DMS Serverless,
   * and anything in subnets without NAT, reaches these services only through endpoints.
   * @default - none
   */
  readonly endpoints?: ReadonlyArray<'s3' | 'secretsmanager'>;
}

/**
 * Where DMS runs: its subnet group and security group, the database ingress it needs and,
 * when asked, the VPC endpoints through which it reaches S3 and Secrets Manager.
 */
export class ReplicationNetwork extends Construct {
  readonly subnetGroup: dms.CfnReplicationSubnetGroup;
  readonly securityGroup: ec2.SecurityGroup;
  /**
   * The Secrets Manager endpoint, when created; other clients in the VPC are allowed to it
   * with {@link allowSecretsManagerFrom}.
   */
  readonly secretsManagerEndpoint?: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: ReplicationNetworkProps) {
    super(scope, id);
    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;

    this.subnetGroup = new dms.CfnReplicationSubnetGroup(this, 'SubnetGroup', {
      replicationSubnetGroupDescription: 'Subnets of the DMS replication of the MySQL source',
      subnetIds,
    });
    // DMS checks dms-vpc-role when it creates the subnet group; a dependency on the role alone
    // does not wait until DMS can use it.
    for (const dependency of props.dependsOn) this.subnetGroup.node.addDependency(dependency);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'DMS replication: reads MySQL, writes S3, reads its secret',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'S3 and Secrets Manager over HTTPS',
    );
    allowDatabaseAccess(this.securityGroup, props.mysql, 'DMS replication reads the binlog');

    const endpoints = new Set(props.endpoints ?? []);
    if (endpoints.has('s3')) {
      new ec2.GatewayVpcEndpoint(this, 'S3Endpoint', {
        vpc: props.vpc,
        service: ec2.GatewayVpcEndpointAwsService.S3,
        subnets: [props.subnets],
      });
    }
    if (endpoints.has('secretsmanager')) {
      this.secretsManagerEndpoint = new ec2.InterfaceVpcEndpoint(this, 'SecretsManagerEndpoint', {
        vpc: props.vpc,
        service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        subnets: props.subnets,
        privateDnsEnabled: true,
        open: false,
      });
      this.allowSecretsManagerFrom(this.securityGroup);
    }
  }

  /** Lets a security group reach the Secrets Manager endpoint, when there is one. */
  allowSecretsManagerFrom(securityGroup: ec2.ISecurityGroup): void {
    this.secretsManagerEndpoint?.connections.allowDefaultPortFrom(
      securityGroup,
      'Secrets Manager API over HTTPS',
    );
  }
}

/** Lets `client` open connections to the database, and the database accept them. */
export function allowDatabaseAccess(
  client: ec2.ISecurityGroup,
  database: DatabaseSource,
  description: string,
): void {
  client.connections.allowTo(database.securityGroup, ec2.Port.tcp(database.port), description);
}
