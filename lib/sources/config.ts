import { z } from 'zod';
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

export const networkConfigSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    /** Create a VPC with isolated and private subnets. */
    mode: z.literal('create'),
    /** The VPC's IPv4 CIDR block. */
    cidr: z
      .string()
      .regex(
        /^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/,
        'must be an IPv4 CIDR between /16 and /24',
      ),
    /** Number of availability zones. */
    maxAzs: z.int().min(2).max(3),
    /** NAT gateways for the private subnets (Data Pipeline instances and Lambda reach AWS APIs through them). */
    natGateways: z.int().min(0).max(3),
  }),
  z.strictObject({
    /** Use an existing VPC. */
    mode: z.literal('import'),
    vpcId,
    /** Availability zones of the subnets below, in the same order. */
    availabilityZones: z
      .array(z.string().regex(/^[a-z]{2}-[a-z]+-\d[a-z]$/, 'must be an availability zone name'))
      .min(2),
    /** Private subnets with a route to AWS APIs, one per availability zone. */
    privateSubnetIds: z.array(subnetId).min(2),
  }),
]);
export type NetworkConfig = z.infer<typeof networkConfigSchema>;

const importedDatabase = {
  mode: z.literal('import'),
  /** Secrets Manager secret with `username` and `password` keys. */
  secretArn,
  /** The database's endpoint address. */
  endpointAddress: z.string().min(1),
  port,
  /** Security group attached to the database; ingress rules are added to it. */
  securityGroupId,
};

export const redshiftConfigSchema = z.discriminatedUnion('mode', [
  z.strictObject({
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
    numberOfNodes: z.int().min(1).max(128),
    port,
  }),
  z.strictObject({
    ...importedDatabase,
    clusterIdentifier: redshiftClusterIdentifier,
    databaseName: redshiftDatabaseName,
  }),
]);
export type RedshiftConfig = z.infer<typeof redshiftConfigSchema>;

export const mysqlConfigSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('create'),
    instanceIdentifier: dbInstanceIdentifier,
    /** Database created with the instance. */
    databaseName: mysqlDatabaseName,
    masterUsername: databaseUsername,
    /** MySQL engine version, for example `8.0.40`. */
    engineVersion: z
      .string()
      .regex(/^8\.(0|4)\.\d+$/, 'must be a MySQL 8.0 or 8.4 version such as 8.0.40'),
    /** Instance class without the `db.` prefix, for example `t3.micro`. */
    instanceClass: z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, 'must look like t3.micro'),
    allocatedStorageGiB: z.int().min(20).max(65536),
    /** Days of automated backups; change data capture needs at least 1. */
    backupRetentionDays: z.int().min(1).max(35),
    multiAz: z.boolean(),
    port,
  }),
  z.strictObject({
    ...importedDatabase,
    instanceIdentifier: dbInstanceIdentifier,
    databaseName: mysqlDatabaseName,
  }),
]);
export type MysqlConfig = z.infer<typeof mysqlConfigSchema>;

export const sourcesConfigSchema = z.strictObject({
  redshift: redshiftConfigSchema,
  mysql: mysqlConfigSchema,
});
export type SourcesConfig = z.infer<typeof sourcesConfigSchema>;

export const DEFAULT_NETWORK_CONFIG: z.input<typeof networkConfigSchema> = {
  mode: 'create',
  cidr: '10.42.0.0/16',
  maxAzs: 2,
  natGateways: 1,
};

export const DEFAULT_SOURCES_CONFIG: z.input<typeof sourcesConfigSchema> = {
  redshift: {
    mode: 'create',
    clusterIdentifier: 'ml-foundation-redshift',
    databaseName: 'dev',
    masterUsername: 'awsuser',
    nodeType: 'ra3.large',
    numberOfNodes: 1,
    port: 5439,
  },
  mysql: {
    mode: 'create',
    instanceIdentifier: 'ml-foundation-mysql',
    databaseName: 'banking',
    masterUsername: 'admin',
    engineVersion: '8.0.40',
    instanceClass: 't3.micro',
    allocatedStorageGiB: 20,
    backupRetentionDays: 7,
    multiAz: false,
    port: 3306,
  },
};
