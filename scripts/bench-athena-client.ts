/**
 * Measures how fast the Athena client reads results and how much memory it holds.
 *
 * 1. Parse rate: rows per second that `RowReader` turns into typed rows, over synthetic
 *    `GetQueryResults` pages of mixed types (bigint, integer, double, decimal, boolean, date,
 *    timestamp, varchar, json, array, and NULLs).
 * 2. Streaming: `runQuery` over a fake Athena client that serves freshly built pages of 1,000
 *    rows, with the peak RSS and heap while 1,000,000 rows (or `--rows N`) go through its
 *    iterator.
 *
 * Run: npx tsx scripts/bench-athena-client.ts [--rows 1000000]
 * (with `node --expose-gc --import tsx ...` the baseline is measured after a collection)
 */
import { parseArgs } from 'node:util';
import type { ColumnInfo, GetQueryResultsOutput, Row } from '@aws-sdk/client-athena';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { runQuery } from '../lib/catalog/athena/athena-client';
import { RowReader } from '../lib/catalog/athena/result-rows';
import { SYNTHETIC_COLUMNS, syntheticRow } from './bench/synthetic-results';

const PAGE_SIZE = 1000;
const TEMPLATE_PAGES = 8;

const COLUMNS: ColumnInfo[] = SYNTHETIC_COLUMNS.map(([name, type]) => ({
  Name: name,
  Label: name,
  Type: type,
}));

/** Data rows of one synthetic page, varied so that no value repeats within it. */
function templateRows(page: number): string[][] {
  return Array.from({ length: PAGE_SIZE }, (_, index) => {
    const n = page * PAGE_SIZE + index;
    return syntheticRow(n, `customer-${n}`);
  });
}

/** A page as the SDK hands it over: fresh objects around the values. */
function freshPage(
  values: readonly string[][],
  header: boolean,
  nextToken?: string,
): GetQueryResultsOutput {
  const rows: Row[] = values.map((row, index) => ({
    // Every seventh row has a NULL in the varchar column.
    Data: row.map((value, column) =>
      column === 7 && index % 7 === 0 ? {} : { VarCharValue: value },
    ),
  }));
  if (header) rows.unshift({ Data: COLUMNS.map((info) => ({ VarCharValue: info.Name })) });
  return {
    ResultSet: { Rows: rows, ResultSetMetadata: { ColumnInfo: COLUMNS } },
    NextToken: nextToken,
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function rate(rows: number, ms: number): string {
  return `${Math.round((rows / ms) * 1000).toLocaleString('en-US')} rows/s`;
}

function benchmarkParsing(templates: readonly string[][][], rows: number): void {
  const reader = new RowReader(COLUMNS);
  const pages = templates.map((values) => freshPage(values, false).ResultSet?.Rows ?? []);
  let checksum = 0;
  const pass = (count: number) => {
    for (let done = 0, page = 0; done < count; page++) {
      for (const row of pages[page % pages.length]) {
        const values = reader.read(row);
        checksum += values.age as number;
        if (++done === count) break;
      }
    }
  };
  pass(100_000); // warm-up
  const started = performance.now();
  pass(rows);
  const elapsed = performance.now() - started;
  console.log(
    `parse rate      ${rate(rows, elapsed)} (${rows.toLocaleString('en-US')} rows of ${COLUMNS.length} columns, ${((elapsed * 1000) / rows).toFixed(2)} µs a row; checksum ${checksum})`,
  );
}

async function benchmarkStreaming(templates: readonly string[][][], rows: number): Promise<void> {
  // The first page holds the header and PAGE_SIZE - 1 rows, as Athena's first page does.
  const pageCount = Math.ceil((rows + 1) / PAGE_SIZE);
  const client = new AthenaClient({ region: 'us-east-1' });
  const send = async (command: unknown) => {
    if (command instanceof StartQueryExecutionCommand) return { QueryExecutionId: 'bench' };
    if (command instanceof GetQueryExecutionCommand) {
      return {
        QueryExecution: {
          QueryExecutionId: 'bench',
          StatementType: 'DML',
          Status: { State: 'SUCCEEDED' },
          Statistics: { DataScannedInBytes: 123_456_789 },
        },
      };
    }
    if (command instanceof GetQueryResultsCommand) {
      const page = Number(command.input.NextToken ?? '0');
      const last = page === pageCount - 1;
      const size = last ? rows + 1 - page * PAGE_SIZE : PAGE_SIZE;
      const values = templates[page % templates.length].slice(0, page === 0 ? size - 1 : size);
      return freshPage(values, page === 0, last ? undefined : String(page + 1));
    }
    throw new Error(`unexpected command ${String(command)}`);
  };
  client.send = send as unknown as AthenaClient['send'];

  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };

  const started = performance.now();
  const result = await runQuery('SELECT * FROM synthetic', {
    workgroup: 'bench',
    client,
    onProgress: (event) => {
      if (event.event === 'rows') sample();
    },
  });
  let count = 0;
  let active = 0;
  for await (const row of result) {
    count++;
    if (row.active === true) active++;
  }
  const elapsed = performance.now() - started;
  sample();
  if (count !== rows) throw new Error(`read ${count} rows, expected ${rows}`);

  console.log(
    `streaming       ${rate(count, elapsed)} through runQuery's iterator (${pageCount} pages of up to ${PAGE_SIZE}, page building included; ${active} active)`,
  );
  console.log(`memory baseline rss ${mib(baseline.rss)}, heap ${mib(baseline.heapUsed)}`);
  console.log(
    `memory peak     rss ${mib(peakRss)} (+${mib(peakRss - baseline.rss)}), heap ${mib(peakHeap)} (+${mib(peakHeap - baseline.heapUsed)}), process max rss ${mib(process.resourceUsage().maxRSS * 1024)}`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows < 1)
    throw new Error(`--rows must be a positive integer, not ${values.rows}`);
  console.log(
    `Athena client benchmark: node ${process.version}, ${rows.toLocaleString('en-US')} rows`,
  );
  const templates = Array.from({ length: TEMPLATE_PAGES }, (_, page) => templateRows(page));
  benchmarkParsing(templates, Math.min(rows, 500_000));
  await benchmarkStreaming(templates, rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
