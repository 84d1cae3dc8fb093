import type { SourceTablesProperties } from './source-tables-properties';

/** The CloudFormation type of the MySQL table setup resource. */
export const MYSQL_SOURCE_TABLES_RESOURCE_TYPE = 'Custom::MySqlSourceTables';

/** The properties of `Custom::MySqlSourceTables`; CloudFormation passes numbers as strings. */
export interface MySqlSourceTablesProperties extends SourceTablesProperties {
  /** The MySQL endpoint. */
  readonly Host: string;
  readonly Port: number | string;
}
