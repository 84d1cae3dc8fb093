import { z } from 'zod';

/**
 * Validators for AWS names that the configuration carries. Each one states the rule it
 * enforces in its message, so that a failed synth tells the user what a valid value looks like.
 */

const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;

/** An S3 bucket name (general purpose buckets, virtual-hosted style compatible). */
export const bucketName = z
  .string()
  .min(3, 'bucket names are 3 to 63 characters long')
  .max(63, 'bucket names are 3 to 63 characters long')
  .regex(
    /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
    'bucket names use lower-case letters, digits, dots and hyphens, and start and end with a letter or digit',
  )
  .refine((name) => !name.includes('..'), 'bucket names must not contain two adjacent dots')
  .refine((name) => !IP_ADDRESS.test(name), 'bucket names must not look like an IP address')
  .refine(
    (name) => !name.startsWith('xn--') && !name.startsWith('sthree-'),
    'bucket names must not start with "xn--" or "sthree-"',
  )
  .refine(
    (name) => !name.endsWith('-s3alias') && !name.endsWith('--ol-s3'),
    'bucket names must not end with "-s3alias" or "--ol-s3"',
  );

/** A short lower-case prefix used to name resources of this app. */
export const resourcePrefix = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/,
    'must be 3 to 20 lower-case letters, digits or hyphens, starting with a letter',
  );

/** An RDS DB instance identifier. */
export const dbInstanceIdentifier = z
  .string()
  .regex(
    /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,61}[a-zA-Z0-9]$/,
    'DB instance identifiers are 2 to 63 letters, digits or hyphens, start with a letter, and have no "--" and no trailing hyphen',
  );

/** A Redshift cluster identifier (Amazon ML accepts lower case only: ^[a-z0-9-]+$). */
export const redshiftClusterIdentifier = z
  .string()
  .regex(
    /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/,
    'Redshift cluster identifiers are 2 to 63 lower-case letters, digits or hyphens, start with a letter, and have no "--" and no trailing hyphen',
  );

/** A Redshift database name (Amazon ML accepts ^[a-z0-9]+$). */
export const redshiftDatabaseName = z
  .string()
  .regex(
    /^[a-z][a-z0-9]{0,63}$/,
    'Redshift database names for Amazon ML are 1 to 64 lower-case letters or digits, starting with a letter',
  );

/** A MySQL database (schema) name. */
export const mysqlDatabaseName = z
  .string()
  .regex(
    /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/,
    'MySQL database names are 1 to 64 letters, digits or underscores, starting with a letter',
  );

/** A database user name, for MySQL and Redshift. */
export const databaseUsername = z
  .string()
  .regex(
    /^[a-zA-Z][a-zA-Z0-9_]{0,15}$/,
    'user names are 1 to 16 letters, digits or underscores, starting with a letter',
  )
  .refine((name) => name.toLowerCase() !== 'rdsadmin', '"rdsadmin" is reserved by RDS');

/** A SQL identifier that is a table or column name in MySQL, Redshift, Glue and Athena alike. */
export const sqlIdentifier = z
  .string()
  .regex(
    /^[a-z_][a-z0-9_]{0,63}$/,
    'must be 1 to 64 lower-case letters, digits or underscores, not starting with a digit',
  );

/** A Glue database or table name. */
export const glueName = z
  .string()
  .regex(/^[a-z0-9_]{1,255}$/, 'Glue names are 1 to 255 lower-case letters, digits or underscores');

/** An Athena workgroup name. */
export const athenaWorkgroupName = z
  .string()
  .regex(
    /^[a-zA-Z0-9._-]{1,128}$/,
    'workgroup names are 1 to 128 letters, digits, ".", "_" or "-"',
  );

/** An IAM role or principal ARN. */
export const iamPrincipalArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:(root|(role|user)\/[\w+=,.@/-]{1,512})$/,
    'must be an IAM role, user or account root ARN (arn:aws:iam::123456789012:role/Name)',
  );

/** A Secrets Manager secret ARN. */
export const secretArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/,
    'must be a Secrets Manager secret ARN',
  );

/** A VPC security group id. */
export const securityGroupId = z
  .string()
  .regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id (sg-0123456789abcdef0)');

/** A VPC id. */
export const vpcId = z
  .string()
  .regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-0123456789abcdef0)');

/** A VPC subnet id. */
export const subnetId = z
  .string()
  .regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id (subnet-0123456789abcdef0)');

/** An S3 key prefix: relative, ending with a slash. */
export const s3Prefix = z
  .string()
  .regex(
    /^([a-zA-Z0-9!_.*'()-]+\/)+$/,
    'must be a relative S3 prefix of safe characters ending with "/" (for example "exports/banking/")',
  );

/** An AWS resource tag key. */
export const tagKey = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u,
    'tag keys use letters, digits, spaces and _ . : / = + - @',
  )
  .refine((key) => !key.toLowerCase().startsWith('aws:'), 'tag keys must not start with "aws:"');

/** An AWS resource tag value. */
export const tagValue = z
  .string()
  .max(256)
  .regex(
    /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
    'tag values use letters, digits, spaces and _ . : / = + - @',
  );
