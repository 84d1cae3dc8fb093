import type { AthenaClient, QueryExecution } from '@aws-sdk/client-athena';
import {
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { errorName, isAccessDenied } from '../../shared/handler/aws-errors';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import type { RowSource, SourceStatus } from './row-source';
import { stagedKey } from './row-source';
import type { SnapshotObjects } from './snapshot-objects';
import { ATHENA_OUTPUT_PREFIX } from './snapshot-properties';
import { athenaCsvSelect, athenaUnload } from './snapshot-sql';

/** Properties of an {@link AthenaRows}. */
export interface AthenaRowsProps {
  readonly athena: Pick<AthenaClient, 'send'>;
  readonly objects: SnapshotObjects;
  readonly workgroup: string;
  /** The Glue database the query names its tables in; also the query's context, so that Athena looks up no other. */
  readonly database: string;
  readonly select: string;
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
  /** The empty folder that UNLOAD writes into, in the snapshots bucket. */
  readonly unloadPrefix: string;
  /** Makes the two ClientRequestTokens: the same attempt gets the same queries. */
  readonly attempt: string;
  /** The tables the query reads, for the message when Lake Formation refuses them. */
  readonly tables: readonly string[];
  readonly retry?: RetryOptions;
}

const QUERIES = ['parquet', 'csv'] as const;

/**
 * The history's rows, written by two runs of the snapshot SELECT in the snapshot workgroup:
 * `UNLOAD` to Parquet, and the SELECT itself, whose result file is the CSV with a header.
 * The two runs read a history that DMS keeps appending to, and agree only for a moment older
 * than the replication lag; the handler compares their row counts.
 */
export class AthenaRows implements RowSource {
  readonly dialect = { quoting: 'all', null: 'unquoted-empty' } as const;

  constructor(private readonly props: AthenaRowsProps) {}

  private send<T>(operation: () => Promise<T>): Promise<T> {
    return withRetry(operation, this.props.retry).catch((error: unknown) => {
      if (!isAccessDenied(error)) throw error;
      throw plainError(
        `Athena refused the snapshot handler (${errorName(error)}: ${messageOf(error)}); its role runs queries in the workgroup ${this.props.workgroup} only.`,
      );
    });
  }

  async start(): Promise<Record<string, string>> {
    const { props } = this;
    const sql = {
      parquet: athenaUnload(props.select, props.columns, props.objects.uri(props.unloadPrefix)),
      csv: athenaCsvSelect(props.select, props.columns, props.primaryKey),
    };
    const ids: Record<string, string> = {};
    for (const name of QUERIES) {
      const started = await this.send(() =>
        props.athena.send(
          new StartQueryExecutionCommand({
            QueryString: sql[name],
            WorkGroup: props.workgroup,
            QueryExecutionContext: { Database: props.database },
            // The same token for every retry of this attempt: Athena answers with the same query.
            ClientRequestToken: `${props.attempt}-${name}`,
          }),
        ),
      );
      if (!started.QueryExecutionId) throw new Error('Athena started a query without an id');
      ids[name] = started.QueryExecutionId;
    }
    return ids;
  }

  async poll(ids: Readonly<Record<string, string>>): Promise<SourceStatus> {
    const executions: Record<string, QueryExecution> = {};
    for (const name of QUERIES) {
      const { QueryExecution: execution = {} } = await this.send(() =>
        this.props.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: ids[name] })),
      );
      const state = execution.Status?.State ?? 'QUEUED';
      if (state === 'FAILED' || state === 'CANCELLED')
        throw this.failure(name, ids[name], execution);
      executions[name] = execution;
    }
    const running = QUERIES.filter((name) => executions[name].Status?.State !== 'SUCCEEDED');
    if (running.length > 0) {
      const detail = running
        .map((name) => `${name} query ${ids[name]} ${executions[name].Status?.State ?? 'QUEUED'}`)
        .join(', ');
      return { done: false, detail };
    }
    const finished = QUERIES.map(
      (name) => executions[name].Status?.CompletionDateTime?.getTime() ?? 0,
    );
    return {
      done: true,
      finishedAt: new Date(Math.max(...finished)).toISOString(),
      files: {
        parquet: await this.unloadedFiles(executions.parquet),
        csv: this.resultCsv(executions.csv),
      },
    };
  }

  async stop(ids: Readonly<Record<string, string>>): Promise<void> {
    for (const name of QUERIES) {
      if (!ids[name]) continue;
      try {
        await this.props.athena.send(
          new StopQueryExecutionCommand({ QueryExecutionId: ids[name] }),
        );
      } catch (error) {
        console.log(`stopping query ${ids[name]} failed: ${messageOf(error)}`);
      }
    }
  }

  private failure(name: string, id: string, execution: QueryExecution): Error {
    const state = execution.Status?.State;
    const reason =
      execution.Status?.StateChangeReason ??
      execution.Status?.AthenaError?.ErrorMessage ??
      'Athena gave no reason';
    const hint = /Lake Formation permission/i.test(reason)
      ? ` The snapshot handler's role needs Lake Formation SELECT and DESCRIBE on ${this.props.tables.join(' and ')}; the snapshots stack grants them when governance is on.`
      : '';
    return plainError(`Athena ${name} query ${id} ${state}: ${reason}${hint}`);
  }

  /**
   * The Parquet files UNLOAD wrote, from the query's data manifest (one `s3://` URI a line):
   * never by listing the folder, where a failed earlier query may have left files.
   */
  private async unloadedFiles(execution: QueryExecution): Promise<string[]> {
    const { objects, unloadPrefix } = this.props;
    const location = execution.Statistics?.DataManifestLocation;
    if (!location)
      throw plainError(
        `Athena names no data manifest for UNLOAD query ${execution.QueryExecutionId}`,
      );
    const key = stagedKey(location, objects.bucket, ATHENA_OUTPUT_PREFIX, 'The UNLOAD query');
    const text = await objects.text(key);
    if (text === undefined)
      throw plainError(`The data manifest ${location} of the UNLOAD query is missing`);
    return text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((uri) => stagedKey(uri, objects.bucket, unloadPrefix, `The data manifest ${location}`));
  }

  /** The query's own result file, `<QueryExecutionId>.csv` at the workgroup's output location. */
  private resultCsv(execution: QueryExecution): string {
    const location = execution.ResultConfiguration?.OutputLocation ?? '';
    if (!location.endsWith('.csv')) {
      throw plainError(
        `The CSV query ${execution.QueryExecutionId} wrote no CSV result (${location || 'no output location'})`,
      );
    }
    return stagedKey(location, this.props.objects.bucket, ATHENA_OUTPUT_PREFIX, 'The CSV query');
  }
}
