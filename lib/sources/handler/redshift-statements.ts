import type { Field, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
} from '@aws-sdk/client-redshift-data';
import { isError, isRetryable } from '../../shared/handler/aws-errors';
import { plainError } from '../../shared/handler/plain-error';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';

/**
 * SQL run through the Redshift Data API, waited for in the same function invocation.
 *
 * The Data API keeps a statement's status and results for the IAM identity that ran it: "By
 * default, Amazon Redshift Data API treats the IAM role used when calling ExecuteStatement and
 * BatchExecuteStatement as the owner of the SQL statement", and the app's policy narrows that to
 * the role session (`redshift-data:statement-owner-iam-userid`; Amazon Redshift Management
 * Guide, "Configuring IAM permissions" for the Data API). A provider whose isComplete function
 * has a role of its own could not describe what onEvent ran, so onEvent waits itself, within
 * the deadline its function's timeout leaves.
 */

/** The cluster and database the statements run in, signed in with a Secrets Manager secret. */
export interface RedshiftTarget {
  readonly clusterIdentifier: string;
  readonly database: string;
  /** The admin secret; the Data API reads it with the caller's permissions. */
  readonly secretArn: string;
}

/** How the runner waits; tests replace it. */
export interface StatementWaiting {
  /** The time by which every statement must have finished, in epoch milliseconds. */
  readonly deadline: number;
  /**
   * The current time, in epoch milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Waits between two DescribeStatement calls.
   * @default setTimeout
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * How throttling and server errors of the Data API are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

/** One named value of a statement's `:name` parameters. */
export type StatementParameters = Readonly<Record<string, string>>;

const FIRST_POLL_MS = 500;
const LONGEST_POLL_MS = 5_000;

/** The Data API's error while Redshift cannot take connections yet (a cluster still resuming). */
const retryConnections = (error: unknown) =>
  isRetryable(error) || isError(error, 'DatabaseConnectionException');

/** Runs statements in one database through the Data API and waits for them. */
export class RedshiftStatements {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: RedshiftDataClient,
    private readonly target: RedshiftTarget,
    private readonly waiting: StatementWaiting,
  ) {
    this.now = waiting.now ?? Date.now;
    this.sleep = waiting.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Runs `sqls` as one BatchExecuteStatement, one transaction, and waits until it finished.
   * `what` names the batch in errors; a `secret` batch's statements are never quoted (they
   * carry a password hash).
   */
  async batch(sqls: readonly string[], what: string, options: { secret?: boolean } = {}) {
    const { Id } = await withRetry(
      () =>
        this.client.send(
          new BatchExecuteStatementCommand({
            ClusterIdentifier: this.target.clusterIdentifier,
            Database: this.target.database,
            SecretArn: this.target.secretArn,
            Sqls: [...sqls],
          }),
        ),
      { ...this.waiting.retry, retryIf: retryConnections },
    );
    await this.waitFor(Id!, what, options.secret ?? false);
  }

  /** Runs one SELECT with `:name` parameters and returns its rows. */
  async query(sql: string, parameters: StatementParameters, what: string): Promise<Field[][]> {
    const { Id } = await withRetry(
      () =>
        this.client.send(
          new ExecuteStatementCommand({
            ClusterIdentifier: this.target.clusterIdentifier,
            Database: this.target.database,
            SecretArn: this.target.secretArn,
            Sql: sql,
            Parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })),
          }),
        ),
      { ...this.waiting.retry, retryIf: retryConnections },
    );
    await this.waitFor(Id!, what, false);
    const records: Field[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await withRetry(
        () => this.client.send(new GetStatementResultCommand({ Id, NextToken: nextToken })),
        this.waiting.retry,
      );
      records.push(...(page.Records ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return records;
  }

  private async waitFor(id: string, what: string, secret: boolean): Promise<void> {
    for (let interval = FIRST_POLL_MS; ; interval = Math.min(interval * 2, LONGEST_POLL_MS)) {
      const statement = await withRetry(
        () => this.client.send(new DescribeStatementCommand({ Id: id })),
        this.waiting.retry,
      );
      if (statement.Status === 'FINISHED') return;
      if (statement.Status === 'FAILED' || statement.Status === 'ABORTED') {
        const failed = (statement.SubStatements ?? []).findIndex(
          (sub) => sub.Status === 'FAILED' || sub.Status === 'ABORTED',
        );
        const where =
          failed < 0
            ? ''
            : ` at statement ${failed + 1} of ${statement.SubStatements!.length}${secret ? '' : ` (${summary(statement.SubStatements![failed].QueryString)})`}`;
        const said =
          statement.Error ?? statement.SubStatements?.[failed]?.Error ?? 'no error given';
        throw plainError(
          `Redshift ${statement.Status === 'ABORTED' ? 'aborted' : 'failed'} ${what}${where}; nothing of it was kept: ${said} (Data API statement ${id})`,
        );
      }
      if (this.now() + interval > this.waiting.deadline) {
        throw plainError(
          `Redshift did not finish ${what} in time (Data API statement ${id} is ${statement.Status ?? 'unknown'}). ` +
            'It may still complete in the cluster; deploy again once the cluster is idle: the setup runs again without effect on what is done.',
        );
      }
      await this.sleep(interval);
    }
  }
}

/** The start of a statement, for an error message. */
function summary(sql: string | undefined): string {
  const line = (sql ?? '').replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
