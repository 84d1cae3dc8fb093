import { randomUUID } from 'node:crypto';
import type {
  GetQueryResultsCommandOutput,
  QueryExecution,
  QueryExecutionState,
} from '@aws-sdk/client-athena';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import type { AthenaRow, ResultColumn } from './result-rows';
import { RowReader } from './result-rows';

/** Largest page `GetQueryResults` returns. */
const MAX_PAGE_SIZE = 1000;

/** What a query run reports while it waits and while its rows are read. */
export type QueryProgress =
  | {
      readonly event: 'state';
      readonly queryExecutionId: string;
      readonly state: QueryExecutionState;
      /** Bytes scanned so far. */
      readonly dataScannedInBytes: number;
      /** Time since the query was started, in milliseconds. */
      readonly elapsedMs: number;
    }
  | {
      readonly event: 'rows';
      readonly queryExecutionId: string;
      /** Data rows read so far, the header row not counted. */
      readonly rowsFetched: number;
      /** Whether the last page has been read. */
      readonly done: boolean;
    };

/** Options of {@link runQuery}. */
export interface RunQueryOptions {
  /** The workgroup to run in; its output location, encryption and scan limit apply. */
  readonly workgroup: string;
  /**
   * The database that unqualified table names refer to.
   * @default the query names its tables in full
   */
  readonly database?: string;
  /**
   * Values for the query's `?` placeholders, in order, each a SQL literal such as
   * `TIMESTAMP '2024-03-01 10:00:00.000'` or `'text'`.
   * @default no placeholders
   */
  readonly executionParameters?: readonly string[];
  /**
   * Longest time to wait for the query to finish, queued and running, in milliseconds; a query
   * still unfinished then is cancelled and {@link AthenaQueryTimeoutError} thrown.
   * @default 600000 (10 minutes)
   */
  readonly timeoutMs?: number;
  /**
   * Delay before the second status check, in milliseconds; it doubles with each check.
   * @default 250
   */
  readonly pollIntervalMs?: number;
  /**
   * Longest delay between two status checks, in milliseconds.
   * @default 5000
   */
  readonly maxPollIntervalMs?: number;
  /**
   * Rows asked for per `GetQueryResults` page, 1 to 1000.
   * @default 1000
   */
  readonly pageSize?: number;
  /**
   * The Athena client.
   * @default a client for the region and credentials of the environment
   */
  readonly client?: AthenaClient;
  /**
   * Called on each status check and each page read.
   * @default no reports
   */
  readonly onProgress?: (progress: QueryProgress) => void;
  /**
   * Retries of throttled and failed API calls.
   * @default 6 attempts from 500 ms, as `withRetry`
   */
  readonly retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs' | 'random'>;
  /**
   * Waits; replaced in tests.
   * @default setTimeout
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * The clock, in milliseconds; replaced in tests.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** Thrown when Athena reports a query FAILED or CANCELLED; the message carries its reason. */
export class AthenaQueryError extends Error {
  constructor(
    readonly queryExecutionId: string,
    readonly state: 'FAILED' | 'CANCELLED',
    readonly reason: string,
    /** Athena's error type code, when it gave one. */
    readonly errorType?: number,
    /** Whether Athena says that running the query again may succeed. */
    readonly retryable?: boolean,
  ) {
    super(`Athena query ${queryExecutionId} ${state}: ${reason}`);
    this.name = 'AthenaQueryError';
  }
}

/** Thrown when a query does not finish in time; the query has been asked to stop. */
export class AthenaQueryTimeoutError extends Error {
  constructor(
    readonly queryExecutionId: string,
    readonly lastState: string,
    readonly timeoutMs: number,
    stopped: boolean,
  ) {
    super(
      `Athena query ${queryExecutionId} did not finish within ${formatSeconds(timeoutMs)} ` +
        `(still ${lastState}); ${stopped ? 'it was cancelled' : 'cancelling it failed'}`,
    );
    this.name = 'AthenaQueryTimeoutError';
  }
}

/** Statistics of a finished query. */
export interface QueryStatistics {
  /** Bytes the query scanned, as billed. */
  readonly dataScannedInBytes: number;
  /** Time from submission to completion, in milliseconds. */
  readonly totalExecutionTimeMs?: number;
  /** Time the query waited in the queue, in milliseconds. */
  readonly queueTimeMs?: number;
}

/**
 * A query that has succeeded. Iterate it for its rows: pages are read one at a time as the
 * iteration goes, so memory holds one page. Each iteration reads the result from its start.
 */
export interface QueryResult extends AsyncIterable<AthenaRow> {
  readonly queryExecutionId: string;
  /** `DDL`, `DML` or `UTILITY`. */
  readonly statementType?: string;
  readonly statistics: QueryStatistics;
  /** The result's columns, in order. */
  readonly columns: readonly ResultColumn[];
  /** Rows written, for `INSERT INTO` and `CREATE TABLE AS`. */
  readonly updateCount?: number;
  /** Data rows read so far, over every iteration. */
  readonly rowsFetched: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

interface RunContext {
  readonly client: AthenaClient;
  readonly options: RunQueryOptions;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly call: <T>(operation: () => Promise<T>) => Promise<T>;
}

/**
 * Runs `sql` in Athena and waits for it: resolves with the result once the query SUCCEEDED (its
 * first page read, so that the columns are known), and rejects with {@link AthenaQueryError} if
 * it FAILED or was CANCELLED, or {@link AthenaQueryTimeoutError} if it ran out of time.
 */
export async function runQuery(sql: string, options: RunQueryOptions): Promise<QueryResult> {
  const sleep = options.sleep ?? defaultSleep;
  const context: RunContext = {
    client: options.client ?? new AthenaClient({}),
    options,
    sleep,
    now: options.now ?? Date.now,
    call: (operation) => withRetry(operation, { ...options.retry, sleep }),
  };
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, not ${pageSize}`);
  }

  const queryExecutionId = await startQuery(context, sql);
  const execution = await waitForQuery(context, queryExecutionId);
  const firstPage = await readPage(context, queryExecutionId, pageSize);
  return new SucceededQuery(context, execution, firstPage, pageSize);
}

async function startQuery(context: RunContext, sql: string): Promise<string> {
  const { options } = context;
  // One token for every attempt: a retried start after a lost response runs the query once.
  const token = randomUUID();
  const started = await context.call(() =>
    context.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: options.workgroup,
        ClientRequestToken: token,
        QueryExecutionContext: options.database ? { Database: options.database } : undefined,
        ExecutionParameters: options.executionParameters?.length
          ? [...options.executionParameters]
          : undefined,
      }),
    ),
  );
  if (!started.QueryExecutionId) throw new Error('Athena started a query without an id');
  return started.QueryExecutionId;
}

async function waitForQuery(context: RunContext, id: string): Promise<QueryExecution> {
  const { options, now } = context;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const maxDelay = options.maxPollIntervalMs ?? 5000;
  const startedAt = now();
  let delay = options.pollIntervalMs ?? 250;
  for (;;) {
    const { QueryExecution: execution = {} } = await context.call(() =>
      context.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
    );
    const status = execution.Status ?? {};
    const state = status.State ?? 'QUEUED';
    const elapsedMs = now() - startedAt;
    options.onProgress?.({
      event: 'state',
      queryExecutionId: id,
      state,
      dataScannedInBytes: execution.Statistics?.DataScannedInBytes ?? 0,
      elapsedMs,
    });

    if (state === 'SUCCEEDED') return execution;
    if (state === 'FAILED' || state === 'CANCELLED') {
      const error = status.AthenaError;
      throw new AthenaQueryError(
        id,
        state,
        status.StateChangeReason ?? error?.ErrorMessage ?? 'Athena gave no reason',
        error?.ErrorType,
        error?.Retryable,
      );
    }
    const remaining = timeoutMs - elapsedMs;
    if (remaining <= 0) throw await stopQuery(context, id, state, timeoutMs);
    await context.sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, maxDelay);
  }
}

async function stopQuery(
  context: RunContext,
  id: string,
  state: string,
  timeoutMs: number,
): Promise<AthenaQueryTimeoutError> {
  try {
    await context.call(() =>
      context.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })),
    );
    return new AthenaQueryTimeoutError(id, state, timeoutMs, true);
  } catch {
    return new AthenaQueryTimeoutError(id, state, timeoutMs, false);
  }
}

function readPage(
  context: RunContext,
  id: string,
  pageSize: number,
  nextToken?: string,
): Promise<GetQueryResultsCommandOutput> {
  return context.call(() =>
    context.client.send(
      new GetQueryResultsCommand({
        QueryExecutionId: id,
        MaxResults: pageSize,
        NextToken: nextToken,
      }),
    ),
  );
}

class SucceededQuery implements QueryResult {
  readonly queryExecutionId: string;
  readonly statementType?: string;
  readonly statistics: QueryStatistics;
  readonly columns: readonly ResultColumn[];
  readonly updateCount?: number;
  private fetched = 0;
  private readonly reader: RowReader;
  /** Page one, kept until the first iteration takes it, so that memory holds one page. */
  private firstPage?: GetQueryResultsCommandOutput;

  constructor(
    private readonly context: RunContext,
    execution: QueryExecution,
    firstPage: GetQueryResultsCommandOutput,
    private readonly pageSize: number,
  ) {
    this.queryExecutionId = execution.QueryExecutionId ?? '';
    this.statementType = execution.StatementType;
    this.statistics = {
      dataScannedInBytes: execution.Statistics?.DataScannedInBytes ?? 0,
      totalExecutionTimeMs: execution.Statistics?.TotalExecutionTimeInMillis,
      queueTimeMs: execution.Statistics?.QueryQueueTimeInMillis,
    };
    this.reader = new RowReader(firstPage.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []);
    this.columns = this.reader.columns;
    this.updateCount = firstPage.UpdateCount;
    this.firstPage = firstPage;
  }

  get rowsFetched(): number {
    return this.fetched;
  }

  /**
   * Only a SELECT's first page starts with the column labels, and only DML statements are
   * SELECTs; a DDL or utility result (SHOW, DESCRIBE) whose first value equals its label is data.
   */
  private mayHaveHeader(): boolean {
    return this.statementType !== 'DDL' && this.statementType !== 'UTILITY';
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AthenaRow> {
    const id = this.queryExecutionId;
    const report = this.context.options.onProgress;
    let page = this.firstPage ?? (await readPage(this.context, id, this.pageSize));
    this.firstPage = undefined;
    let first = true;
    for (;;) {
      const rows = page.ResultSet?.Rows ?? [];
      let start = 0;
      if (first && rows.length > 0 && this.mayHaveHeader() && this.reader.isHeader(rows[0])) {
        start = 1;
      }
      first = false;
      for (let index = start; index < rows.length; index++) {
        const row = this.reader.read(rows[index]);
        this.fetched++;
        yield row;
      }
      const nextToken = page.NextToken;
      report?.({
        event: 'rows',
        queryExecutionId: id,
        rowsFetched: this.fetched,
        done: !nextToken,
      });
      if (!nextToken) return;
      page = await readPage(this.context, id, this.pageSize, nextToken);
    }
  }
}
