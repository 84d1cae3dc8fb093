/**
 * Reads the strings of Athena's `GetQueryResults` as typed values, by the column type that
 * `ResultSetMetadata.ColumnInfo[].Type` gives (Trino type names, without parameters):
 *
 * | Athena type                                  | value                                        |
 * | -------------------------------------------- | -------------------------------------------- |
 * | tinyint, smallint, integer                   | `number`                                     |
 * | bigint                                       | `bigint`, always, so that a column has one type |
 * | real (shown as float), double                | `number`, `NaN` and `±Infinity` included     |
 * | decimal                                      | `string` as Athena prints it (`"1234.50"`): lossless |
 * | boolean                                      | `boolean`                                    |
 * | char, varchar, string                        | `string`                                     |
 * | date                                         | `string` `YYYY-MM-DD`: a calendar day, no time zone |
 * | timestamp                                    | `Date`: Athena prints UTC wall time; digits past the millisecond are dropped |
 * | timestamp with time zone                     | `Date` at that instant (offset or IANA zone) |
 * | json                                         | the parsed JSON value                        |
 * | array, map, row                              | `string` as Athena prints it (`{a=1, b=x}`, `[1, 2]`), which is not JSON; select `CAST(x AS JSON)` to get a parsed value |
 * | time, interval, varbinary (hex bytes), others | `string` as Athena prints it                |
 *
 * SQL NULL (a datum without `VarCharValue`) is `null` for every type.
 */

/** A JSON value, as `JSON.parse` returns it. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A value of a query result. */
export type AthenaValue = JsonValue | bigint | Date;

/** Turns the non-null text of one value into its typed value. */
export type ValueParser = (text: string) => AthenaValue;

/** Thrown when a value does not read as its column's type. */
export class AthenaValueError extends Error {
  constructor(
    readonly type: string,
    readonly text: string,
    detail?: string,
  ) {
    const shown = text.length > 80 ? `${text.slice(0, 80)}...` : text;
    super(`cannot read ${JSON.stringify(shown)} as ${type}${detail ? `: ${detail}` : ''}`);
    this.name = 'AthenaValueError';
  }
}

/**
 * The type's base name in lower case, without its parameters:
 * `timestamp(3) with time zone` is `timestamp with time zone`, `array(integer)` is `array`.
 */
export function baseTypeName(type: string): string {
  const lower = type.trim().toLowerCase();
  const nested = /^(array|map|row)\b/.exec(lower);
  if (nested) return nested[1];
  return lower
    .replace(/\(\s*\d+(\s*,\s*\d+)?\s*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const SMALL_INTEGER = /^[+-]?\d{1,10}$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const FLOAT = /^[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|Infinity|NaN)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(?: (\S+))?$/;

const identity: ValueParser = (text) => text;

function parseInteger(text: string): number {
  if (!SMALL_INTEGER.test(text)) throw new AthenaValueError('integer', text);
  return Number(text);
}

function parseBigint(text: string): bigint {
  try {
    return BigInt(text);
  } catch {
    throw new AthenaValueError('bigint', text);
  }
}

function parseFloatingPoint(text: string): number {
  if (!FLOAT.test(text)) throw new AthenaValueError('double', text);
  return Number(text);
}

function parseDecimal(text: string): string {
  if (!DECIMAL.test(text)) throw new AthenaValueError('decimal', text);
  return text;
}

function parseBoolean(text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new AthenaValueError('boolean', text);
}

function parseDate(text: string): string {
  if (!DATE.test(text)) throw new AthenaValueError('date', text);
  return text;
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new AthenaValueError('json', text, (error as Error).message);
  }
}

/** Milliseconds since the epoch of a wall-clock time read as UTC, or NaN if it is no real time. */
function wallClockMillis(match: RegExpExecArray): number {
  const [, year, month, day, hour, minute, second = '0', fraction = ''] = match;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(
    Number(hour),
    Number(minute),
    Number(second),
    Number(fraction.slice(0, 3).padEnd(3, '0')),
  );
  const valid =
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day) &&
    date.getUTCHours() === Number(hour) &&
    date.getUTCMinutes() === Number(minute) &&
    date.getUTCSeconds() === Number(second);
  return valid ? date.getTime() : Number.NaN;
}

/** The number written by the ASCII digits from `start` to `end`, or -1 for anything else. */
function digitsAt(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Milliseconds since the epoch of `YYYY-MM-DD HH:MM:SS[.fff]`, the form Athena prints, read
 * without a regular expression; NaN for any other form or an impossible time.
 */
function commonTimestampMillis(text: string): number {
  if (text.length !== 19 && text.length !== 23) return Number.NaN;
  if (
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== ' ' ||
    text[13] !== ':' ||
    text[16] !== ':'
  ) {
    return Number.NaN;
  }
  if (text.length === 23 && text[19] !== '.') return Number.NaN;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 7);
  const day = digitsAt(text, 8, 10);
  const hour = digitsAt(text, 11, 13);
  const minute = digitsAt(text, 14, 16);
  const second = digitsAt(text, 17, 19);
  const millis = text.length === 23 ? digitsAt(text, 20, 23) : 0;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (
    year < 100 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > monthDays ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    millis < 0
  ) {
    return Number.NaN;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

function parseTimestamp(text: string): Date {
  const common = commonTimestampMillis(text);
  if (!Number.isNaN(common)) return new Date(common);
  const match = TIMESTAMP.exec(text);
  if (!match || match[8] !== undefined) throw new AthenaValueError('timestamp', text);
  const millis = wallClockMillis(match);
  if (Number.isNaN(millis)) throw new AthenaValueError('timestamp', text);
  return new Date(millis);
}

const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at the instant, in milliseconds. */
function zoneOffsetMillis(zone: string, instant: number): number {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zoneFormats.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) parts[part.type] = Number(part.value);
  const wall = new Date(0);
  wall.setUTCFullYear(parts.year, parts.month - 1, parts.day);
  wall.setUTCHours(parts.hour, parts.minute, parts.second, 0);
  return wall.getTime() - (instant - (((instant % 1000) + 1000) % 1000));
}

function parseTimestampWithZone(text: string): Date {
  const type = 'timestamp with time zone';
  const match = TIMESTAMP.exec(text);
  if (!match) throw new AthenaValueError(type, text);
  const wall = wallClockMillis(match);
  if (Number.isNaN(wall)) throw new AthenaValueError(type, text);
  const zone = match[8] ?? 'UTC';
  if (zone === 'UTC' || zone === 'Z') return new Date(wall);
  const offset = OFFSET.exec(zone);
  if (offset) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3]);
    return new Date(wall - (offset[1] === '-' ? -1 : 1) * minutes * 60_000);
  }
  try {
    return new Date(zonedWallClockToInstant(wall, zone));
  } catch {
    throw new AthenaValueError(type, text, `unknown time zone "${zone}"`);
  }
}

const DAY = 86_400_000;

/**
 * The instant at which the zone's clocks show `wall` (milliseconds of the wall time read as
 * UTC). As in Java, which Trino runs on: in an autumn overlap the earlier instant, and in a
 * spring gap the time moved forward by the gap.
 */
function zonedWallClockToInstant(wall: number, zone: string): number {
  const offsetBefore = zoneOffsetMillis(zone, wall - DAY);
  const offsetAfter = zoneOffsetMillis(zone, wall + DAY);
  const candidates = [wall - offsetBefore, wall - offsetAfter].filter(
    (instant) => zoneOffsetMillis(zone, instant) === wall - instant,
  );
  return candidates.length > 0 ? Math.min(...candidates) : wall - offsetBefore;
}

const PARSERS: Readonly<Record<string, ValueParser>> = {
  tinyint: parseInteger,
  smallint: parseInteger,
  integer: parseInteger,
  int: parseInteger,
  bigint: parseBigint,
  real: parseFloatingPoint,
  float: parseFloatingPoint,
  double: parseFloatingPoint,
  decimal: parseDecimal,
  boolean: parseBoolean,
  date: parseDate,
  timestamp: parseTimestamp,
  'timestamp with time zone': parseTimestampWithZone,
  json: parseJson,
};

/** The parser for a column of the given Athena type; unknown types keep their text. */
export function parserForType(type: string): ValueParser {
  return PARSERS[baseTypeName(type)] ?? identity;
}
