import { z } from 'zod';
import { reporterFor } from '../config/issues';
import { exclusiveModes } from '../config/modes';
import {
  databaseUsername,
  dbInstanceIdentifier,
  mysqlDatabaseName,
  redshiftClusterIdentifier,
  redshiftDatabaseName,
  secretArn,
  securityGroupId,
  subnetId,
  vpcId,
} from '../config/names';

const port = z.int().min(1150).max(65535);

/** A complete secret ARN: grants on a partial ARN would not match the secret. */
const completeSecretArn = secretArn.regex(
  /-[A-Za-z0-9]{6}$/,
  'must be the complete secret ARN, ending with the six-character suffix that Secrets Manager appends',
);

const createdNetwork = z.strictObject({
  /** Create a VPC with isolated and private subnets. */
  mode: z.literal('create'),
  /** The VPC's IPv4 CIDR block. */
  cidr: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/, 'must be an IPv4 CIDR between /16 and /24'),
  /** Number of availability zones. */
  maxAzs: z.int().min(2).max(3),
  /** NAT gateways for the private subnets (Data Pipeline instances and Lambda reach AWS APIs through them). */
  natGateways: z.int().min(0).max(3),
});

const importedNetwork = z
  .strictObject({
    /** Use an existing VPC. */
    mode: z.literal('import'),
    vpcId,
    /** Availability zones of the subnets below, in the same order. */
    availabilityZones: z
      .array(z.string().regex(/^[a-z]{2}-[a-z]+-\d[a-z]$/, 'must be an availability zone name'))
      .min(2),
    /** Private subnets with a route to AWS APIs, one per availability zone. */
    privateSubnetIds: z.array(subnetId).min(2),
    /** Route tables of the private subnets, in the same order; needed for an S3 gateway endpoint. */
    privateSubnetRouteTableIds: z
      .array(
        z
          .string()
          .regex(/^rtb-[0-9a-f]{8,17}$/, 'must be a route table id (rtb-0123456789abcdef0)'),
      )
      .optional(),
  })
  .superRefine((network, ctx) => {
    const report = reporterFor(ctx);
    if (network.availabilityZones.length !== network.privateSubnetIds.length) {
      report(['privateSubnetIds'], 'needs one subnet per availability zone, in the same order');
    }
    const routeTables = network.privateSubnetRouteTableIds;
    if (routeTables && routeTables.length !== network.privateSubnetIds.length) {
      report(
        ['privateSubnetRouteTableIds'],
        'needs one route table per private subnet, in the same order',
      );
    }
  });

export const networkConfigSchema = exclusiveModes([createdNetwork, importedNetwork]);
export type NetworkConfig = z.infer<typeof networkConfigSchema>;

const importedDatabase = {
  mode: z.literal('import'),
  /** Secrets Manager secret with `username` and `password` keys, encrypted with the AWS managed key. */
  secretArn: completeSecretArn,
  /** The database's endpoint address. */
  endpointAddress: z.string().min(1),
  port,
  /** Security group attached to the database; ingress rules are added to it. */
  securityGroupId,
};

/** Node types that Redshift offers only in multi-node clusters. */
const MULTI_NODE_ONLY = new Set(['ra3.4xlarge', 'ra3.16xlarge', 'dc2.8xlarge']);

const createdRedshift = z
  .strictObject({
    mode: z.literal('create'),
    clusterIdentifier: redshiftClusterIdentifier,
    databaseName: redshiftDatabaseName,
    masterUsername: databaseUsername,
    nodeType: z.enum([
      'ra3.large',
      'ra3.xlplus',
      'ra3.4xlarge',
      'ra3.16xlarge',
      'dc2.large',
      'dc2.8xlarge',
    ]),
    /** 1 makes a single-node cluster; more make a multi-node cluster. */
    numberOfNodes: z.int().min(1).max(100),
    /** Days of automated snapshots. */
    automatedSnapshotRetentionDays: z.int().min(1).max(35),
    /**
     * Give the cluster a public endpoint in the public subnets. Amazon ML connects to Redshift
     * from its own address ranges, which it admits to the cluster's security group through its
     * role; a private cluster is out of its reach. Nothing else is admitted.
     */
    publiclyAccessible: z.boolean(),
    port,
  })
  .superRefine((redshift, ctx) => {
    if (MULTI_NODE_ONLY.has(redshift.nodeType) && redshift.numberOfNodes < 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['numberOfNodes'],
        message: `${redshift.nodeType} clusters have at least 2 nodes`,
      });
    }
  });

const importedRedshift = z.strictObject({
  ...importedDatabase,
  clusterIdentifier: redshiftClusterIdentifier,
  databaseName: redshiftDatabaseName,
});

export const redshiftConfigSchema = exclusiveModes([createdRedshift, importedRedshift]);
export type RedshiftConfig = z.infer<typeof redshiftConfigSchema>;

const createdMysql = z.strictObject({
  mode: z.literal('create'),
  instanceIdentifier: dbInstanceIdentifier,
  /** Database created with the instance. */
  databaseName: mysqlDatabaseName,
  masterUsername: databaseUsername,
  /** MySQL engine version, for example `8.4.10`. */
  engineVersion: z
    .string()
    .regex(/^8\.(0|4)\.\d+$/, 'must be a MySQL 8.0 or 8.4 version such as 8.4.10'),
  /** Instance class without the `db.` prefix, for example `t3.micro`. */
  instanceClass: z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, 'must look like t3.micro'),
  allocatedStorageGiB: z.int().min(20).max(65536),
  /** Days of automated backups; change data capture needs at least 1. */
  backupRetentionDays: z.int().min(1).max(35),
  multiAz: z.boolean(),
  port,
});

const importedMysql = z.strictObject({
  ...importedDatabase,
  instanceIdentifier: dbInstanceIdentifier,
  databaseName: mysqlDatabaseName,
});

export const mysqlConfigSchema = exclusiveModes([createdMysql, importedMysql]);
export type MysqlConfig = z.infer<typeof mysqlConfigSchema>;

export const sourcesConfigSchema = z.strictObject({
  redshift: redshiftConfigSchema,
  mysql: mysqlConfigSchema,
});
export type SourcesConfig = z.infer<typeof sourcesConfigSchema>;

export const DEFAULT_NETWORK_CONFIG: z.input<typeof createdNetwork> = {
  mode: 'create',
  cidr: '10.42.0.0/16',
  maxAzs: 2,
  natGateways: 1,
};

export const DEFAULT_SOURCES_CONFIG: {
  redshift: z.input<typeof createdRedshift>;
  mysql: z.input<typeof createdMysql>;
} = {
  redshift: {
    mode: 'create',
    clusterIdentifier: 'ml-foundation-redshift',
    databaseName: 'mlfoundation',
    masterUsername: 'mladmin',
    nodeType: 'ra3.large',
    numberOfNodes: 1,
    automatedSnapshotRetentionDays: 7,
    publiclyAccessible: false,
    port: 5439,
  },
  mysql: {
    mode: 'create',
    instanceIdentifier: 'ml-foundation-mysql',
    databaseName: 'banking',
    masterUsername: 'mladmin',
    engineVersion: '8.4.10',
    instanceClass: 't3.micro',
    allocatedStorageGiB: 20,
    backupRetentionDays: 7,
    multiAz: false,
    port: 3306,
  },
};
