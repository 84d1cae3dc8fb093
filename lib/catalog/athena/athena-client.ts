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
import { errorName, isAccessDenied } from '../../shared/handler/aws-errors';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import type { CsvFields } from './result-csv';
import { CsvFormatError, CsvRecordParser } from './result-csv';
import type { ResultObjectReader } from './result-objects';
import { AthenaResultObjectError, parseS3Uri } from './result-objects';
import type { AthenaRow, ResultColumn } from './result-rows';
import { RowReader } from './result-rows';
import { AthenaValueError } from './value-parser';

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
      /** Whether every row has been read. */
      readonly done: boolean;
    }
  | {
      /** The rows are read from the result CSV on S3; reported as each iteration starts. */
      readonly event: 'source';
      readonly queryExecutionId: string;
      readonly from: 's3';
      /** The result object's `s3://` URI. */
      readonly location: string;
    }
  | {
      /** The rows are read page by page; reported as each iteration starts. */
      readonly event: 'source';
      readonly queryExecutionId: string;
      readonly from: 'pages';
      /** Why the rows are not read from S3. */
      readonly reason: string;
      /** Whether S3 refused the result object: reading from S3 was meant to, and could not. */
      readonly denied: boolean;
    };

/** Where the rows of a result larger than its first page are read from. */
export type ResultSource =
  | {
      /** The result CSV at the query's output location, streamed through `reader`. */
      readonly from: 's3';
      readonly reader: ResultObjectReader;
    }
  | {
      /** `GetQueryResults`, page after page. */
      readonly from: 'pages';
      /** Why, for the progress reports. */
      readonly reason: string;
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
   * Where the rows of a result larger than its first page are read from. From S3, the first
   * page (read for the columns) is the only `GetQueryResults` call, and one `GetObject` streams
   * every row; a result that fits in its first page is read from that page alone. If S3 refuses
   * the object (`AccessDenied`), the rows are read page by page and a `source` progress event
   * with `denied` says why.
   * @default { from: 'pages', reason: 'no reader of S3 objects was given' }
   */
  readonly resultSource?: ResultSource;
  /**
   * Called on each status check, each page or piece of the result CSV read, and with where the
   * rows are read from.
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
 * A query that has succeeded. Iterate it for its rows: pages, or pieces of the result CSV, are
 * read as the iteration goes, so memory holds one of them. Each iteration reads the result from
 * its start.
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

const NO_OBJECT_READER: ResultSource = {
  from: 'pages',
  reason: 'no reader of S3 objects was given',
};

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
  private readonly outputLocation?: string;
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
    this.outputLocation = execution.ResultConfiguration?.OutputLocation;
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
    const firstPage =
      this.firstPage ?? (await readPage(this.context, this.queryExecutionId, this.pageSize));
    this.firstPage = undefined;
    const object = await this.openResultObject(Boolean(firstPage.NextToken));
    if (object) {
      yield* this.objectRows(object.location, object.stream);
    } else {
      yield* this.pageRows(firstPage);
    }
  }

  private report(progress: QueryProgress): void {
    this.context.options.onProgress?.(progress);
  }

  /**
   * The result CSV, opened, if the rows are to be read from it; otherwise undefined, once the
   * reason to read page by page is reported.
   */
  private async openResultObject(
    morePages: boolean,
  ): Promise<{ location: string; stream: AsyncIterable<Uint8Array | string> } | undefined> {
    const queryExecutionId = this.queryExecutionId;
    const byPages = (reason: string, denied = false) => {
      this.report({ event: 'source', queryExecutionId, from: 'pages', reason, denied });
      return undefined;
    };
    const source = this.context.options.resultSource ?? NO_OBJECT_READER;
    if (source.from === 'pages') return byPages(source.reason);
    if (!morePages) return byPages('the result fits in its first page');
    if (this.statementType !== 'DML') {
      return byPages(
        `the result of a ${this.statementType ?? 'statement of unknown type'} is no CSV`,
      );
    }
    const location = this.outputLocation ?? '';
    const object = location.endsWith('.csv') ? parseS3Uri(location) : undefined;
    if (!object) {
      return byPages(`the result is no CSV object on S3 (output location "${location}")`);
    }
    let stream: AsyncIterable<Uint8Array | string>;
    try {
      stream = await this.context.call(() =>
        source.reader.getObjectStream(object.bucket, object.key),
      );
    } catch (error) {
      const said = `${errorName(error)}: ${error instanceof Error ? error.message : String(error)}`;
      if (isAccessDenied(error)) {
        return byPages(
          `S3 refused ${location} (${said}); reading it takes s3:GetObject on it and ` +
            'kms:Decrypt through S3 on its key',
          true,
        );
      }
      throw new AthenaResultObjectError(location, `cannot read it: ${said}`);
    }
    this.report({ event: 'source', queryExecutionId, from: 's3', location });
    return { location, stream };
  }

  private async *pageRows(firstPage: GetQueryResultsCommandOutput): AsyncGenerator<AthenaRow> {
    const id = this.queryExecutionId;
    let page = firstPage;
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
      this.report({
        event: 'rows',
        queryExecutionId: id,
        rowsFetched: this.fetched,
        done: !nextToken,
      });
      if (!nextToken) return;
      page = await readPage(this.context, id, this.pageSize, nextToken);
    }
  }

  /**
   * The rows of the result CSV: its header checked against the columns, each record read
   * through the same value parsers as the pages.
   */
  private async *objectRows(
    location: string,
    stream: AsyncIterable<Uint8Array | string>,
  ): AsyncGenerator<AthenaRow> {
    const id = this.queryExecutionId;
    const width = this.columns.length;
    let record = 0;
    let read = 0;
    try {
      for await (const records of csvRecordBatches(location, stream)) {
        for (const fields of records) {
          record++;
          if (record === 1) {
            this.checkHeader(fields);
            continue;
          }
          if (fields.length !== width) {
            throw new CsvFormatError(
              record,
              `${fields.length} values, where the result has ${width} columns`,
            );
          }
          const row = this.reader.readTexts(fields);
          this.fetched++;
          read++;
          yield row;
        }
        this.report({
          event: 'rows',
          queryExecutionId: id,
          rowsFetched: this.fetched,
          done: false,
        });
      }
    } catch (error) {
      if (error instanceof CsvFormatError) {
        throw new AthenaResultObjectError(location, error.message);
      }
      if (error instanceof AthenaResultObjectError || error instanceof AthenaValueError)
        throw error;
      throw new AthenaResultObjectError(
        location,
        `reading it failed after ${read} rows: ${errorName(error)}: ${(error as Error).message}`,
      );
    }
    if (record === 0) {
      throw new AthenaResultObjectError(
        location,
        'it is empty, though GetQueryResults has more than one page of the result',
      );
    }
    this.report({ event: 'rows', queryExecutionId: id, rowsFetched: this.fetched, done: true });
  }

  private checkHeader(fields: CsvFields): void {
    if (this.reader.isLabels(fields)) return;
    throw new CsvFormatError(
      1,
      `the header ${JSON.stringify(fields)} is not the columns of the result ` +
        JSON.stringify(this.reader.columnLabels),
    );
  }
}

/** The records of a CSV stream, a batch for each piece read, the text read as strict UTF-8. */
async function* csvRecordBatches(
  location: string,
  stream: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<CsvFields[]> {
  const parser = new CsvRecordParser();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (bytes?: Uint8Array) => {
    try {
      return decoder.decode(bytes, { stream: bytes !== undefined });
    } catch (error) {
      throw new AthenaResultObjectError(
        location,
        `it is not UTF-8 text: ${(error as Error).message}`,
      );
    }
  };
  for await (const chunk of stream) {
    yield parser.push(typeof chunk === 'string' ? chunk : decode(chunk));
  }
  yield [...parser.push(decode()), ...parser.end()];
}
