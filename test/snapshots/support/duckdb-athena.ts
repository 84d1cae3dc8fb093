import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  GetQueryExecutionCommandInput,
  QueryExecution,
  StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { DuckDBConnection } from '@duckdb/node-api';
import { mockClient } from 'aws-sdk-client-mock';
import type { fakeS3 } from './fake-s3';

/**
 * Athena behind `mockClient(AthenaClient)`, with DuckDB as its engine and a fake S3 as its
 * storage: a SELECT writes its result CSV (a header, every value in quotes, NULL an empty field
 * without quotes) to the workgroup's output location, and an UNLOAD writes Parquet files (named
 * without an extension, which no document promises) into its `TO` folder and lists them, one
 * `s3://` URI a line, in a data manifest. The same ClientRequestToken gets the same query.
 */
export function duckdbAthena(options: {
  readonly connection: DuckDBConnection;
  readonly s3: ReturnType<typeof fakeS3>;
  readonly bucket: string;
  /** The workgroup's output prefix. */
  readonly outputPrefix: string;
  readonly scratch: string;
}) {
  const client = mockClient(AthenaClient);
  const executions = new Map<string, QueryExecution>();
  const byToken = new Map<string, string>();
  /** Polls that report RUNNING before the query's real state, by query id. */
  const runningPolls = new Map<string, number>();
  const queries: Array<{ id: string; sql: string; token?: string }> = [];
  let count = 0;
  let failNext: { reason: string } | undefined;
  let pollsBeforeDone = 0;
  let beforeStart: ((sql: string) => Promise<void>) | undefined;

  const upload = (file: string, key: string) =>
    options.s3.put(options.bucket, key, fs.readFileSync(file));

  async function run(id: string, sql: string): Promise<QueryExecution> {
    const started = new Date(1_790_000_000_000 + count * 1000);
    const unload =
      /^UNLOAD \(([\s\S]*)\)\nTO '(s3:\/\/[^']+)'\nWITH \(format = 'PARQUET', compression = 'SNAPPY'\)$/.exec(
        sql,
      );
    const base: QueryExecution = {
      QueryExecutionId: id,
      Query: sql,
      StatementType: 'DML',
      Status: { State: 'SUCCEEDED', SubmissionDateTime: started, CompletionDateTime: started },
    };
    if (unload) {
      const [, select, target] = unload;
      const targetKey = target.replace(`s3://${options.bucket}/`, '');
      const directory = path.join(options.scratch, id);
      fs.mkdirSync(directory, { recursive: true });
      // Two files, as UNLOAD writes several: the rows split by a hash of the whole row.
      const uris: string[] = [];
      for (const part of [0, 1]) {
        const file = path.join(directory, `part-${part}`);
        await options.connection.run(
          `COPY (SELECT * FROM (${select}) AS u WHERE hash(u::VARCHAR) % 2 = ${part}) TO '${file}' (FORMAT PARQUET, COMPRESSION SNAPPY)`,
        );
        const key = `${targetKey}20261201_000000_0000${part}_${id}`;
        upload(file, key);
        uris.push(`s3://${options.bucket}/${key}`);
      }
      const manifestKey = `${options.outputPrefix}${id}-manifest.csv`;
      options.s3.put(options.bucket, manifestKey, uris.join('\n') + '\n');
      return {
        ...base,
        ResultConfiguration: {
          OutputLocation: `s3://${options.bucket}/${options.outputPrefix}${id}.csv`,
        },
        Statistics: { DataManifestLocation: `s3://${options.bucket}/${manifestKey}` },
      };
    }
    const file = path.join(options.scratch, `${id}.csv`);
    await options.connection.run(`COPY (${sql}) TO '${file}' (FORMAT CSV, HEADER, FORCE_QUOTE *)`);
    const key = `${options.outputPrefix}${id}.csv`;
    upload(file, key);
    return { ...base, ResultConfiguration: { OutputLocation: `s3://${options.bucket}/${key}` } };
  }

  const wire = () => {
    client
      .on(StartQueryExecutionCommand)
      .callsFake(async (input: StartQueryExecutionCommandInput) => {
        const known = input.ClientRequestToken ? byToken.get(input.ClientRequestToken) : undefined;
        if (known) return { QueryExecutionId: known };
        await beforeStart?.(input.QueryString ?? '');
        const id = `query-${++count}`;
        queries.push({ id, sql: input.QueryString ?? '', token: input.ClientRequestToken });
        if (input.ClientRequestToken) byToken.set(input.ClientRequestToken, id);
        if (failNext) {
          executions.set(id, {
            QueryExecutionId: id,
            Status: { State: 'FAILED', StateChangeReason: failNext.reason },
          });
          failNext = undefined;
        } else {
          executions.set(id, await run(id, input.QueryString ?? ''));
        }
        runningPolls.set(id, pollsBeforeDone);
        return { QueryExecutionId: id };
      });
    client.on(GetQueryExecutionCommand).callsFake(async (input: GetQueryExecutionCommandInput) => {
      const id = input.QueryExecutionId!;
      const left = runningPolls.get(id) ?? 0;
      if (left > 0) {
        runningPolls.set(id, left - 1);
        return { QueryExecution: { QueryExecutionId: id, Status: { State: 'RUNNING' } } };
      }
      return { QueryExecution: executions.get(id) };
    });
    client.on(StopQueryExecutionCommand).resolves({});
  };
  wire();

  return {
    client,
    queries,
    /** The next query started fails with `reason`. */
    failNext(reason: string) {
      failNext = { reason };
    },
    /** Runs before each new query starts, as a change arriving between two queries would. */
    beforeEachStart(hook: ((sql: string) => Promise<void>) | undefined) {
      beforeStart = hook;
    },
    /** Every query started from now on reports RUNNING this many times first. */
    runFor(polls: number) {
      pollsBeforeDone = polls;
    },
    reset() {
      executions.clear();
      byToken.clear();
      runningPolls.clear();
      queries.length = 0;
      failNext = undefined;
      pollsBeforeDone = 0;
      count = 0;
      beforeStart = undefined;
      client.reset();
      wire();
    },
  };
}
