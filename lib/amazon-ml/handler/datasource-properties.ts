/**
 * The properties of a `Custom::AmazonMlDataSource` resource: the construct writes them, the
 * handler reads them. The database password is not among them; the handler reads it from
 * Secrets Manager when it creates the datasource.
 */

/** The CloudFormation type of the datasource resource. */
export const DATASOURCE_RESOURCE_TYPE = 'Custom::AmazonMlDataSource';

/** Length of the version suffix (`-` and 15 hex digits) that the handler appends to the id prefix. */
export const ID_SUFFIX_LENGTH = 16;

/** Longest id prefix: Amazon ML datasource ids are at most 64 characters. */
export const MAX_ID_PREFIX_LENGTH = 64 - ID_SUFFIX_LENGTH;

interface CommonProperties {
  /** The configured id; the handler appends a version suffix to it. */
  readonly DataSourceIdPrefix: string;
  /** The name shown in the Amazon ML console. */
  readonly DataSourceName?: string;
  /** The role that Amazon ML assumes (`RoleARN`). */
  readonly RoleArn: string;
  /** `ComputeStatistics`; CloudFormation passes booleans as strings. */
  readonly ComputeStatistics: boolean | 'true' | 'false';
  /** The secret with the `username` and `password` that Amazon ML connects with. */
  readonly SecretArn: string;
  readonly DatabaseName: string;
  readonly SelectSqlQuery: string;
  /** `s3://bucket/prefix/`; each datasource stages under its own `<id>/` below it. */
  readonly S3StagingLocation: string;
  /** The data schema JSON. */
  readonly DataSchema: string;
}

/** A datasource read from Amazon Redshift (`CreateDataSourceFromRedshift`). */
export interface RedshiftDataSourceProperties extends CommonProperties {
  readonly Engine: 'redshift';
  readonly ClusterIdentifier: string;
}

/** A datasource read from RDS for MySQL through AWS Data Pipeline (`CreateDataSourceFromRDS`). */
export interface RdsDataSourceProperties extends CommonProperties {
  readonly Engine: 'rds';
  readonly InstanceIdentifier: string;
  /** The role of the pipeline's EC2 instances, by name. */
  readonly ResourceRole: string;
  /** The role of AWS Data Pipeline, by name. */
  readonly ServiceRole: string;
  readonly SubnetId: string;
  readonly SecurityGroupIds: string[];
}

/** The properties of either kind of datasource. */
export type DataSourceProperties = RedshiftDataSourceProperties | RdsDataSourceProperties;

/** The attributes of the resource (`Fn::GetAtt`). */
export interface DataSourceAttributes {
  /** The id of the datasource in Amazon ML. */
  readonly DataSourceId: string;
  /** Its status once the deployment is done: `COMPLETED`. */
  readonly Status?: string;
}
