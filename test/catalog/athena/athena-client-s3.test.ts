import type { ColumnInfo, GetQueryResultsOutput } from '@aws-sdk/client-athena';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import type {
  QueryProgress,
  ResultSource,
  RunQueryOptions,
} from '../../../lib/catalog/athena/athena-client';
import { runQuery } from '../../../lib/catalog/athena/athena-client';
import type { ResultObjectReader } from '../../../lib/catalog/athena/result-objects';
import { AthenaResultObjectError } from '../../../lib/catalog/athena/result-objects';
import type { AthenaRow } from '../../../lib/catalog/athena/result-rows';
import type { CsvDialect } from './fake-athena';
import {
  RESULT_BUCKET,
  RESULT_KEY,
  RESULT_LOCATION,
  athenaCsv,
  column,
  execution,
  fakeClock,
  fakeResultObjects,
  pagesOf,
  s3Error,
} from './fake-athena';
import { testRunQueryOptions } from '../../support/athena-queries';

const athena = mockClient(AthenaClient);

let progress: QueryProgress[];

beforeEach(() => {
  athena.reset();
  progress = [];
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'query-1' });
  athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
});

function options(resultSource: ResultSource): RunQueryOptions {
  return { ...testRunQueryOptions(fakeClock(), progress), resultSource };
}

const PAGES: ResultSource = { from: 'pages', reason: 'the paging path is under test' };

function servePages(pages: Record<string, GetQueryResultsOutput>): void {
  athena
    .on(GetQueryResultsCommand)
    .callsFake(async (input: { NextToken?: string }) => pages[input.NextToken ?? 'first']);
}

/** Serves the rows both ways: as 1000-row pages, and as the result CSV on S3. */
function serve(
  columns: readonly ColumnInfo[],
  values: readonly (readonly (string | null)[])[],
  options: CsvDialect & { chunkBytes?: number } = {},
) {
  servePages(pagesOf(columns, values));
  return fakeResultObjects(
    { [RESULT_LOCATION]: athenaCsv(columns, values, options) },
    { chunkBytes: options.chunkBytes },
  );
}

async function collect(rows: AsyncIterable<AthenaRow>): Promise<AthenaRow[]> {
  const all: AthenaRow[] = [];
  for await (const item of rows) all.push(item);
  return all;
}

async function readBothWays(reader: ResultObjectReader) {
  const paged = await collect(await runQuery('SELECT ...', options(PAGES)));
  const pageCalls = athena.commandCalls(GetQueryResultsCommand).length;
  athena.resetHistory();
  const streamed = await collect(await runQuery('SELECT ...', options({ from: 's3', reader })));
  const streamCalls = athena.commandCalls(GetQueryResultsCommand).length;
  return { paged, streamed, pageCalls, streamCalls };
}

const resultCalls = () =>
  athena.commandCalls(GetQueryResultsCommand).map((call) => call.args[0].input);

/**
 * One column of every type the value parser knows, with texts as Athena prints them; a row
 * takes the texts in turn, and some rows a NULL in each column.
 *
 * That the result CSV holds, for every type, the same text as GetQueryResults' VarCharValue is
 * not documented by AWS; PyAthena reads both through the same converters
 * (pyathena/s3fs/converter.py: "uses the same mappings as DefaultTypeConverter"). It is assumed
 * here until a pair captured from a real account replaces these texts.
 */
const TYPES: [ColumnInfo, string[]][] = [
  [column('tiny', 'tinyint'), ['-7', '127', '0']],
  [column('small', 'smallint'), ['300', '-32768']],
  [column('int', 'integer'), ['2147483647', '-2147483648', '0']],
  [column('big', 'bigint'), ['9223372036854775807', '-9223372036854775808', '9007199254740993']],
  [column('real', 'float'), ['1.5', '-0.25', 'NaN', 'Infinity', '3.4028235E38']],
  [column('double', 'double'), ['-2.5E-3', 'NaN', '-Infinity', '4.9E-324', '1.0E10', '0.1']],
  [
    column('amount', 'decimal', { Precision: 38, Scale: 9 }),
    ['12345678901234567890.123456789', '-0.500000000', '0.000000000', '100.100000000'],
  ],
  [column('flag', 'boolean'), ['true', 'false']],
  [column('code', 'char'), ['ab ', 'x  ', '"q"']],
  [
    column('name', 'varchar'),
    [
      'plain',
      '',
      'hello, "world"',
      'line one\nline two',
      'crlf\r\ninside',
      'a lone \r inside',
      'ends with a newline\n',
      ' spaces around ',
      '"',
      '""',
      ',',
      ',,,',
      'NULL',
      'null',
      'name',
      'naïve café',
      '日本語のテキスト',
      '🙂 emoji 👩🏽‍💻',
      'עברית',
      'tab\there',
      'C:\\path\\',
    ],
  ],
  [column('text', 'string'), ['x', '', 'a "b" c']],
  [column('day', 'date'), ['2024-02-29', '1970-01-01', '0001-01-01']],
  [
    column('at', 'timestamp'),
    [
      '2024-03-01 10:00:00.123',
      '1970-01-01 00:00:00.000',
      '2024-02-29 23:59:59.999',
      '1999-12-31 23:59:59',
      '2024-03-01 10:00:00.123456',
    ],
  ],
  [
    column('at_zone', 'timestamp with time zone'),
    [
      '2024-03-01 12:00:00.000 Europe/Paris',
      '2024-03-01 12:00:00.000 UTC',
      '2024-10-27 02:30:00.000 Europe/Berlin',
      '2024-03-01 12:00:00.000 +05:30',
      '2024-03-01 12:00:00.000 -08:00',
    ],
  ],
  [column('clock', 'time'), ['10:11:12.345', '00:00:00.000']],
  [
    column('doc', 'json'),
    [
      '{"k":[1,"two",null]}',
      '"a, \\"quoted\\" string"',
      '123',
      'null',
      '[]',
      '{"text":"line\\nbreak","u":"ü","nested":{"a":[{"b":true}]}}',
    ],
  ],
  [
    column('list', 'array'),
    ['[1, 2]', '[]', '[a, b, c]', '[null, 1]', '[x, "quoted", y]', '[[1, 2], [3]]'],
  ],
  [column('dict', 'map'), ['{a=1}', '{}', '{k=v, k2=null}', '{"q"=x,y}', '{k=[1, 2]}']],
  [
    column('record', 'row'),
    ['{x=1, y=foo}', '{field0=1, field1=2.0}', '{a={b=1}, c=[1, 2]}', '{s=a "b", c}'],
  ],
  [column('bytes', 'varbinary'), ['00 ff', '68 65 6c 6c 6f', '']],
  [column('span', 'interval day to second'), ['1 02:03:04.000', '-0 00:00:01.500']],
  [column('months', 'interval year to month'), ['0-3', '-1-11']],
  [column('id', 'uuid'), ['0d2a5f96-7c3e-4b2a-9a7e-1f2b3c4d5e6f']],
  [column('say "hi", friend', 'varchar'), ['labels need quotes too']],
  [column('id', 'integer'), ['1', '2']],
];

const ALL_TYPES = TYPES.map(([info]) => info);

function allTypeRows(count: number): (string | null)[][] {
  return Array.from({ length: count }, (_, index) =>
    TYPES.map(([, texts], position) =>
      (index + position) % 11 === 0 ? null : texts[index % texts.length],
    ),
  );
}

describe('runQuery from S3: the same typed rows as page by page', () => {
  test.each<[string, CsvDialect & { chunkBytes?: number }]>([
    ['Athena quotes every value', {}],
    ['values in quotes only where needed', { quoting: 'minimal' }],
    ['records ending in \\r\\n', { lineEnd: '\r\n' }],
    ['pieces of 7 bytes, cutting characters and quotes', { chunkBytes: 7 }],
    ['pieces of 3 bytes', { chunkBytes: 3 }],
  ])('every type, NULLs and awkward text: %s', async (_name, dialect) => {
    const values = allTypeRows(dialect.chunkBytes === 3 ? 1000 : 2500);
    const objects = serve(ALL_TYPES, values, dialect);
    const { paged, streamed, pageCalls, streamCalls } = await readBothWays(objects);

    expect(paged).toHaveLength(values.length);
    expect(streamed).toEqual(paged);
    expect(pageCalls).toBe(Math.ceil((values.length + 1) / 1000));
    expect(streamCalls).toBe(1);
    expect(objects.calls).toEqual([{ bucket: RESULT_BUCKET, key: RESULT_KEY }]);
  });

  test('the typed values are the parsers', async () => {
    const values = allTypeRows(1100);
    const [, second] = await collect(
      await runQuery('SELECT ...', options({ from: 's3', reader: serve(ALL_TYPES, values) })),
    );
    expect(second).toMatchObject({
      tiny: 127,
      big: -9223372036854775808n,
      real: -0.25,
      double: NaN,
      amount: '-0.500000000',
      flag: false,
      name: '',
      at: new Date('1970-01-01T00:00:00.000Z'),
      at_zone: new Date('2024-03-01T12:00:00.000Z'),
      doc: 'a, "quoted" string',
      list: '[]',
      bytes: '68 65 6c 6c 6f',
      'say "hi", friend': 'labels need quotes too',
      id: '0d2a5f96-7c3e-4b2a-9a7e-1f2b3c4d5e6f',
      id_2: 2,
    });
    const rows = await collect(
      await runQuery('SELECT ...', options({ from: 's3', reader: serve(ALL_TYPES, values) })),
    );
    expect(rows.map((row) => row.name)).toContain('line one\nline two');
    expect(rows.map((row) => row.name)).toContain('🙂 emoji 👩🏽‍💻');
    expect(rows[0].tiny).toBeNull();
  });

  test.each([1001, 4000, 25_000])(
    'one GetQueryResults call, whatever the rows (%d)',
    async (count) => {
      const columns = [column('id', 'bigint'), column('name', 'varchar')];
      const values = Array.from({ length: count }, (_, index) => [String(index), `n${index}`]);
      const objects = serve(columns, values);
      const rows = await collect(
        await runQuery('SELECT ...', options({ from: 's3', reader: objects })),
      );
      expect(rows).toHaveLength(count);
      expect(rows[count - 1]).toEqual({ id: BigInt(count - 1), name: `n${count - 1}` });
      expect(resultCalls()).toEqual([
        { QueryExecutionId: 'query-1', MaxResults: 1000, NextToken: undefined },
      ]);
      expect(objects.calls).toHaveLength(1);
    },
  );
});

// Athena writes a DML result to <OutputLocation> as QueryID.csv, and a DDL result as QueryID.txt
// (Athena User Guide, querying.md); GetQueryResults returns at most 1000 rows a call (API
// reference, MaxResults "Maximum value of 1000"). Anyone with s3:GetObject on the result location
// can read the result from S3 (querying.md), which is all the S3 path asks for, with kms:Decrypt
// through S3 for an SSE-KMS result.
describe('runQuery from S3: when it reads from S3, and what it reports', () => {
  const columns = [column('id', 'bigint'), column('name', 'varchar')];
  const values = Array.from({ length: 1500 }, (_, index) => [String(index), `n${index}`]);
  const sources = () => progress.filter((event) => event.event === 'source');

  test('reports the object it reads, the rows as it goes, and the end', async () => {
    const objects = serve(columns, values, { chunkBytes: 4096 });
    const result = await runQuery('SELECT ...', options({ from: 's3', reader: objects }));
    expect(await collect(result)).toHaveLength(1500);
    expect(result.rowsFetched).toBe(1500);
    expect(sources()).toEqual([
      { event: 'source', queryExecutionId: 'query-1', from: 's3', location: RESULT_LOCATION },
    ]);
    const rows = progress.filter((event) => event.event === 'rows');
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.at(-1)).toEqual({
      event: 'rows',
      queryExecutionId: 'query-1',
      rowsFetched: 1500,
      done: true,
    });
    expect(rows.slice(0, -1).every((event) => event.event === 'rows' && !event.done)).toBe(true);
  });

  test('a result that fits in its first page is read from it, without S3', async () => {
    const objects = serve(columns, values.slice(0, 999));
    const rows = await collect(
      await runQuery('SELECT ...', options({ from: 's3', reader: objects })),
    );
    expect(rows).toHaveLength(999);
    expect(objects.calls).toEqual([]);
    expect(sources()).toEqual([
      {
        event: 'source',
        queryExecutionId: 'query-1',
        from: 'pages',
        reason: 'the result fits in its first page',
        denied: false,
      },
    ]);
  });

  test.each<[string, Parameters<typeof execution>[1], string]>([
    ['a DDL statement', { statementType: 'DDL' }, 'the result of a DDL is no CSV'],
    ['a utility statement', { statementType: 'UTILITY' }, 'the result of a UTILITY is no CSV'],
    [
      'a result that is no CSV',
      { outputLocation: 's3://athena-results/ml-foundation/query-1.txt' },
      'the result is no CSV object on S3 (output location "s3://athena-results/ml-foundation/query-1.txt")',
    ],
  ])('%s is read page by page', async (_name, extra, reason) => {
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED', extra));
    // A SHOW or DESCRIBE result has no header row; a SELECT's CSV does.
    const header = extra?.statementType === undefined;
    servePages(pagesOf(columns, values, { header }));
    const objects = fakeResultObjects({ [RESULT_LOCATION]: athenaCsv(columns, values) });
    expect(
      await collect(await runQuery('SHOW ...', options({ from: 's3', reader: objects }))),
    ).toHaveLength(1500);
    expect(objects.calls).toEqual([]);
    expect(sources()).toEqual([
      { event: 'source', queryExecutionId: 'query-1', from: 'pages', reason, denied: false },
    ]);
  });

  test.each([
    ['S3 refuses the object', s3Error('AccessDenied', 'Access Denied', 403)],
    [
      'KMS refuses its key',
      s3Error(
        'AccessDenied',
        'User: arn:aws:sts::111122223333:assumed-role/analyst/x is not authorized to perform: kms:Decrypt',
        403,
      ),
    ],
  ])('where %s, the rows are read page by page, with a warning', async (_name, refusal) => {
    servePages(pagesOf(columns, values));
    const objects = fakeResultObjects({}, { refuse: refusal });
    const rows = await collect(
      await runQuery('SELECT ...', options({ from: 's3', reader: objects })),
    );
    expect(rows).toHaveLength(1500);
    expect(resultCalls()).toHaveLength(2);
    expect(sources()).toEqual([
      {
        event: 'source',
        queryExecutionId: 'query-1',
        from: 'pages',
        reason:
          `S3 refused ${RESULT_LOCATION} (AccessDenied: ${refusal.message}); reading it takes ` +
          's3:GetObject on it and kms:Decrypt through S3 on its key',
        denied: true,
      },
    ]);
  });

  test('any other refusal fails, and does not read page by page', async () => {
    servePages(pagesOf(columns, values));
    const objects = fakeResultObjects({});
    await expect(
      collect(await runQuery('SELECT ...', options({ from: 's3', reader: objects }))),
    ).rejects.toThrow(
      new AthenaResultObjectError(
        RESULT_LOCATION,
        'cannot read it: NoSuchKey: The specified key does not exist.',
      ),
    );
    expect(resultCalls()).toHaveLength(1);
  });

  test('a throttled GetObject is retried', async () => {
    const objects = serve(columns, values);
    let refusals = 0;
    const reader: ResultObjectReader = {
      getObjectStream: (bucket, key) =>
        refusals++ === 0
          ? Promise.reject(s3Error('SlowDown', 'Please reduce your request rate.', 503))
          : objects.getObjectStream(bucket, key),
    };
    expect(
      await collect(await runQuery('SELECT ...', options({ from: 's3', reader }))),
    ).toHaveLength(1500);
    expect(refusals).toBe(2);
  });

  test('a stream that breaks mid-way fails with the rows read so far', async () => {
    servePages(pagesOf(columns, values));
    // The header, 8 records, and part of the 9th.
    const csv = athenaCsv(columns, values).split('\n').slice(0, 10).join('\n');
    const reader: ResultObjectReader = {
      getObjectStream: async () =>
        Readable.from(
          (async function* () {
            yield Buffer.from(csv.slice(0, -2));
            throw Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' });
          })(),
        ),
    };
    await expect(
      collect(await runQuery('SELECT ...', options({ from: 's3', reader }))),
    ).rejects.toThrow(
      `result object ${RESULT_LOCATION}: reading it failed after 8 rows: ECONNRESET: socket hang up`,
    );
  });

  test('stopping early closes the object stream', async () => {
    const objects = serve(columns, values);
    const result = await runQuery('SELECT ...', options({ from: 's3', reader: objects }));
    for await (const row of result) {
      expect(row).toEqual({ id: 0n, name: 'n0' });
      break;
    }
    expect(objects.streams[0].destroyed).toBe(true);
  });

  test('a second iteration reads the object again from its start', async () => {
    const objects = serve(columns, values);
    const result = await runQuery('SELECT ...', options({ from: 's3', reader: objects }));
    expect(await collect(result)).toHaveLength(1500);
    expect(await collect(result)).toHaveLength(1500);
    expect(objects.calls).toHaveLength(2);
    expect(resultCalls()).toHaveLength(2);
  });
});

describe('runQuery from S3: a CSV that is not what Athena writes fails loudly', () => {
  const columns = [column('id', 'bigint'), column('name', 'varchar')];
  const values = Array.from({ length: 1200 }, (_, index) => [String(index), `n${index}`]);
  const header = '"id","name"\n';

  async function readObject(body: string | Uint8Array): Promise<unknown> {
    servePages(pagesOf(columns, values));
    const reader = fakeResultObjects({ [RESULT_LOCATION]: body });
    try {
      await collect(await runQuery('SELECT ...', options({ from: 's3', reader })));
    } catch (error) {
      return error;
    }
    return undefined;
  }

  test.each<[string, string | Uint8Array, string]>([
    [
      'a header that is not the columns',
      '"id","nom"\n"1","a"\n',
      'record 1 (the header is record 1): the header ["id","nom"] is not the columns of the result ["id","name"]',
    ],
    [
      'a header missing',
      '"1","a"\n"2","b"\n',
      'record 1 (the header is record 1): the header ["1","a"] is not the columns of the result ["id","name"]',
    ],
    [
      'a record with a value too few',
      `${header}"1","a"\n"2"\n`,
      'record 3 (the header is record 1): 1 values, where the result has 2 columns',
    ],
    [
      'a record with a value too many',
      `${header}"1","a",""\n`,
      'record 2 (the header is record 1): 3 values, where the result has 2 columns',
    ],
    [
      'a stray quote',
      `${header}"1",a"b\n`,
      'record 2 (the header is record 1): a quote inside a value that does not start with one',
    ],
    [
      'text after a closing quote',
      `${header}"1","a"b\n`,
      'record 2 (the header is record 1): "b" after the closing quote of a value',
    ],
    [
      'an unclosed quote',
      `${header}"1","a\n`,
      'record 2 (the header is record 1): the file ends inside a quoted value',
    ],
    [
      'bytes that are not UTF-8',
      Buffer.concat([Buffer.from(`${header}"1","`), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]),
      'it is not UTF-8 text: The encoded data was not valid for encoding utf-8',
    ],
    [
      'an empty object',
      '',
      'it is empty, though GetQueryResults has more than one page of the result',
    ],
  ])('%s', async (_name, body, detail) => {
    const error = await readObject(body);
    expect(error).toBeInstanceOf(AthenaResultObjectError);
    expect((error as Error).message).toBe(`result object ${RESULT_LOCATION}: ${detail}`);
  });

  test('a value that does not read as its type names the column, as page by page', async () => {
    const error = await readObject(`${header}"x","a"\n`);
    expect((error as Error).message).toBe('column "id": cannot read "x" as bigint');
  });
});
