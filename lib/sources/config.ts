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
import { mysqlVersionProblem } from './mysql-versions';

const port = z
  .int()
  .min(1150)
  .max(65535)
  .meta({ description: 'The port the database listens on.' });

/** A complete secret ARN: grants on a partial ARN would not match the secret. */
const completeSecretArn = secretArn.regex(
  /-[A-Za-z0-9]{6}$/,
  'must be the complete secret ARN, ending with the six-character suffix that Secrets Manager appends',
);

const createdNetwork = z.strictObject({
  mode: z
    .literal('create')
    .meta({ description: 'Create a VPC with isolated and private subnets.' }),
  cidr: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/, 'must be an IPv4 CIDR between /16 and /24')
    .meta({ description: "The VPC's IPv4 CIDR block, from /16 to /24." }),
  maxAzs: z.int().min(2).max(3).meta({ description: 'Number of availability zones.' }),
  natGateways: z.int().min(0).max(3).meta({
    description:
      'NAT gateways for the private subnets: Data Pipeline instances (RDS datasources) and Lambda functions reach AWS APIs through them. Without, replication needs `replication.vpcEndpoints` with `secretsmanager`, and RDS datasources cannot run.',
  }),
});

const importedNetwork = z
  .strictObject({
    mode: z.literal('import').meta({ description: 'Use an existing VPC.' }),
    vpcId: vpcId.meta({ description: 'The existing VPC.' }),
    availabilityZones: z
      .array(z.string().regex(/^[a-z]{2}-[a-z]+-\d[a-z]$/, 'must be an availability zone name'))
      .min(2)
      .meta({ description: 'Availability zones of the private subnets, in the same order.' }),
    privateSubnetIds: z.array(subnetId).min(2).meta({
      description: 'Private subnets with a route to AWS APIs, one per availability zone.',
    }),
    privateSubnetRouteTableIds: z
      .array(
        z
          .string()
          .regex(/^rtb-[0-9a-f]{8,17}$/, 'must be a route table id (rtb-0123456789abcdef0)'),
      )
      .optional()
      .meta({
        description:
          'Route tables of the private subnets, in the same order; needed for an S3 gateway endpoint (`replication.vpcEndpoints` with `s3`).',
      }),
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

export const networkConfigSchema = exclusiveModes([createdNetwork, importedNetwork]).meta({
  description: 'The VPC of the source databases, DMS and the setup functions.',
});
export type NetworkConfig = z.infer<typeof networkConfigSchema>;

const importedDatabase = {
  secretArn: completeSecretArn.meta({
    description:
      'Complete ARN of a Secrets Manager secret with `username` and `password` keys, encrypted with the AWS managed key.',
  }),
  endpointAddress: z.string().min(1).meta({ description: "The database's endpoint address." }),
  port,
  securityGroupId: securityGroupId.meta({
    description: 'Security group attached to the database; the app adds ingress rules to it.',
  }),
};

const masterUsername = databaseUsername.meta({
  description: 'Admin user of the created database; its password is generated into a secret.',
});

/** Lower case: Redshift folds unquoted user names to lower case, MySQL compares them as given. */
const readerUsername = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,15}$/,
    'user names are 1 to 16 lower-case letters, digits or underscores, starting with a letter',
  )
  .refine((name) => name !== 'rdsadmin', '"rdsadmin" is reserved by RDS')
  .meta({
    description:
      'The user Amazon ML reads as (SELECT on the tables it reads, nothing else), created when a datasource reads this database, an existing one too; its password is in a secret of its own.',
  });

const sampleData = z.boolean().meta({
  description:
    "Load the built-in synthetic sample (the tutorials' `banking` dataset has one) into an empty table. Created databases only; every dataset's table is created either way.",
});

/** Node types that Redshift offers only in multi-node clusters. */
const MULTI_NODE_ONLY = new Set(['ra3.4xlarge', 'ra3.16xlarge', 'dc2.8xlarge']);

const redshiftIdentity = {
  clusterIdentifier: redshiftClusterIdentifier.meta({
    description: 'The cluster identifier, lower case (as Amazon ML accepts it).',
  }),
  databaseName: redshiftDatabaseName.meta({ description: 'The database that Amazon ML reads.' }),
  readerUsername,
};

const createdRedshift = z
  .strictObject({
    mode: z.literal('create').meta({ description: 'Create a cluster.' }),
    ...redshiftIdentity,
    masterUsername,
    nodeType: z
      .enum(['ra3.large', 'ra3.xlplus', 'ra3.4xlarge', 'ra3.16xlarge', 'dc2.large', 'dc2.8xlarge'])
      .meta({ description: 'Node type.' }),
    numberOfNodes: z
      .int()
      .min(1)
      .max(100)
      .meta({
        description: `1 makes a single-node cluster; more make a multi-node cluster (${[...MULTI_NODE_ONLY].join(', ')} have at least 2).`,
      }),
    automatedSnapshotRetentionDays: z
      .int()
      .min(1)
      .max(35)
      .meta({ description: 'Days of automated snapshots.' }),
    publiclyAccessible: z.boolean().optional().meta({
      description:
        'A public endpoint in the public subnets (which need a NAT gateway), since Amazon ML connects from its own address ranges; it admits only those, which Amazon ML adds through its role, with TLS. Unset: public exactly when an Amazon ML datasource reads Redshift. Fixed when the cluster is created.',
    }),
    sampleData,
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
  mode: z.literal('import').meta({ description: 'Use an existing cluster.' }),
  ...redshiftIdentity,
  ...importedDatabase,
});

export const redshiftConfigSchema = exclusiveModes([createdRedshift, importedRedshift]).meta({
  description: 'The Redshift cluster that Amazon ML reads.',
});
export type RedshiftConfig = z.infer<typeof redshiftConfigSchema>;

const mysqlIdentity = {
  instanceIdentifier: dbInstanceIdentifier.meta({ description: 'The DB instance identifier.' }),
  databaseName: mysqlDatabaseName.meta({
    description: 'The database that DMS and Amazon ML read, made with a created instance.',
  }),
  readerUsername,
};

const createdMysql = z.strictObject({
  mode: z.literal('create').meta({ description: 'Create an instance.' }),
  ...mysqlIdentity,
  masterUsername,
  engineVersion: z
    .string()
    .superRefine((version, ctx) => {
      const problem = mysqlVersionProblem(version);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({
      description:
        'MySQL 8.4 (or 8.0, on paid RDS Extended Support since 2026-07-31) engine version that the installed aws-cdk-lib names and does not mark as withdrawn from RDS; minor upgrades are automatic. The parameter group sets `binlog_format=ROW`, `binlog_row_image=FULL`, `binlog_checksum=NONE` and `require_secure_transport=1` (TLS only).',
    }),
  instanceClass: z
    .string()
    .regex(/^[a-z0-9]+\.[a-z0-9]+$/, 'must look like t3.micro')
    .meta({ description: 'Instance class without the `db.` prefix, for example `t3.micro`.' }),
  allocatedStorageGiB: z
    .int()
    .min(20)
    .max(65536)
    .meta({ description: 'Storage of the instance, in GiB.' }),
  backupRetentionDays: z
    .int()
    .min(1)
    .max(35)
    .meta({ description: 'Days of automated backups; change data capture needs at least 1.' }),
  multiAz: z.boolean().meta({ description: 'Run the instance in two availability zones.' }),
  deletionProtection: z.boolean().meta({
    description:
      'RDS deletion protection. Off by default: the deletion policy keeps the instance anyway, and a protected instance survives the rollback of a failed first deploy, holding its identifier. On where AWS Control Tower enforces CT.RDS.PR.8.',
  }),
  sampleData,
  port,
});

const importedMysql = z.strictObject({
  mode: z.literal('import').meta({ description: 'Use an existing instance.' }),
  ...mysqlIdentity,
  ...importedDatabase,
});

export const mysqlConfigSchema = exclusiveModes([createdMysql, importedMysql]).meta({
  description: 'The RDS for MySQL instance that Amazon ML and DMS read.',
});
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
    readerUsername: 'mlreader',
    sampleData: true,
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
    deletionProtection: false,
    readerUsername: 'mlreader',
    sampleData: true,
    port: 3306,
  },
};

/**
 * Whether a created cluster gets a public endpoint: as configured, or, when the configuration
 * leaves it unset, exactly when an Amazon ML datasource reads Redshift (Amazon ML connects from
 * its own address ranges). An imported cluster is as it is.
 */
export function redshiftPubliclyAccessible(
  redshift: RedshiftConfig,
  readByAmazonMl: boolean,
): boolean {
  if (redshift.mode !== 'create') return false;
  return redshift.publiclyAccessible ?? readByAmazonMl;
}
