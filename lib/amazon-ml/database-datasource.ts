import { Annotations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ComplementOrigin } from './complement-datasource';
import type { DataRearrangement } from './data-rearrangement';
import { dataRearrangementProblems } from './data-rearrangement';
import type { DataSchema } from './data-schema';
import { dataSourceIdProblems, dataSourceNameProblems } from './datasource-validation';
import type { SqlEngine } from './select-query';
import { checkSelectQuery } from './select-query';
import type { StagingLocation } from './staging-location';

/**
 * What the datasources that Amazon ML reads from a database (`RdsDataSource`,
 * `RedshiftDataSource`) share: their common properties, the checks of them, and what a
 * complement takes from them.
 */

/** Properties of every datasource that Amazon ML reads from a database. */
export interface DatabaseDataSourceProps {
  /**
   * The datasource id, 1 to 48 of `[a-zA-Z0-9_.-]`. The deployed datasource's id adds a version
   * suffix that changes whenever the datasource is replaced.
   */
  readonly dataSourceIdPrefix: string;
  /**
   * The name shown in the Amazon ML console.
   * @default - no name
   */
  readonly dataSourceName?: string;
  /**
   * The SELECT that reads the rows (the Data Pipeline of an RDS datasource runs it; Amazon ML
   * unloads it from Redshift); a trailing semicolon is added when missing.
   */
  readonly selectSqlQuery: string;
  /** The schema of the rows the query returns. */
  readonly schema: DataSchema;
  /** Where the rows are staged. */
  readonly staging: StagingLocation;
  /**
   * Compute statistics, which a datasource needs to train a model.
   * @default true
   */
  readonly computeStatistics?: boolean;
  /**
   * Read only this share of the rows, as a training datasource does.
   * @default - every row
   */
  readonly dataRearrangement?: DataRearrangement;
}

/**
 * A datasource that Amazon ML reads from a database. Its properties are checked when it is
 * synthesized: the id and name, the `engineProblems` of what names the database, the query, the
 * schema, the staging location and the share of the rows, all reported at once; a query that
 * does not shuffle the rows is a warning. Each engine's construct adds the role Amazon ML
 * assumes, the way to the database and the `Custom::AmazonMlDataSource` resource.
 */
export abstract class DatabaseDataSource extends Construct implements ComplementOrigin {
  /** The role that Amazon ML assumes. */
  abstract readonly role: iam.Role;
  /** The id of the datasource in Amazon ML. */
  abstract readonly dataSourceId: string;
  /** The datasource's status once deployed: `COMPLETED`. */
  abstract readonly status: string;
  /** The query as Amazon ML receives it. */
  readonly selectSqlQuery: string;
  /** The configured id, without the version suffix. */
  readonly dataSourceIdPrefix: string;
  /** The schema of the rows it stages, which a complement reads them with. */
  readonly schema: DataSchema;
  /** The share of the rows it reads; every row when unset. */
  readonly dataRearrangement?: DataRearrangement;

  protected constructor(
    scope: Construct,
    id: string,
    engine: SqlEngine,
    props: DatabaseDataSourceProps,
    engineProblems: readonly string[],
  ) {
    super(scope, id);
    const query = checkSelectQuery(engine, props.selectSqlQuery);
    const problems = [
      ...dataSourceIdProblems(props.dataSourceIdPrefix),
      ...dataSourceNameProblems(props.dataSourceName),
      ...engineProblems,
      ...query.problems,
      ...props.schema.problems(),
      ...props.staging.problems(),
      ...(props.dataRearrangement ? dataRearrangementProblems(props.dataRearrangement) : []),
    ];
    this.node.addValidation({ validate: () => problems });
    for (const warning of query.warnings) {
      Annotations.of(this).addWarningV2('ml-foundation:amazon-ml-unshuffled-query', warning);
    }
    this.selectSqlQuery = query.sql;
    this.dataSourceIdPrefix = props.dataSourceIdPrefix;
    this.schema = props.schema;
    this.dataRearrangement = props.dataRearrangement;
  }
}
