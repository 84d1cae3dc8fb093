import type {
  ColumnInfo,
  GetQueryExecutionOutput,
  GetQueryResultsOutput,
  QueryExecutionState,
  Row,
} from '@aws-sdk/client-athena';

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

export function execution(
  state: QueryExecutionState,
  extra: {
    reason?: string;
    scanned?: number;
    statementType?: 'DDL' | 'DML' | 'UTILITY';
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
