/**
 * Reads the CSV file that Athena writes for a query's result (`<QueryExecutionId>.csv` at the
 * query's output location), as it arrives, in pieces of any size.
 *
 * The dialect, which no AWS document describes: comma-separated, records ending in `\n` (`\r\n`
 * is accepted), a header record of column labels, values in double quotes with embedded quotes
 * doubled, and SQL NULL as an empty field without quotes, so that `""` (the empty string) and
 * `` (NULL) stay apart. A value without quotes is read as it stands, so that minimal quoting
 * reads the same. Anything else fails: a quote inside an unquoted value, text after a closing
 * quote, a carriage return not followed by a line feed, a file that ends inside quotes.
 */

/** The values of one record; `null` is an empty field without quotes. */
export type CsvFields = (string | null)[];

/** A record that is not Athena's result CSV; `record` counts from 1, the header included. */
export class CsvFormatError extends Error {
  constructor(
    readonly record: number,
    readonly problem: string,
  ) {
    super(`record ${record} (the header is record 1): ${problem}`);
    this.name = 'CsvFormatError';
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** At the start of a field: nothing of it read yet. */
const FIELD_START = 0;
/** Inside a value without quotes. */
const UNQUOTED = 1;
/** Inside a quoted value. */
const QUOTED = 2;
/** Just after a quote inside a quoted value: a doubled quote or the end of the value. */
const QUOTE_IN_QUOTED = 3;
/** Just after a carriage return that ended a record, which a line feed must follow. */
const CARRIAGE_RETURN = 4;

/** Turns text, given in pieces as it is read, into the records that each piece completes. */
export class CsvRecordParser {
  private state = FIELD_START;
  private value = '';
  private fields: CsvFields = [];
  private record = 1;

  /** The records that `text` completes, in order. */
  push(text: string): CsvFields[] {
    const records: CsvFields[] = [];
    const length = text.length;
    let index = 0;
    while (index < length) {
      switch (this.state) {
        case FIELD_START: {
          const code = text.charCodeAt(index);
          if (code === QUOTE) {
            // Most values hold no quote: take the text up to the closing quote in one piece.
            const close = text.indexOf('"', index + 1);
            const after = close < 0 ? -1 : text.charCodeAt(close + 1);
            if (after === COMMA || after === LF || after === CR) {
              this.fields.push(text.slice(index + 1, close));
              index = this.afterField(text, close + 1, records);
            } else {
              this.state = QUOTED;
              index++;
            }
          } else if (code === COMMA || code === LF || code === CR) {
            this.fields.push(null);
            index = this.afterField(text, index, records);
          } else {
            this.state = UNQUOTED;
          }
          break;
        }
        case UNQUOTED: {
          let end = index;
          let code = 0;
          while (end < length) {
            code = text.charCodeAt(end);
            if (code === COMMA || code === LF || code === CR || code === QUOTE) break;
            end++;
          }
          this.value += text.slice(index, end);
          if (end === length) return records;
          if (code === QUOTE) this.fail('a quote inside a value that does not start with one');
          this.endValue();
          index = this.afterField(text, end, records);
          break;
        }
        case QUOTED: {
          const quote = text.indexOf('"', index);
          if (quote < 0) {
            this.value += text.slice(index);
            return records;
          }
          this.value += text.slice(index, quote);
          this.state = QUOTE_IN_QUOTED;
          index = quote + 1;
          break;
        }
        case QUOTE_IN_QUOTED: {
          const code = text.charCodeAt(index);
          if (code === QUOTE) {
            this.value += '"';
            this.state = QUOTED;
            index++;
          } else if (code === COMMA || code === LF || code === CR) {
            this.endValue();
            index = this.afterField(text, index, records);
          } else {
            this.fail(`${JSON.stringify(text[index])} after the closing quote of a value`);
          }
          break;
        }
        case CARRIAGE_RETURN: {
          if (text.charCodeAt(index) !== LF) {
            this.fail('a carriage return that no line feed follows');
          }
          this.endRecord(records);
          index++;
          break;
        }
      }
    }
    return records;
  }

  /** The record that the end of the text completes, if one is open. */
  end(): CsvFields[] {
    switch (this.state) {
      case QUOTED:
        return this.fail('the file ends inside a quoted value');
      case CARRIAGE_RETURN:
        return this.fail('the file ends with a carriage return that no line feed follows');
      case UNQUOTED:
      case QUOTE_IN_QUOTED:
        this.endValue();
        break;
      case FIELD_START:
        // After a comma an empty last field is open; after a line feed nothing is.
        if (this.fields.length === 0) return [];
        this.fields.push(null);
    }
    const records: CsvFields[] = [];
    this.endRecord(records);
    return records;
  }

  /** Moves past the comma, line feed or carriage return at `index` that ends a field. */
  private afterField(text: string, index: number, records: CsvFields[]): number {
    const code = text.charCodeAt(index);
    if (code === COMMA) {
      this.state = FIELD_START;
    } else if (code === LF) {
      this.endRecord(records);
    } else {
      this.state = CARRIAGE_RETURN;
    }
    return index + 1;
  }

  private endValue(): void {
    this.fields.push(this.value);
    this.value = '';
  }

  private endRecord(records: CsvFields[]): void {
    records.push(this.fields);
    this.fields = [];
    this.state = FIELD_START;
    this.record++;
  }

  private fail(problem: string): never {
    throw new CsvFormatError(this.record, problem);
  }
}
