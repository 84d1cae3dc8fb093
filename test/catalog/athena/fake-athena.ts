import { Readable } from 'node:stream';
import type {
  ColumnInfo,
  GetQueryExecutionOutput,
  GetQueryResultsOutput,
  QueryExecutionState,
  Row,
} from '@aws-sdk/client-athena';
import type { ResultObjectReader } from '../../../lib/catalog/athena/result-objects';

/** Helpers that build Athena responses as the service shapes them. */

export function column(name: string, type: string, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return {
    Name: name,
    Label: name,
    Type: type,
    Nullable: 'UNKNOWN',
    CaseSensitive: true,
    ...extra,
  };
}

/** A result row; `null` is a datum without a value, as Athena sends SQL NULL. */
export function row(...values: (string | null)[]): Row {
  return { Data: values.map((value) => (value === null ? {} : { VarCharValue: value })) };
}

/** The header row Athena puts first on a SELECT's first page. */
export function headerOf(columns: readonly ColumnInfo[]): Row {
  return row(...columns.map((info) => info.Label ?? info.Name ?? ''));
}

export function page(
  columns: readonly ColumnInfo[],
  rows: readonly Row[],
  nextToken?: string,
): GetQueryResultsOutput {
  return {
    ResultSet: { Rows: [...rows], ResultSetMetadata: { ColumnInfo: [...columns] } },
    NextToken: nextToken,
  };
}

/** Where {@link execution} says the result is. */
export const RESULT_BUCKET = 'athena-results';
export const RESULT_KEY = 'ml-foundation/query-1.csv';
export const RESULT_LOCATION = `s3://${RESULT_BUCKET}/${RESULT_KEY}`;

export function execution(
  state: QueryExecutionState,
  extra: {
    reason?: string;
    scanned?: number;
    statementType?: 'DDL' | 'DML' | 'UTILITY';
    /** @default `s3://athena-results/ml-foundation/query-1.csv` */
    outputLocation?: string;
    athenaError?: {
      ErrorCategory?: number;
      ErrorType?: number;
      Retryable?: boolean;
      ErrorMessage?: string;
    };
  } = {},
): GetQueryExecutionOutput {
  return {
    QueryExecution: {
      QueryExecutionId: 'query-1',
      StatementType: extra.statementType ?? 'DML',
      ResultConfiguration: { OutputLocation: extra.outputLocation ?? RESULT_LOCATION },
      Status: { State: state, StateChangeReason: extra.reason, AthenaError: extra.athenaError },
      Statistics: {
        DataScannedInBytes: extra.scanned ?? 0,
        TotalExecutionTimeInMillis: 1200,
        QueryQueueTimeInMillis: 100,
      },
    },
  };
}

/** A clock that only moves when the code under test sleeps. */
export function fakeClock() {
  let time = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
  };
}

/**
 * The `GetQueryResults` pages of a result, keyed by the NextToken that asks for them (`first`
 * for page one): the header row and `pageSize - 1` rows on page one, as Athena serves a SELECT
 * (no header for a SHOW or DESCRIBE), then `pageSize` rows a page.
 */
export function pagesOf(
  columns: readonly ColumnInfo[],
  values: readonly (readonly (string | null)[])[],
  options: { pageSize?: number; header?: boolean } = {},
): Record<string, GetQueryResultsOutput> {
  const pageSize = options.pageSize ?? 1000;
  const data = values.map((fields) => row(...fields));
  const rows = options.header === false ? data : [headerOf(columns), ...data];
  const pages: Record<string, GetQueryResultsOutput> = {};
  const count = Math.ceil(rows.length / pageSize);
  for (let index = 0; index < count; index++) {
    const token = index === 0 ? 'first' : `page-${index + 1}`;
    const next = index + 1 < count ? `page-${index + 2}` : undefined;
    pages[token] = page(columns, rows.slice(index * pageSize, (index + 1) * pageSize), next);
  }
  return pages;
}

/** How a CSV quotes its values and ends its records. */
export interface CsvDialect {
  /**
   * `all`: every value in quotes, as Athena writes its result CSV; `minimal`: only a value
   * that holds a quote, comma or line break, and the empty string.
   * @default 'all'
   */
  readonly quoting?: 'all' | 'minimal';
  /** @default '\n' */
  readonly lineEnd?: '\n' | '\r\n';
}

/**
 * The result CSV of the same rows: a header of the column labels, embedded quotes doubled, SQL
 * NULL an empty field without quotes.
 */
export function athenaCsv(
  columns: readonly ColumnInfo[],
  values: readonly (readonly (string | null)[])[],
  dialect: CsvDialect = {},
): string {
  const lineEnd = dialect.lineEnd ?? '\n';
  const field = (text: string | null) => {
    if (text === null) return '';
    if (dialect.quoting === 'minimal' && text !== '' && !/[",\r\n]/.test(text)) return text;
    return `"${text.replace(/"/g, '""')}"`;
  };
  const labels = columns.map((info) => info.Label ?? info.Name ?? '');
  return [labels, ...values].map((fields) => fields.map(field).join(',') + lineEnd).join('');
}

/** An S3 error as the SDK throws it. */
export function s3Error(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/**
 * Result objects in memory, served as streams in pieces of `chunkBytes` bytes (which may split
 * a character); a missing key is `NoSuchKey`, as S3 says it.
 */
export function fakeResultObjects(
  objects: Record<string, string | Uint8Array>,
  options: { chunkBytes?: number; refuse?: Error } = {},
): ResultObjectReader & { calls: { bucket: string; key: string }[]; streams: Readable[] } {
  const calls: { bucket: string; key: string }[] = [];
  const streams: Readable[] = [];
  return {
    calls,
    streams,
    async getObjectStream(bucket, key) {
      calls.push({ bucket, key });
      if (options.refuse) throw options.refuse;
      const body = objects[`s3://${bucket}/${key}`];
      if (body === undefined) throw s3Error('NoSuchKey', 'The specified key does not exist.', 404);
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
      const size = options.chunkBytes ?? 64 * 1024;
      const chunks: Buffer[] = [];
      for (let start = 0; start < bytes.length; start += size) {
        chunks.push(bytes.subarray(start, start + size));
      }
      const stream = Readable.from(chunks);
      streams.push(stream);
      return stream;
    },
  };
}
