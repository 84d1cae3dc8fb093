/**
 * Compares the two ways `runQuery` reads a large result: page by page with `GetQueryResults`
 * (1,000 rows a call), and from the result CSV on S3 (one `GetQueryResults` call for the
 * columns, then one streamed `GetObject`).
 *
 * Both run against one local HTTP server in this process: it answers the real `AthenaClient`
 * in Athena's JSON protocol (pages of 1,000 rows, the header on page one, as Athena serves a
 * SELECT) and serves the same rows as one CSV object in Athena's form to a reader that gets it
 * over HTTP, as S3 GetObject would. The server sends prepared bytes, so the time measured is
 * the client's: requests, SDK deserialization, CSV parsing and the typed value parsers.
 * `--latency-ms` adds a delay before every response, as a round trip to AWS would.
 *
 * With `--repeat N` each path reads the result N times, in turns, and the median time is shown.
 *
 * Run: npx tsx scripts/bench-athena-s3.ts [--rows 1000000] [--latency-ms 0] [--repeat 1]
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { AthenaClient } from '@aws-sdk/client-athena';
import type { ResultSource } from '../lib/catalog/athena/athena-client';
import { runQuery } from '../lib/catalog/athena/athena-client';
import type { ResultObjectReader } from '../lib/catalog/athena/result-objects';
import type { AthenaRow } from '../lib/catalog/athena/result-rows';
import { SYNTHETIC_COLUMNS, syntheticRow } from './bench/synthetic-results';

const PAGE_SIZE = 1000;
/** Rows repeat with this period, a whole number of pages, so that pages can be prepared. */
const CYCLE = 8000;
const BUCKET = 'bench-results';
const KEY = 'ml-foundation/bench.csv';

const COLUMNS = SYNTHETIC_COLUMNS.map(([name, type]) => ({
  Name: name,
  Label: name,
  Type: type,
  ...(type === 'decimal' ? { Precision: 12, Scale: 2 } : {}),
}));

/** Row `n` of the cycle; every seventh has a NULL name. */
function cycleRow(n: number): (string | null)[] {
  return syntheticRow(n, n % 7 === 0 ? null : `customer ${n}, "quoted"`);
}

const CYCLE_ROWS = Array.from({ length: CYCLE }, (_, n) => cycleRow(n));

function jsonRow(values: readonly (string | null)[]): string {
  const data = values.map((value) =>
    value === null ? '{}' : `{"VarCharValue":${JSON.stringify(value)}}`,
  );
  return `{"Data":[${data.join(',')}]}`;
}

function csvRow(values: readonly (string | null)[]): string {
  return `${values.map((value) => (value === null ? '' : `"${value.replace(/"/g, '""')}"`)).join(',')}\n`;
}

/** Serves a query of `rows` rows both ways, counting the calls and bytes of each. */
class FakeAthena {
  readonly calls = new Map<string, number>();
  bytes = 0;
  private readonly server = http.createServer((request, response) =>
    this.handle(request, response),
  );
  private readonly pageRows = new Map<string, Buffer>();
  private readonly header = jsonRow(COLUMNS.map((column) => column.Name));
  private readonly csvCycle = Buffer.from(CYCLE_ROWS.map(csvRow).join(''));
  private readonly agent = new http.Agent({ keepAlive: true });
  private port = 0;

  constructor(
    private readonly rows: number,
    private readonly latencyMs: number,
  ) {}

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  reset(): void {
    this.calls.clear();
    this.bytes = 0;
  }

  count(call: string): number {
    return this.calls.get(call) ?? 0;
  }

  /** Reads result objects over HTTP from this server, as an S3 client would from S3. */
  readonly objects: ResultObjectReader = {
    getObjectStream: (bucket, key) =>
      new Promise<Readable>((resolve, reject) => {
        const request = http.get(
          { host: '127.0.0.1', port: this.port, path: `/${bucket}/${key}`, agent: this.agent },
          (response) => {
            if (response.statusCode === 200) return resolve(response);
            response.resume();
            reject(Object.assign(new Error(`HTTP ${response.statusCode}`), { name: 'NoSuchKey' }));
          },
        );
        request.on('error', reject);
      }),
  };

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '').replace('AmazonAthena.', '');
      const call = request.method === 'GET' ? 'GetObject' : target;
      this.calls.set(call, this.count(call) + 1);
      setTimeout(() => {
        if (call === 'GetObject') {
          void this.sendObject(request.url ?? '', response);
        } else {
          const input = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<
            string,
            unknown
          >;
          this.sendJson(response, this.answer(call, input));
        }
      }, this.latencyMs);
    });
  }

  private answer(call: string, input: Record<string, unknown>): Buffer {
    if (call === 'StartQueryExecution') return Buffer.from('{"QueryExecutionId":"bench"}');
    if (call === 'GetQueryExecution') {
      return Buffer.from(
        JSON.stringify({
          QueryExecution: {
            QueryExecutionId: 'bench',
            StatementType: 'DML',
            ResultConfiguration: { OutputLocation: `s3://${BUCKET}/${KEY}` },
            Status: { State: 'SUCCEEDED' },
            Statistics: { DataScannedInBytes: 123_456_789 },
          },
        }),
      );
    }
    if (call === 'GetQueryResults')
      return this.page(Number(input.NextToken ?? 0), Number(input.MaxResults ?? PAGE_SIZE));
    throw new Error(`unexpected call ${call}`);
  }

  /** Page `index` of `size` entries: the header and data rows, as Athena counts them. */
  private page(index: number, size: number): Buffer {
    const entries = this.rows + 1;
    const start = index * size;
    const end = Math.min(start + size, entries);
    const rows: Buffer[] = [];
    const first = Math.max(start, 1) - 1;
    if (start === 0) rows.push(Buffer.from(this.header + (end > 1 ? ',' : '')));
    if (end > 1) rows.push(this.dataRows(first, end - 1));
    const next = end < entries ? `,"NextToken":"${index + 1}"` : '';
    const metadata = JSON.stringify({ ColumnInfo: COLUMNS });
    return Buffer.concat([
      Buffer.from(`{"ResultSet":{"ResultSetMetadata":${metadata},"Rows":[`),
      ...rows,
      Buffer.from(`]}${next},"UpdateCount":0}`),
    ]);
  }

  /** The JSON of data rows `from` to `to` (exclusive), prepared once per place in the cycle. */
  private dataRows(from: number, to: number): Buffer {
    const key = `${from % CYCLE}:${to - from}`;
    let rows = this.pageRows.get(key);
    if (!rows) {
      const json: string[] = [];
      for (let n = from; n < to; n++) json.push(jsonRow(CYCLE_ROWS[n % CYCLE]));
      rows = Buffer.from(json.join(','));
      this.pageRows.set(key, rows);
    }
    return rows;
  }

  private sendJson(response: http.ServerResponse, body: Buffer): void {
    this.bytes += body.length;
    response.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': body.length,
      'x-amzn-requestid': 'bench',
    });
    response.end(body);
  }

  private async sendObject(url: string, response: http.ServerResponse): Promise<void> {
    if (url !== `/${BUCKET}/${KEY}`) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/csv' });
    const write = (chunk: Buffer) => {
      this.bytes += chunk.length;
      return response.write(chunk)
        ? Promise.resolve()
        : new Promise<void>((resolve) => response.once('drain', () => resolve()));
    };
    await write(Buffer.from(csvRow(COLUMNS.map((column) => column.Label))));
    const cycles = Math.floor(this.rows / CYCLE);
    for (let cycle = 0; cycle < cycles; cycle++) await write(this.csvCycle);
    const rest = this.rows - cycles * CYCLE;
    if (rest > 0) await write(Buffer.from(CYCLE_ROWS.slice(0, rest).map(csvRow).join('')));
    response.end();
  }
}

interface PathRun {
  readonly name: string;
  readonly wallMs: number;
  readonly getQueryResults: number;
  readonly getObject: number;
  readonly calls: number;
  readonly bytes: number;
  readonly checksum: string;
  readonly sample: AthenaRow[];
}

const SAMPLE = 2500;

async function readAll(
  fake: FakeAthena,
  client: AthenaClient,
  name: string,
  resultSource: ResultSource,
): Promise<PathRun> {
  fake.reset();
  const started = performance.now();
  const result = await runQuery('SELECT * FROM synthetic', {
    workgroup: 'bench',
    client,
    resultSource,
  });
  let count = 0;
  let ages = 0;
  let active = 0;
  let nullNames = 0;
  const sample: AthenaRow[] = [];
  for await (const row of result) {
    if (count < SAMPLE) sample.push(row);
    count++;
    ages += row.age as number;
    if (row.active === true) active++;
    if (row.name === null) nullNames++;
  }
  const wallMs = performance.now() - started;
  const calls = [...fake.calls.values()].reduce((sum, n) => sum + n, 0);
  return {
    name,
    wallMs,
    getQueryResults: fake.count('GetQueryResults'),
    getObject: fake.count('GetObject'),
    calls,
    bytes: fake.bytes,
    checksum: `${count} rows, age sum ${ages}, ${active} active, ${nullNames} NULL names`,
    sample,
  };
}

function number(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function printTable(rows: number, lines: readonly (readonly [PathRun, number])[]): void {
  const table = [
    ['path', 'GetQueryResults', 'GetObject', 'calls in all', 'bytes served', 'wall time', 'rows/s'],
    ...lines.map(([run, wallMs]) => [
      run.name,
      number(run.getQueryResults),
      number(run.getObject),
      number(run.calls),
      megabytes(run.bytes),
      seconds(wallMs),
      number((rows / wallMs) * 1000),
    ]),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((line) => line[column].length)));
  for (const line of table) {
    console.log(line.map((cell, column) => cell.padEnd(widths[column])).join('  '));
  }
}

async function measure(
  rows: number,
  latencyMs: number,
  repeat: number,
  print: boolean,
): Promise<void> {
  const fake = new FakeAthena(rows, latencyMs);
  const endpoint = await fake.listen();
  const client = new AthenaClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const pageRuns: PathRun[] = [];
    const s3Runs: PathRun[] = [];
    for (let round = 0; round < repeat; round++) {
      const pages = await readAll(fake, client, 'page by page', {
        from: 'pages',
        reason: 'the benchmark reads page by page',
      });
      const s3 = await readAll(fake, client, 'from the S3 CSV', {
        from: 's3',
        reader: fake.objects,
      });
      if (pages.checksum !== s3.checksum) {
        throw new Error(`the paths differ: ${pages.checksum} / ${s3.checksum}`);
      }
      if (!isDeepStrictEqual(pages.sample, s3.sample)) {
        throw new Error(`the first ${SAMPLE} rows of the two paths differ`);
      }
      pageRuns.push(pages);
      s3Runs.push(s3);
    }
    if (!print) return;
    const [pages, s3] = [pageRuns[0], s3Runs[0]];
    const pagesMs = median(pageRuns.map((run) => run.wallMs));
    const s3Ms = median(s3Runs.map((run) => run.wallMs));
    printTable(rows, [
      [pages, pagesMs],
      [s3, s3Ms],
    ]);
    if (repeat > 1) {
      const times = (runs: PathRun[]) => runs.map((run) => seconds(run.wallMs)).join(', ');
      console.log(
        `wall times (median shown): page by page ${times(pageRuns)}; from S3 ${times(s3Runs)}`,
      );
    }
    console.log(
      `ratio: ${(pages.calls / s3.calls).toFixed(1)}x fewer calls in all ` +
        `(${number(pages.getQueryResults / s3.getQueryResults)}x fewer GetQueryResults), ` +
        `${(pagesMs / s3Ms).toFixed(2)}x faster from S3`,
    );
    console.log(`same rows both ways: ${s3.checksum}; the first ${number(SAMPLE)} rows deep-equal`);
  } finally {
    client.destroy();
    await fake.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      'latency-ms': { type: 'string', default: '0' },
      repeat: { type: 'string', default: '1' },
    },
  });
  const rows = Number(values.rows);
  const latencyMs = Number(values['latency-ms']);
  if (!Number.isInteger(rows) || rows < 1) {
    throw new Error(`--rows must be a positive integer, not ${values.rows}`);
  }
  if (!(latencyMs >= 0)) {
    throw new Error(`--latency-ms must be 0 or more, not ${values['latency-ms']}`);
  }
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) {
    throw new Error(`--repeat must be a positive integer, not ${values.repeat}`);
  }
  console.log(
    `Athena result paths: node ${process.version}, ${rows.toLocaleString('en-US')} rows of ` +
      `${COLUMNS.length} columns, pages of ${PAGE_SIZE}, local HTTP fake, ${latencyMs} ms before each response`,
  );
  await measure(Math.min(rows, 20_000), 0, 1, false); // warm-up of both paths
  await measure(rows, latencyMs, repeat, true);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
