import type { SourceTablesProperties } from './source-tables-properties';

/** The CloudFormation type of the Redshift table setup resource. */
export const REDSHIFT_SOURCE_TABLES_RESOURCE_TYPE = 'Custom::RedshiftSourceTables';

/** The properties of `Custom::RedshiftSourceTables`. */
export interface RedshiftSourceTablesProperties extends SourceTablesProperties {
  /** The cluster the Data API runs the statements in. */
  readonly ClusterIdentifier: string;
  /** The database of the tables. */
  readonly Database: string;
}
