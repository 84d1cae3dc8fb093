import type { ColumnInfo, Row } from '@aws-sdk/client-athena';
import type { AthenaValue, ValueParser } from './value-parser';
import { AthenaValueError, baseTypeName, parserForType } from './value-parser';

/** One column of a query result. */
export interface ResultColumn {
  /**
   * The key of the column's values in each row: its name, with `_2`, `_3`... added to a name
   * that an earlier column already has (`SELECT a.id, b.id` gives `id` and `id_2`).
   */
  readonly key: string;
  /** The column's name as Athena gives it. */
  readonly name: string;
  /** The Athena type's base name, such as `bigint`, `decimal`, `timestamp with time zone`. */
  readonly type: string;
  /** Total digits of a decimal column. */
  readonly precision?: number;
  /** Digits after the point of a decimal column. */
  readonly scale?: number;
}

/** One row of a query result: its typed values keyed by {@link ResultColumn.key}. */
export type AthenaRow = Record<string, AthenaValue>;

function uniqueKeys(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let key = name;
    for (let n = 2; taken.has(key); n++) key = `${name}_${n}`;
    taken.add(key);
    return key;
  });
}

/**
 * Turns the rows of `GetQueryResults` pages, or the records of the result CSV, into typed rows,
 * for one result's columns, through the same value parsers.
 */
export class RowReader {
  readonly columns: readonly ResultColumn[];
  private readonly keys: readonly string[];
  private readonly labels: readonly string[];
  private readonly parsers: readonly ValueParser[];

  constructor(columnInfo: readonly ColumnInfo[]) {
    const names = columnInfo.map((column) => column.Name ?? column.Label ?? '');
    this.keys = uniqueKeys(names);
    this.labels = columnInfo.map((column, index) => column.Label ?? names[index]);
    this.parsers = columnInfo.map((column) => parserForType(column.Type ?? 'varchar'));
    this.columns = columnInfo.map((column, index) => ({
      key: this.keys[index],
      name: names[index],
      type: baseTypeName(column.Type ?? 'varchar'),
      ...(column.Type && baseTypeName(column.Type) === 'decimal'
        ? { precision: column.Precision, scale: column.Scale ?? 0 }
        : {}),
    }));
  }

  /** Whether the row holds the column labels, as the first row of a SELECT's first page does. */
  isHeader(row: Row): boolean {
    return this.isLabels((row.Data ?? []).map((datum) => datum.VarCharValue));
  }

  /** Whether the texts are the column labels, in order. */
  isLabels(texts: readonly (string | null | undefined)[]): boolean {
    return (
      texts.length === this.labels.length &&
      this.labels.every((label, index) => texts[index] === label)
    );
  }

  /** The column labels, as the header of a result names them. */
  get columnLabels(): readonly string[] {
    return this.labels;
  }

  /** The row's typed values; a datum without `VarCharValue`, or a missing datum, is null. */
  read(row: Row): AthenaRow {
    const data = row.Data ?? [];
    const values: AthenaRow = {};
    for (let index = 0; index < this.keys.length; index++) {
      const text = data[index]?.VarCharValue;
      values[this.keys[index]] = text === undefined ? null : this.parse(index, text);
    }
    return values;
  }

  /** The typed values of one record's texts, one a column, in order; null is SQL NULL. */
  readTexts(texts: readonly (string | null)[]): AthenaRow {
    const values: AthenaRow = {};
    for (let index = 0; index < this.keys.length; index++) {
      const text = texts[index];
      values[this.keys[index]] = text === null ? null : this.parse(index, text);
    }
    return values;
  }

  private parse(index: number, text: string): AthenaValue {
    try {
      return this.parsers[index](text);
    } catch (error) {
      if (error instanceof AthenaValueError) {
        error.message = `column "${this.columns[index].name}": ${error.message}`;
      }
      throw error;
    }
  }
}
