import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { operationalLogGroup } from '../shared/log-group';
import { acknowledgeBuiltInProvider } from '../shared/provider-acknowledgements';
import type { NetworkConfig } from './config';
import type { DatabaseProtection } from './database-protection';
import { keepForDatabase } from './database-protection';

/** Properties of a {@link SourceNetwork}. */
export interface SourceNetworkProps {
  /** Create a VPC, or use an existing one. */
  readonly network: NetworkConfig;
}

/**
 * The VPC of the source databases, created or imported. A created VPC has isolated subnets for
 * the databases, private subnets behind NAT for the compute that reaches them, an S3 gateway
 * endpoint and flow logs. An imported VPC provides private subnets, used for both.
 */
export class SourceNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  /** The VPC, when the app creates it. */
  readonly createdVpc?: ec2.Vpc;
  /** Where the databases live: no route to the internet. */
  readonly databaseSubnets: ec2.SubnetSelection;
  /** Where compute that reaches the databases runs: a route to AWS APIs. */
  readonly workloadSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: SourceNetworkProps) {
    super(scope, id);
    const { network } = props;

    if (network.mode === 'import') {
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: network.vpcId,
        availabilityZones: network.availabilityZones,
        privateSubnetIds: network.privateSubnetIds,
        privateSubnetRouteTableIds: network.privateSubnetRouteTableIds,
      });
      if (!network.privateSubnetRouteTableIds) {
        Annotations.of(this.vpc).acknowledgeWarning(
          '@aws-cdk/aws-ec2:noSubnetRouteTableId',
          'Without route tables configured, nothing in the app adds routes to the subnets of an existing VPC.',
        );
      }
      this.databaseSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
      this.workloadSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
      return;
    }

    const withEgress = network.natGateways > 0;
    const flowLogs = operationalLogGroup(this, 'FlowLogs');
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(network.cidr),
      maxAzs: network.maxAzs,
      natGateways: network.natGateways,
      subnetConfiguration: [
        ...(withEgress
          ? [
              // Nothing launches with an automatic public address (CT.EC2.PR.11): the NAT
              // gateways have Elastic IPs of their own, and a public Redshift cluster gets its
              // address from Redshift.
              { name: 'public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
              { name: 'workloads', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            ]
          : []),
        { name: 'databases', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });
    acknowledgeBuiltInProvider(
      this,
      'Custom::VpcRestrictDefaultSGCustomResourceProvider',
      "removes the rules of the VPC's default security group",
    );
    this.createdVpc = this.vpc as ec2.Vpc;
    this.databaseSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    this.workloadSubnets = {
      subnetType: withEgress ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
    };
  }

  /**
   * Keeps, when the stack is deleted, what kept databases still use in a created VPC: the VPC
   * and the database subnets and, for a public cluster, the public subnets with the internet
   * gateway (which cannot be detached while the cluster's public address is mapped). The rest
   * (NAT gateways, route tables, flow logs, endpoints, the workload subnets) is deleted.
   * Returns what is kept, for the stack's outputs.
   */
  keepForDatabases(
    protection: DatabaseProtection,
    options: { readonly publicSubnets: boolean },
  ): ec2.ISubnet[] {
    const vpc = this.createdVpc;
    if (!vpc || !protection.kept) return [];
    keepForDatabase(protection, vpc);
    const subnets = [
      ...vpc.selectSubnets(this.databaseSubnets).subnets,
      ...(options.publicSubnets ? vpc.publicSubnets : []),
    ];
    for (const subnet of subnets) keepForDatabase(protection, subnet);
    if (options.publicSubnets) {
      for (const id of ['IGW', 'VPCGW']) {
        const gateway = vpc.node.tryFindChild(id);
        if (gateway) keepForDatabase(protection, gateway);
      }
    }
    return subnets;
  }
}
