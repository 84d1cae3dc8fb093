import * as athena from 'aws-cdk-lib/aws-athena';
import { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import { AsOfQueryError, asOfQuery, replicatedTableSpec } from './as-of-query';

/** Properties of {@link AsOfSnapshots}. */
export interface AsOfSnapshotsProps {
  /** The Glue database name (its plain name, used inside the SQL). */
  readonly databaseName: string;
  /** The Glue database, as a reference that orders the queries after it. */
  readonly databaseRef: string;
  /** The workgroup, as a reference that orders the queries after it. */
  readonly workgroupName: string;
  /** The replicated datasets. */
  readonly datasets: readonly DatasetConfig[];
}

/** The name of the prepared statement that reads `table` as of a moment. */
export function asOfStatementName(table: string): string {
  return `${table}_as_of`;
}

/**
 * For each replicated table, the "table as it was at time T" query, ready in Athena: a prepared
 * statement (`EXECUTE banking_as_of USING TIMESTAMP '2024-05-01 00:00:00'`) and a saved query
 * with the same SQL, whose `?` the console asks for.
 */
export class AsOfSnapshots extends Construct {
  readonly preparedStatements = new Map<string, athena.CfnPreparedStatement>();
  readonly namedQueries = new Map<string, athena.CfnNamedQuery>();

  constructor(scope: Construct, id: string, props: AsOfSnapshotsProps) {
    super(scope, id);
    const problems: string[] = [];
    this.node.addValidation({ validate: () => problems });

    for (const dataset of props.datasets) {
      let sql: string;
      try {
        sql = asOfQuery(replicatedTableSpec(props.databaseName, dataset), { parameter: true });
      } catch (error) {
        if (!(error instanceof AsOfQueryError)) throw error;
        problems.push(...error.problems.map((problem) => `dataset "${dataset.name}": ${problem}`));
        continue;
      }
      const statementName = asOfStatementName(dataset.name);
      const usage = `EXECUTE ${statementName} USING TIMESTAMP '2024-05-01 00:00:00'`;

      this.preparedStatements.set(
        dataset.name,
        new athena.CfnPreparedStatement(this, `${dataset.name}Statement`, {
          statementName,
          workGroup: props.workgroupName,
          description: `The ${dataset.name} table as it was at a moment (UTC): ${usage}`,
          queryStatement: sql,
        }),
      );
      const namedQuery = new athena.CfnNamedQuery(this, `${dataset.name}Query`, {
        name: `${dataset.name} as of a moment`,
        database: props.databaseRef,
        workGroup: props.workgroupName,
        description: `The ${dataset.name} table as it was at a moment (UTC); the ? is a TIMESTAMP. Also: ${usage}`,
        queryString: sql,
      });
      this.namedQueries.set(dataset.name, namedQuery);
    }
  }
}
