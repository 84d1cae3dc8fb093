import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CsvScanError, digestOf, scanCsv } from '../../../lib/snapshots/handler/file-checks';
import {
  footerLength,
  ParquetFooterError,
  parquetRowCount,
} from '../../../lib/snapshots/handler/parquet-footer';
import { duckdbForTests } from '../../support/duckdb';

/*
 * What the manifest says about a file comes from the file's bytes. The Parquet row count is
 * read from the footer of files that DuckDB writes (one engine that writes Parquet as the
 * format specifies it: https://github.com/apache/parquet-format), with many row groups, many
 * columns, nested and boolean columns, so that the footer holds every kind of Thrift value
 * the reader skips.
 */

const duckdb = duckdbForTests('file-checks-');

async function parquet(name: string, select: string, options = ''): Promise<Buffer> {
  const file = path.join(duckdb.scratch, `${name}.parquet`);
  await duckdb.connection.run(`COPY (${select}) TO '${file}' (FORMAT PARQUET${options})`);
  return fs.readFileSync(file);
}

/** Chunks of a text, so that a stream splits records and characters. */
function chunks(text: string, size: number): Uint8Array[] {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += size)
    parts.push(bytes.subarray(start, start + size));
  return parts;
}

async function* stream(parts: Uint8Array[]) {
  yield* parts;
}

describe('the Parquet row count', () => {
  test.each([
    ['no rows', 'SELECT 1::INTEGER AS a WHERE false', '', 0],
    ['one row', 'SELECT 1::INTEGER AS a', '', 1],
    [
      'many row groups and columns of every kind',
      `SELECT i::BIGINT AS id, 'name ' || i AS name, i % 2 = 0 AS even, (i / 3.0)::DECIMAL(12,3) AS amount,
         DATE '2024-01-01' + (i % 365)::INTEGER AS day, [i, i + 1] AS pair, {'k': i, 'v': 'x'} AS kv,
         MAP {'a': i} AS m, i::DOUBLE AS d FROM range(100000) AS t(i)`,
      ', ROW_GROUP_SIZE 7000',
      100000,
    ],
  ])('%s', async (name, select, options, rows) => {
    const bytes = await parquet(name.replace(/\W+/g, '-'), select, options);
    expect(parquetRowCount(bytes)).toBe(rows);
    // From the last bytes alone, as the handler reads them.
    const tail = bytes.subarray(bytes.length - footerLength(bytes));
    expect(parquetRowCount(tail)).toBe(rows);
  });

  test('refuses what is not the end of a Parquet file', async () => {
    const bytes = await parquet('cut', 'SELECT 1 AS a');
    expect(() => parquetRowCount(Buffer.from('id,name\n1,a\n'))).toThrow(ParquetFooterError);
    expect(() => parquetRowCount(bytes.subarray(0, bytes.length - 1))).toThrow(
      'it does not end with PAR1',
    );
    expect(() => parquetRowCount(bytes.subarray(bytes.length - 12))).toThrow(
      /the footer takes \d+ bytes, and 12 were read/,
    );
  });
});

describe('the CSV scan', () => {
  const csv = [
    '"id","name","notes"',
    '"1","a","plain"',
    '"2","","quoted, with a comma and ""quotes"""',
    '"3",,"two',
    'lines"',
    '"4","ü ✓",',
    '',
  ].join('\n');

  test('counts records, not lines, and reads the header, the checksum and the line breaks', async () => {
    const scan = await scanCsv(stream(chunks(csv, 3)));
    expect(scan).toEqual({
      header: ['id', 'name', 'notes'],
      rows: 4,
      columnsWithLineBreaks: ['notes'],
      size: Buffer.byteLength(csv),
      sha256: createHash('sha256').update(csv).digest('hex'),
    });
  });

  test('reads Redshift’s minimal quoting and CRLF line ends the same', async () => {
    const scan = await scanCsv(stream(chunks('id,name\r\n1,a\r\n2,"b, c"\r\n', 4)));
    expect(scan).toMatchObject({ header: ['id', 'name'], rows: 2, columnsWithLineBreaks: [] });
  });

  test('refuses a record of another width, an empty file, a header without names and text that is not UTF-8', async () => {
    await expect(scanCsv(stream(chunks('"a","b"\n"1"\n', 100)))).rejects.toThrow(
      new CsvScanError('record 2 has 1 values, where the header names 2 columns'),
    );
    await expect(scanCsv(stream([]))).rejects.toThrow('it is empty: it has no header');
    await expect(scanCsv(stream(chunks('"a",\n"1","2"\n', 100)))).rejects.toThrow(
      'has an empty column name',
    );
    await expect(scanCsv(stream([Buffer.from([0x22, 0xff, 0x22, 0x0a])]))).rejects.toThrow(
      /not UTF-8/,
    );
  });

  test('the digest of any stream is its size and SHA-256', async () => {
    const bytes = Buffer.from('snapshot');
    expect(await digestOf(stream([bytes]))).toEqual({
      size: 8,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });
});
