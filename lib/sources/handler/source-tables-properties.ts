/**
 * What the table setup resources of both source engines share: the tables to create, whether
 * to load the samples, and the reader user Amazon ML signs in as. The constructs write these
 * properties, the handlers read them; credentials stay in Secrets Manager.
 */

/** A dataset's table, as the handlers receive it (a dataset of the configuration). */
export interface TableDefinition {
  readonly name: string;
  readonly mysqlDatabase: string;
  readonly redshiftSchema: string;
  readonly primaryKey: string[];
  readonly columns: Array<{ readonly name: string; readonly type: string }>;
}

/** The user Amazon ML reads as: SELECT on `Tables`, nothing else. */
export interface ReaderProperties {
  /** The secret with the reader's `username` and `password`, which the setup creates. */
  readonly SecretArn: string;
  /** The names of the datasets (among `Datasets`) whose tables the reader may read. */
  readonly Tables: string[];
}

/** The properties of both table setup resources; CloudFormation passes booleans as strings. */
export interface SourceTablesProperties {
  /** The secret with the admin user that the setup signs in as. */
  readonly AdminSecretArn: string;
  /** The datasets whose tables the setup creates (`CreateTables`) or the reader reads. */
  readonly Datasets: TableDefinition[];
  /** Create every dataset's table: the app created the database. */
  readonly CreateTables: boolean | string;
  /** Load the built-in sample into an empty table that has one. */
  readonly LoadSample: boolean | string;
  /** The reader user, when an Amazon ML datasource reads this database. */
  readonly Reader?: ReaderProperties;
}

/** The attributes of both table setup resources (`Fn::GetAtt`). */
export interface SourceTablesAttributes {
  /** The reader's user name, or empty without one. */
  readonly ReaderUsername: string;
}

/** A property that CloudFormation may have turned into the string "true" or "false". */
export function isTrue(value: boolean | string | undefined): boolean {
  return value === true || value === 'true';
}
