import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { GetQueryResultsOutput } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import type { QueryProgress, RunQueryOptions } from '../../../lib/catalog/athena/athena-client';
import {
  AthenaQueryError,
  AthenaQueryTimeoutError,
  runQuery,
} from '../../../lib/catalog/athena/athena-client';
import type { AthenaRow } from '../../../lib/catalog/athena/result-rows';
import { testRunQueryOptions } from '../../support/athena-queries';
import { column, execution, fakeClock, headerOf, page, row } from './fake-athena';

const athena = mockClient(AthenaClient);

let clock: ReturnType<typeof fakeClock>;
let progress: QueryProgress[];

beforeEach(() => {
  athena.reset();
  clock = fakeClock();
  progress = [];
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'query-1' });
  athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED', { scanned: 2048 }));
});

function options(overrides: Partial<RunQueryOptions> = {}): RunQueryOptions {
  return { ...testRunQueryOptions(clock, progress), ...overrides };
}

/** Serves result pages by their NextToken; page one has none. */
function servePages(pages: Record<string, GetQueryResultsOutput>): void {
  athena
    .on(GetQueryResultsCommand)
    .callsFake(async (input: { NextToken?: string }) => pages[input.NextToken ?? 'first']);
}

async function collect(rows: AsyncIterable<AthenaRow>): Promise<AthenaRow[]> {
  const all: AthenaRow[] = [];
  for await (const item of rows) all.push(item);
  return all;
}

const resultCalls = () =>
  athena.commandCalls(GetQueryResultsCommand).map((call) => call.args[0].input);

describe('runQuery: starting and waiting', () => {
  test('starts the query in the workgroup and database with an idempotency token', async () => {
    servePages({ first: page([column('n', 'integer')], [headerOf([column('n', 'integer')])]) });
    await runQuery('SELECT 1 AS n WHERE ? > 0', {
      ...options(),
      database: 'ml_foundation',
      executionParameters: ['1'],
    });
    const [start] = athena.commandCalls(StartQueryExecutionCommand);
    expect(start.args[0].input).toEqual({
      QueryString: 'SELECT 1 AS n WHERE ? > 0',
      WorkGroup: 'ml-foundation',
      QueryExecutionContext: { Database: 'ml_foundation' },
      ExecutionParameters: ['1'],
      ClientRequestToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  test('a throttled start is retried with the same token, so that the query runs once', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ QueryExecutionId: 'query-1' });
    servePages({ first: page([], []) });
    await runQuery('SELECT 1', options());
    const tokens = athena
      .commandCalls(StartQueryExecutionCommand)
      .map((call) => call.args[0].input.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(tokens[1]);
  });

  test('polls with growing delays while QUEUED and RUNNING, and reports each state', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('QUEUED'))
      .resolvesOnce(execution('RUNNING', { scanned: 1000 }))
      .resolvesOnce(execution('RUNNING', { scanned: 5000 }))
      .resolves(execution('SUCCEEDED', { scanned: 9000 }));
    servePages({ first: page([], []) });
    const result = await runQuery('SELECT 1', options());
    expect(clock.sleeps).toEqual([250, 500, 1000]);
    expect(progress.filter((event) => event.event === 'state')).toEqual([
      {
        event: 'state',
        queryExecutionId: 'query-1',
        state: 'QUEUED',
        dataScannedInBytes: 0,
        elapsedMs: 0,
      },
      {
        event: 'state',
        queryExecutionId: 'query-1',
        state: 'RUNNING',
        dataScannedInBytes: 1000,
        elapsedMs: 250,
      },
      {
        event: 'state',
        queryExecutionId: 'query-1',
        state: 'RUNNING',
        dataScannedInBytes: 5000,
        elapsedMs: 750,
      },
      {
        event: 'state',
        queryExecutionId: 'query-1',
        state: 'SUCCEEDED',
        dataScannedInBytes: 9000,
        elapsedMs: 1750,
      },
    ]);
    expect(result.statistics).toEqual({
      dataScannedInBytes: 9000,
      totalExecutionTimeMs: 1200,
      queueTimeMs: 100,
    });
  });

  test('FAILED raises the service reason and its error details, and reads no results', async () => {
    athena.on(GetQueryExecutionCommand).resolves(
      execution('FAILED', {
        reason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
        athenaError: { ErrorCategory: 2, ErrorType: 1006, Retryable: false },
      }),
    );
    const failure = runQuery('SELECT nope FROM banking', options());
    await expect(failure).rejects.toThrow(
      "Athena query query-1 FAILED: COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
    );
    await expect(failure).rejects.toMatchObject({
      name: 'AthenaQueryError',
      queryExecutionId: 'query-1',
      state: 'FAILED',
      errorType: 1006,
      retryable: false,
    });
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  test('CANCELLED raises the service reason', async () => {
    athena.on(GetQueryExecutionCommand).resolves(
      execution('CANCELLED', {
        reason: 'Query cancelled: data scanned exceeded the workgroup limit of 10000000 bytes',
      }),
    );
    const failure = runQuery('SELECT * FROM banking', options());
    await expect(failure).rejects.toBeInstanceOf(AthenaQueryError);
    await expect(failure).rejects.toThrow(
      'Athena query query-1 CANCELLED: Query cancelled: data scanned exceeded the workgroup limit of 10000000 bytes',
    );
  });

  test.each([
    [{ athenaError: { ErrorMessage: 'Insufficient permissions' } }, 'Insufficient permissions'],
    [{}, 'Athena gave no reason'],
  ])('a failure without StateChangeReason says what Athena gave', async (extra, reason) => {
    athena.on(GetQueryExecutionCommand).resolves(execution('FAILED', extra));
    await expect(runQuery('SELECT 1', options())).rejects.toThrow(
      `Athena query query-1 FAILED: ${reason}`,
    );
  });

  test('a query that never finishes is cancelled at its timeout', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});
    const failure = runQuery('SELECT slow()', {
      ...options(),
      timeoutMs: 5000,
      maxPollIntervalMs: 2000,
    });
    await expect(failure).rejects.toBeInstanceOf(AthenaQueryTimeoutError);
    await expect(failure).rejects.toThrow(
      'Athena query query-1 did not finish within 5 s (still RUNNING); it was cancelled',
    );
    expect(clock.sleeps).toEqual([250, 500, 1000, 2000, 1250]);
    expect(clock.now()).toBe(5000);
    expect(athena.commandCalls(StopQueryExecutionCommand)[0].args[0].input).toEqual({
      QueryExecutionId: 'query-1',
    });
  });

  test('a timeout says so when the query could not be cancelled', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('QUEUED'));
    athena
      .on(StopQueryExecutionCommand)
      .rejects(Object.assign(new Error('no'), { name: 'InvalidRequestException' }));
    await expect(runQuery('SELECT 1', { ...options(), timeoutMs: 100 })).rejects.toThrow(
      'Athena query query-1 did not finish within 0.1 s (still QUEUED); cancelling it failed',
    );
  });

  test('rejects a page size that GetQueryResults does not allow', async () => {
    await expect(runQuery('SELECT 1', { ...options(), pageSize: 1001 })).rejects.toThrow(
      'pageSize must be an integer from 1 to 1000, not 1001',
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});

describe('runQuery: reading results', () => {
  const columns = [column('id', 'bigint'), column('name', 'varchar')];

  test('reads every page, skipping the header that only page one has', async () => {
    servePages({
      first: page(columns, [headerOf(columns), row('1', 'a'), row('2', 'b')], 'page-2'),
      'page-2': page(columns, [row('3', 'c'), row('4', null)], 'page-3'),
      'page-3': page(columns, [row('9007199254740993', 'big')]),
    });
    const result = await runQuery('SELECT id, name FROM t', options());
    expect(result.columns).toEqual([
      { key: 'id', name: 'id', type: 'bigint' },
      { key: 'name', name: 'name', type: 'varchar' },
    ]);
    expect(await collect(result)).toEqual([
      { id: 1n, name: 'a' },
      { id: 2n, name: 'b' },
      { id: 3n, name: 'c' },
      { id: 4n, name: null },
      { id: 9007199254740993n, name: 'big' },
    ]);
    expect(result.rowsFetched).toBe(5);
    expect(resultCalls()).toEqual([
      { QueryExecutionId: 'query-1', MaxResults: 1000, NextToken: undefined },
      { QueryExecutionId: 'query-1', MaxResults: 1000, NextToken: 'page-2' },
      { QueryExecutionId: 'query-1', MaxResults: 1000, NextToken: 'page-3' },
    ]);
    expect(progress.filter((event) => event.event === 'rows')).toEqual([
      { event: 'rows', queryExecutionId: 'query-1', rowsFetched: 2, done: false },
      { event: 'rows', queryExecutionId: 'query-1', rowsFetched: 4, done: false },
      { event: 'rows', queryExecutionId: 'query-1', rowsFetched: 5, done: true },
    ]);
  });

  test('a row equal to the labels on a later page is data', async () => {
    const text = [column('a', 'varchar'), column('b', 'varchar')];
    servePages({
      first: page(text, [headerOf(text), row('x', 'y')], 'page-2'),
      'page-2': page(text, [row('a', 'b')]),
    });
    const rows = await collect(await runQuery('SELECT a, b FROM t', options()));
    expect(rows).toEqual([
      { a: 'x', b: 'y' },
      { a: 'a', b: 'b' },
    ]);
  });

  test('the first row is data when it is not the header', async () => {
    servePages({ first: page(columns, [row('1', 'a')]) });
    expect(await collect(await runQuery('SELECT 1', options()))).toEqual([{ id: 1n, name: 'a' }]);
  });

  test('a SHOW result, which has no header, keeps a first row equal to its label', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolves(execution('SUCCEEDED', { statementType: 'UTILITY' }));
    const tables = [column('tab_name', 'string')];
    servePages({ first: page(tables, [row('tab_name'), row('banking')]) });
    const result = await runQuery('SHOW TABLES', options());
    expect(await collect(result)).toEqual([{ tab_name: 'tab_name' }, { tab_name: 'banking' }]);
  });

  test('an empty SELECT has its columns and no rows', async () => {
    servePages({ first: page(columns, [headerOf(columns)]) });
    const result = await runQuery('SELECT id, name FROM t WHERE false', options());
    expect(result.columns.map((info) => info.key)).toEqual(['id', 'name']);
    expect(await collect(result)).toEqual([]);
  });

  test('reads every Athena type into its JavaScript value', async () => {
    const types = [
      column('tiny', 'tinyint'),
      column('small', 'smallint'),
      column('int', 'integer'),
      column('big', 'bigint'),
      column('real', 'float'),
      column('double', 'double'),
      column('not_a_number', 'double'),
      column('amount', 'decimal', { Precision: 38, Scale: 9 }),
      column('flag', 'boolean'),
      column('code', 'char'),
      column('name', 'varchar'),
      column('day', 'date'),
      column('at', 'timestamp'),
      column('at_zone', 'timestamp with time zone'),
      column('clock', 'time'),
      column('doc', 'json'),
      column('list', 'array'),
      column('dict', 'map'),
      column('record', 'row'),
      column('bytes', 'varbinary'),
      column('span', 'interval day to second'),
      column('nothing', 'varchar'),
    ];
    servePages({
      first: page(types, [
        headerOf(types),
        row(
          '-7',
          '300',
          '2147483647',
          '9223372036854775807',
          '1.5',
          '-2.5E-3',
          'NaN',
          '12345678901234567890.123456789',
          'true',
          'ab ',
          'hello, "world"',
          '2024-02-29',
          '2024-03-01 10:00:00.123',
          '2024-03-01 12:00:00.000 Europe/Paris',
          '10:11:12.345',
          '{"k":[1,"two",null]}',
          '[1, 2]',
          '{a=1}',
          '{x=1, y=foo}',
          '00 ff',
          '1 02:03:04.000',
          null,
        ),
      ]),
    });
    const [values] = await collect(await runQuery('SELECT ...', options()));
    expect(values).toEqual({
      tiny: -7,
      small: 300,
      int: 2147483647,
      big: 9223372036854775807n,
      real: 1.5,
      double: -0.0025,
      not_a_number: NaN,
      amount: '12345678901234567890.123456789',
      flag: true,
      code: 'ab ',
      name: 'hello, "world"',
      day: '2024-02-29',
      at: new Date('2024-03-01T10:00:00.123Z'),
      at_zone: new Date('2024-03-01T11:00:00.000Z'),
      clock: '10:11:12.345',
      doc: { k: [1, 'two', null] },
      list: '[1, 2]',
      dict: '{a=1}',
      record: '{x=1, y=foo}',
      bytes: '00 ff',
      span: '1 02:03:04.000',
      nothing: null,
    });
  });

  test('reads pages only as the iteration reaches them', async () => {
    servePages({
      first: page(columns, [headerOf(columns), row('1', 'a'), row('2', 'b')], 'page-2'),
      'page-2': page(columns, [row('3', 'c')]),
    });
    const result = await runQuery('SELECT id, name FROM t', options());
    const iterator = result[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    expect(resultCalls()).toHaveLength(1);
    expect((await iterator.next()).value).toEqual({ id: 3n, name: 'c' });
    expect(resultCalls()).toHaveLength(2);
  });

  test('a second iteration reads the result again from its start', async () => {
    servePages({ first: page(columns, [headerOf(columns), row('1', 'a')]) });
    const result = await runQuery('SELECT id, name FROM t', options());
    expect(await collect(result)).toEqual([{ id: 1n, name: 'a' }]);
    expect(await collect(result)).toEqual([{ id: 1n, name: 'a' }]);
    expect(resultCalls()).toHaveLength(2);
  });

  test('a throttled page is retried', async () => {
    athena
      .on(GetQueryResultsCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }))
      .resolves(page(columns, [headerOf(columns), row('1', 'a')]));
    expect(await collect(await runQuery('SELECT 1', options()))).toHaveLength(1);
    expect(clock.sleeps).toEqual([10]);
  });

  test('repeated column names get distinct keys', async () => {
    const joined = [column('id', 'integer'), column('id', 'integer'), column('id_2', 'integer')];
    servePages({ first: page(joined, [headerOf(joined), row('1', '2', '3')]) });
    const result = await runQuery('SELECT a.id, b.id, 3 AS id_2 FROM a, b', options());
    expect(result.columns.map((info) => info.key)).toEqual(['id', 'id_2', 'id_2_2']);
    expect(await collect(result)).toEqual([{ id: 1, id_2: 2, id_2_2: 3 }]);
  });

  test('a value that does not read as its type names the column', async () => {
    const numbers = [column('n', 'integer')];
    servePages({ first: page(numbers, [headerOf(numbers), row('x')]) });
    await expect(collect(await runQuery('SELECT n FROM t', options()))).rejects.toThrow(
      'column "n": cannot read "x" as integer',
    );
  });
});
