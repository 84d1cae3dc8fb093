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
   * These are the admin credentials: consumers that only read use {@link readerSecret}.
   */
  readonly secret: secretsmanager.ISecret;
  /**
   * Complete once every dataset's table exists in the database (and, where the app loads it,
   * holds its sample): consumers that read the tables depend on it
   * (`resource.node.addDependency(source.tablesReady)`). In an existing database the tables
   * are its owner's, and this is complete at once.
   */
  readonly tablesReady: IDependable;
  /**
   * The secret (`username`, `password`, `host`, `port`, `dbname`) of the user Amazon ML reads
   * as: SELECT on the tables of the datasets that Amazon ML reads from this database, nothing
   * else. The user exists once {@link tablesReady} is complete. Encrypted with the AWS managed
   * key. Only a database that an Amazon ML datasource reads has one; reading it elsewhere fails
   * synthesis.
   */
  readonly readerSecret: secretsmanager.ISecret;
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
