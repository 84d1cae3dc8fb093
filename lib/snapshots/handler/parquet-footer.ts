/**
 * The row count of a Parquet file, read from its footer: the file ends with the file metadata
 * (a Thrift struct in the compact protocol), its length as a 4-byte little-endian integer, and
 * the magic `PAR1`. The metadata's field 3 is `num_rows`, an i64
 * (https://github.com/apache/parquet-format, `FileMetaData`). Only the structure needed to
 * skip the fields before it is read; any other shape fails.
 */

const MAGIC = 'PAR1';

/** Thrown for bytes that are not the end of a Parquet file. */
export class ParquetFooterError extends Error {
  constructor(detail: string) {
    super(`not a Parquet file: ${detail}`);
    this.name = 'ParquetFooterError';
  }
}

/** How many bytes at the end of the file hold the metadata, its length and the magic. */
export function footerLength(tail: Uint8Array): number {
  if (tail.length < 8) throw new ParquetFooterError(`${tail.length} bytes are too few`);
  const end = tail.length;
  const magic = new TextDecoder().decode(tail.subarray(end - 4));
  if (magic !== MAGIC) throw new ParquetFooterError('it does not end with PAR1');
  const view = new DataView(tail.buffer, tail.byteOffset + end - 8, 4);
  return view.getUint32(0, true) + 8;
}

/** The `num_rows` of the file whose last bytes are `tail` (at least {@link footerLength} of them). */
export function parquetRowCount(tail: Uint8Array): number {
  const length = footerLength(tail);
  if (tail.length < length) {
    throw new ParquetFooterError(`the footer takes ${length} bytes, and ${tail.length} were read`);
  }
  const reader = new CompactReader(tail.subarray(tail.length - length, tail.length - 8));
  let fieldId = 0;
  for (;;) {
    const header = reader.byte();
    const type = header & 0x0f;
    if (type === STOP) break;
    const delta = header >> 4;
    fieldId = delta === 0 ? reader.zigzag() : fieldId + delta;
    if (fieldId === 3 && type === I64) {
      const rows = reader.zigzagBig();
      if (rows < 0n || rows > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new ParquetFooterError(`num_rows is ${rows}`);
      }
      return Number(rows);
    }
    reader.skip(type);
  }
  throw new ParquetFooterError('its metadata has no num_rows');
}

const STOP = 0;
const TRUE = 1;
const FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

/** Reads the Thrift compact protocol, far enough to skip any value. */
class CompactReader {
  private offset = 0;
  private depth = 0;

  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.offset >= this.bytes.length) throw new ParquetFooterError('its metadata is cut short');
    return this.bytes[this.offset++];
  }

  private varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.byte();
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new ParquetFooterError('a number in its metadata is too long');
  }

  zigzagBig(): bigint {
    const value = this.varint();
    return (value >> 1n) ^ -(value & 1n);
  }

  zigzag(): number {
    return Number(this.zigzagBig());
  }

  private advance(count: number): void {
    if (count < 0 || this.offset + count > this.bytes.length) {
      throw new ParquetFooterError('its metadata is cut short');
    }
    this.offset += count;
  }

  skip(type: number): void {
    switch (type) {
      case TRUE:
      case FALSE:
        return;
      case BYTE:
        this.advance(1);
        return;
      case I16:
      case I32:
      case I64:
        this.varint();
        return;
      case DOUBLE:
        this.advance(8);
        return;
      case BINARY:
        this.advance(Number(this.varint()));
        return;
      case LIST:
      case SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? Number(this.varint()) : header >> 4;
        this.nested(() => {
          for (let index = 0; index < size; index++) this.skipElement(header & 0x0f);
        });
        return;
      }
      case MAP: {
        const size = Number(this.varint());
        if (size === 0) return;
        const types = this.byte();
        this.nested(() => {
          for (let index = 0; index < size; index++) {
            this.skipElement(types >> 4);
            this.skipElement(types & 0x0f);
          }
        });
        return;
      }
      case STRUCT:
        this.nested(() => {
          for (;;) {
            const header = this.byte();
            const fieldType = header & 0x0f;
            if (fieldType === STOP) return;
            if (header >> 4 === 0) this.zigzag();
            this.skip(fieldType);
          }
        });
        return;
      default:
        throw new ParquetFooterError(`its metadata has a value of unknown type ${type}`);
    }
  }

  /** A list, set or map element: booleans there take a byte each. */
  private skipElement(type: number): void {
    if (type === TRUE || type === FALSE) this.advance(1);
    else this.skip(type);
  }

  private nested(read: () => void): void {
    if (++this.depth > 64) throw new ParquetFooterError('its metadata nests too deep');
    read();
    this.depth--;
  }
}
