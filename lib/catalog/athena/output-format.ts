import type { AthenaRow, ResultColumn } from './result-rows';
import type { AthenaValue } from './value-parser';

/**
 * Writes query rows as text, one line per row.
 *
 * CSV (RFC 4180): a header line of column names; NULL is an empty field and the empty string
 * `""`, so that the two stay apart; timestamps in ISO 8601 UTC (`2024-03-01T10:00:00.000Z`);
 * JSON values as JSON text.
 *
 * JSON Lines: one object per row, keys in column order. Bigints and decimals are bare JSON
 * numbers with every digit kept (a reader that parses numbers as doubles may round them);
 * NaN and infinities, which JSON has no numbers for, are the strings "NaN", "Infinity",
 * "-Infinity"; timestamps are ISO 8601 strings; JSON values are nested as they are.
 */

export const OUTPUT_FORMATS = ['csv', 'jsonl'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Turns rows of one result into lines of text. */
export interface RowFormatter {
  /** What comes before the first row: the CSV header line, or nothing. */
  header(): string;
  /** The row's line, ending with a newline. */
  row(row: AthenaRow): string;
}

const NEEDS_QUOTES = /[",\r\n]/;

function csvField(text: string): string {
  return text === '' || NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvValue(value: AthenaValue, column: ResultColumn): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (column.type === 'json') return csvField(JSON.stringify(value));
  if (typeof value === 'string') return csvField(value);
  return String(value);
}

/** A decimal as Athena prints it, made a valid JSON number (`.5` as `0.5`, `+1` as `1`). */
function jsonDecimal(text: string): string {
  let number = text.startsWith('+') ? text.slice(1) : text;
  number = number.replace(/^(-?)\./, '$10.');
  return number.endsWith('.') ? number.slice(0, -1) : number;
}

function jsonValue(value: AthenaValue, column: ResultColumn): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : `"${value}"`;
  if (value instanceof Date) return `"${value.toISOString()}"`;
  if (column.type === 'decimal' && typeof value === 'string') return jsonDecimal(value);
  return JSON.stringify(value);
}

function csvFormatter(columns: readonly ResultColumn[]): RowFormatter {
  return {
    header: () => `${columns.map((column) => csvField(column.key)).join(',')}\n`,
    row: (row) => `${columns.map((column) => csvValue(row[column.key], column)).join(',')}\n`,
  };
}

function jsonLinesFormatter(columns: readonly ResultColumn[]): RowFormatter {
  const keys = columns.map((column) => `${JSON.stringify(column.key)}:`);
  return {
    header: () => '',
    row: (row) => {
      const fields = columns.map(
        (column, index) => keys[index] + jsonValue(row[column.key], column),
      );
      return `{${fields.join(',')}}\n`;
    },
  };
}

/** The formatter for `format` over a result's columns. */
export function rowFormatter(format: OutputFormat, columns: readonly ResultColumn[]): RowFormatter {
  return format === 'csv' ? csvFormatter(columns) : jsonLinesFormatter(columns);
}
