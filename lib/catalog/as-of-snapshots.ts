import * as athena from 'aws-cdk-lib/aws-athena';
import { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import { AsOfQueryError, asOfQuery, replicatedTableSpec } from './as-of-query';

/** A workgroup that gets the as-of queries, and the columns its users may read. */
export interface AsOfWorkgroup {
  /** Names the construct ids of its queries; empty for the one workgroup of an ungoverned catalog. */
  readonly id: string;
  /** The workgroup, as a reference that orders the queries after it. */
  readonly workgroupName: string;
  /**
   * The columns of each table that the queries return, in the dataset's order; a table without
   * columns gets no query in this workgroup.
   * @default - every column of every table
   */
  readonly columns?: ReadonlyMap<string, readonly string[]>;
}

/** Properties of {@link AsOfSnapshots}. */
export interface AsOfSnapshotsProps {
  /** The Glue database name (its plain name, used inside the SQL). */
  readonly databaseName: string;
  /** The Glue database, as a reference that orders the queries after it. */
  readonly databaseRef: string;
  /** The workgroups to put the queries in. */
  readonly workgroups: readonly AsOfWorkgroup[];
  /** The replicated datasets. */
  readonly datasets: readonly DatasetConfig[];
}

/** The name of the prepared statement that reads `table` as of a moment. */
export function asOfStatementName(table: string): string {
  return `${table}_as_of`;
}

/**
 * For each replicated table and workgroup, the "table as it was at time T" query, ready in
 * Athena: a prepared statement (`EXECUTE banking_as_of USING TIMESTAMP '2024-05-01 00:00:00'`)
 * and a saved query with the same SQL, whose `?` the console asks for. Each workgroup's query
 * names only the columns its users may read: under Lake Formation, a query that names a column
 * the caller may not select fails ("cannot be resolved or requester is not authorized").
 */
export class AsOfSnapshots extends Construct {
  /** The prepared statements, by workgroup id and table: `analyst/banking`. */
  readonly preparedStatements = new Map<string, athena.CfnPreparedStatement>();
  /** The saved queries, by workgroup id and table. */
  readonly namedQueries = new Map<string, athena.CfnNamedQuery>();

  constructor(scope: Construct, id: string, props: AsOfSnapshotsProps) {
    super(scope, id);
    const problems: string[] = [];
    this.node.addValidation({ validate: () => problems });

    for (const workgroup of props.workgroups) {
      for (const dataset of props.datasets) {
        const columns = workgroup.columns
          ? (workgroup.columns.get(dataset.name) ?? [])
          : dataset.columns.map((column) => column.name);
        if (columns.length === 0) continue;
        const visible = dataset.columns.filter((column) => columns.includes(column.name));
        let sql: string;
        try {
          sql = asOfQuery(
            replicatedTableSpec(props.databaseName, { ...dataset, columns: visible }),
            { parameter: true },
          );
        } catch (error) {
          if (!(error instanceof AsOfQueryError)) throw error;
          const where = workgroup.id ? ` in workgroup ${workgroup.id}` : '';
          problems.push(
            ...error.problems.map((problem) => `dataset "${dataset.name}"${where}: ${problem}`),
          );
          continue;
        }
        this.add(props, workgroup, dataset.name, sql);
      }
    }
  }

  private add(props: AsOfSnapshotsProps, workgroup: AsOfWorkgroup, table: string, sql: string) {
    const statementName = asOfStatementName(table);
    const usage = `EXECUTE ${statementName} USING TIMESTAMP '2024-05-01 00:00:00'`;
    const key = `${workgroup.id}/${table}`;
    this.preparedStatements.set(
      key,
      new athena.CfnPreparedStatement(this, `${workgroup.id}${table}Statement`, {
        statementName,
        workGroup: workgroup.workgroupName,
        description: `The ${table} table as it was at a moment (UTC): ${usage}`,
        queryStatement: sql,
      }),
    );
    this.namedQueries.set(
      key,
      new athena.CfnNamedQuery(this, `${workgroup.id}${table}Query`, {
        name: `${table} as of a moment`,
        database: props.databaseRef,
        workGroup: workgroup.workgroupName,
        description: `The ${table} table as it was at a moment (UTC); the ? is a TIMESTAMP. Also: ${usage}`,
        queryString: sql,
      }),
    );
  }
}
