import { createHash } from 'node:crypto';
import type { CsvFields } from '../../catalog/athena/result-csv';
import { CsvFormatError, CsvRecordParser } from '../../catalog/athena/result-csv';

/**
 * What the manifest says about a file, read from the file's own bytes: its size and SHA-256,
 * and for the CSV its header, its records and whether a value holds a line break.
 */

/** The size and checksum of a file's bytes. */
export interface FileDigest {
  readonly size: number;
  /** Hex SHA-256 of the bytes. */
  readonly sha256: string;
}

/** What a CSV file holds. */
export interface CsvScan extends FileDigest {
  /** The header record: the column names as the file spells them. */
  readonly header: string[];
  /** Data records, the header not counted: records, not lines, since a value may hold one. */
  readonly rows: number;
  /** The columns, by header name, with a value that holds a carriage return or line feed. */
  readonly columnsWithLineBreaks: string[];
}

/** Thrown when a CSV file is not one record per row under one header. */
export class CsvScanError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'CsvScanError';
  }
}

/** The size and SHA-256 of a stream's bytes. */
export async function digestOf(
  stream: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    hash.update(bytes);
    size += bytes.length;
  }
  return { size, sha256: hash.digest('hex') };
}

const LINE_BREAK = /[\r\n]/;

/**
 * Reads a CSV stream once: its size and SHA-256, its header, how many records follow it (each
 * with as many fields as the header), and which columns have a value with a line break. The
 * text must be UTF-8.
 */
export async function scanCsv(stream: AsyncIterable<Uint8Array | string>): Promise<CsvScan> {
  const hash = createHash('sha256');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parser = new CsvRecordParser();
  let size = 0;
  let header: string[] | undefined;
  let rows = 0;
  const broken = new Set<number>();

  const take = (records: CsvFields[]) => {
    for (const fields of records) {
      if (!header) {
        if (fields.some((field) => field === null || field === '')) {
          throw new CsvScanError(`the header ${JSON.stringify(fields)} has an empty column name`);
        }
        header = fields as string[];
        continue;
      }
      rows++;
      if (fields.length !== header.length) {
        throw new CsvScanError(
          `record ${rows + 1} has ${fields.length} values, where the header names ${header.length} columns`,
        );
      }
      fields.forEach((field, index) => {
        if (field !== null && LINE_BREAK.test(field)) broken.add(index);
      });
    }
  };

  const decode = (bytes?: Uint8Array) => {
    try {
      return decoder.decode(bytes, { stream: bytes !== undefined });
    } catch (error) {
      throw new CsvScanError(`it is not UTF-8 text: ${(error as Error).message}`);
    }
  };
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(bytes);
      size += bytes.length;
      take(parser.push(decode(bytes)));
    }
    take(parser.push(decode()));
    take(parser.end());
  } catch (error) {
    if (error instanceof CsvFormatError) throw new CsvScanError(error.message);
    throw error;
  }
  if (!header) throw new CsvScanError('it is empty: it has no header');
  const names = header;
  return {
    size,
    sha256: hash.digest('hex'),
    header: names,
    rows,
    columnsWithLineBreaks: [...broken].sort((a, b) => a - b).map((index) => names[index]),
  };
}
