import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IDependable } from 'constructs';

/** A source database, created by the app or imported, as the consumers of its data see it. */
export interface DatabaseSource {
  /** The RDS instance identifier or Redshift cluster identifier. */
  readonly identifier: string;
  /** The database that holds the source tables. */
  readonly databaseName: string;
  /** The endpoint address clients connect to. */
  readonly endpointAddress: string;
  /** The port clients connect to. */
  readonly port: number;
  /** The security group attached to the database; consumers add ingress rules to it. */
  readonly securityGroup: ec2.ISecurityGroup;
  /**
   * The Secrets Manager secret with `username` and `password` keys. It is encrypted with the
   * AWS managed key, so `secret.grantRead(role)` is all a consumer in another stack needs.
   */
  readonly secret: secretsmanager.ISecret;
  /**
   * The secret (`username`, `password`) of a read-only user that may SELECT the dataset tables
   * and nothing else, for readers such as Amazon ML that must not hold the admin credentials.
   */
  readonly readerSecret: secretsmanager.ISecret;
  /** Done once the dataset tables (and any sample rows) exist: readers of them depend on it. */
  readonly tablesReady: IDependable;
}

/** The network and the two source databases. */
export interface DatabaseSources {
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of `vpc` with a route to AWS APIs, for compute that reaches the databases: Data
   * Pipeline instances, DMS, functions.
   */
  readonly workloadSubnets: ec2.SubnetSelection;
  readonly redshift: DatabaseSource;
  readonly mysql: DatabaseSource;
}
