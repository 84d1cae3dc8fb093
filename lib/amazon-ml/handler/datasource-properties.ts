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
  /** `ComputeStatistics`; CloudFormation passes booleans as strings. */
  readonly ComputeStatistics: boolean | 'true' | 'false';
  /**
   * The data schema JSON, with the attribute names and `dataFileContainsHeader`, which the
   * handler checks against the first staged line.
   */
  readonly DataSchema: string;
  /** `DataRearrangement` JSON, when the datasource reads a share of the rows. */
  readonly DataRearrangement?: string;
}

/** A datasource that Amazon ML reads from a database into its staging location. */
interface DatabaseProperties extends CommonProperties {
  /** The role that Amazon ML assumes (`RoleARN`). */
  readonly RoleArn: string;
  /** The secret with the `username` and `password` of the read-only user Amazon ML connects as. */
  readonly SecretArn: string;
  readonly DatabaseName: string;
  readonly SelectSqlQuery: string;
  /**
   * `s3://bucket/prefix/`; each datasource stages under its own `<id>/` below it, which the
   * handler deletes with the datasource.
   */
  readonly S3StagingLocation: string;
}

/** A datasource read from Amazon Redshift (`CreateDataSourceFromRedshift`). */
export interface RedshiftDataSourceProperties extends DatabaseProperties {
  readonly Engine: 'redshift';
  readonly ClusterIdentifier: string;
}

/** A datasource read from RDS for MySQL through AWS Data Pipeline (`CreateDataSourceFromRDS`). */
export interface RdsDataSourceProperties extends DatabaseProperties {
  readonly Engine: 'rds';
  readonly InstanceIdentifier: string;
  /** The role of the pipeline's EC2 instances, by name. */
  readonly ResourceRole: string;
  /** The role of AWS Data Pipeline, by name. */
  readonly ServiceRole: string;
  readonly SubnetId: string;
  readonly SecurityGroupIds: string[];
}

/**
 * A datasource of the rows that another datasource's `DataRearrangement` leaves out, read from
 * that datasource's staged data (`CreateDataSourceFromS3`), with the same schema.
 */
export interface ComplementDataSourceProperties extends CommonProperties {
  readonly Engine: 's3';
  /** The datasource whose staged data this one reads; its splitting, with `complement`. */
  readonly OriginDataSourceId: string;
}

/** The properties of a datasource read from a database. */
export type DatabaseDataSourceProperties = RedshiftDataSourceProperties | RdsDataSourceProperties;

/** The properties of any kind of datasource. */
export type DataSourceProperties = DatabaseDataSourceProperties | ComplementDataSourceProperties;

/** The attributes of the resource (`Fn::GetAtt`). */
export interface DataSourceAttributes {
  /** The id of the datasource in Amazon ML. */
  readonly DataSourceId: string;
  /** Its status once the deployment is done: `COMPLETED`. */
  readonly Status?: string;
}
