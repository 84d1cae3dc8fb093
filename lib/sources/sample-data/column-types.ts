/**
 * A dataset column's SQL type (see `lib/config/dataset.ts`), parsed once, and what each source
 * engine makes of it. The dataset's type is the MySQL type; Redshift gets the type that holds
 * every value the MySQL column holds:
 * - Redshift has no TINYINT, so `tinyint` is a SMALLINT;
 * - MySQL's FLOAT is single precision and Redshift's FLOAT is double, so `float` is a REAL;
 *   MySQL's REAL is a DOUBLE (as the Glue table reads it);
 * - Redshift counts VARCHAR lengths in bytes and MySQL (utf8mb4) in characters of up to four
 *   bytes, so `varchar(n)` is a VARCHAR(4n), capped at Redshift's 65535 bytes;
 * - Redshift's TEXT is a VARCHAR(256), so `text` is a VARCHAR(65535), MySQL's TEXT size;
 * - `datetime` and `timestamp` are TIMESTAMPs (without time zone).
 * Source: Amazon Redshift Database Developer Guide, "Data types" (c_Supported_data_types),
 * "Character types" (r_Character_types) and "Data type differences between Amazon Redshift and
 * supported PostgreSQL and MySQL databases" (federated-data-types).
 */
export type ColumnType =
  | { readonly kind: 'integer'; readonly name: 'tinyint' | 'smallint' | 'int' | 'bigint' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'float'; readonly double: boolean }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'char' | 'varchar'; readonly length: number }
  | { readonly kind: 'text' }
  | { readonly kind: 'date' | 'datetime' | 'timestamp' };

/** A value in a row of a dataset's table; decimals are strings, so that they stay exact. */
export type SqlValue = string | number | boolean | null;

const INTEGER_RANGES = {
  tinyint: [-128, 127],
  smallint: [-32_768, 32_767],
  int: [-2_147_483_648, 2_147_483_647],
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
} as const;

/** Redshift's largest VARCHAR, in bytes. */
export const REDSHIFT_MAX_VARCHAR_BYTES = 65_535;

/** Parses a dataset column type; the configuration schema admits only these forms. */
export function parseColumnType(sqlType: string): ColumnType {
  const type = sqlType.replace(/\s+/g, '').toLowerCase();
  const sized = /^(decimal|numeric|char|varchar)\((\d+)(?:,(\d+))?\)$/.exec(type);
  if (sized) {
    const [, name, first, second] = sized;
    if (name === 'decimal' || name === 'numeric') {
      if (second !== undefined) {
        return { kind: 'decimal', precision: Number(first), scale: Number(second) };
      }
    } else if (second === undefined) {
      return { kind: name as 'char' | 'varchar', length: Number(first) };
    }
  }
  switch (type) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return { kind: 'integer', name: type };
    case 'integer':
      return { kind: 'integer', name: 'int' };
    case 'boolean':
    case 'bool':
      return { kind: 'boolean' };
    case 'float':
      return { kind: 'float', double: false };
    case 'real':
    case 'double':
      return { kind: 'float', double: true };
    case 'text':
    case 'date':
    case 'datetime':
    case 'timestamp':
      return { kind: type };
    default:
      throw new Error(`no table column type for the SQL type "${sqlType}"`);
  }
}

/** The MySQL column type, spelled the same way by MySQL 8.4 and MariaDB 10.11. */
export function mysqlColumnType(type: ColumnType): string {
  switch (type.kind) {
    case 'integer':
      return type.name.toUpperCase();
    case 'boolean':
      return 'BOOLEAN';
    case 'float':
      return type.double ? 'DOUBLE' : 'FLOAT';
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'char':
    case 'varchar':
      return `${type.kind.toUpperCase()}(${type.length})`;
    default:
      return type.kind.toUpperCase();
  }
}

/** The Redshift column type that holds every value of the MySQL column (see above). */
export function redshiftColumnType(type: ColumnType): string {
  switch (type.kind) {
    case 'integer':
      return { tinyint: 'SMALLINT', smallint: 'SMALLINT', int: 'INTEGER', bigint: 'BIGINT' }[
        type.name
      ];
    case 'boolean':
      return 'BOOLEAN';
    case 'float':
      return type.double ? 'DOUBLE PRECISION' : 'REAL';
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'char':
      return `CHAR(${type.length})`;
    case 'varchar':
      return `VARCHAR(${Math.min(type.length * 4, REDSHIFT_MAX_VARCHAR_BYTES)})`;
    case 'text':
      return `VARCHAR(${REDSHIFT_MAX_VARCHAR_BYTES})`;
    case 'date':
      return 'DATE';
    default:
      return 'TIMESTAMP';
  }
}

const DECIMAL_VALUE = /^-?(\d+)(?:\.(\d+))?$/;
const DATE_VALUE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_VALUE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;
/** Whether a string holds characters that an engine's literals or clients may treat specially. */
function hasSpecialCharacters(value: string): boolean {
  return [...value].some((character) => {
    const code = character.codePointAt(0)!;
    return code < 0x20 || code === 0x7f || character === '\\';
  });
}

/**
 * Why `value` cannot be stored in a column of `type` in both engines exactly as given (no
 * rounding, no truncation), or undefined when it can. Strict SQL modes would refuse most of
 * these; the others (extra decimal places) would be rounded silently.
 */
export function valueProblem(type: ColumnType, value: SqlValue): string | undefined {
  if (value === null) return undefined;
  switch (type.kind) {
    case 'integer': {
      const [min, max] = INTEGER_RANGES[type.name];
      return Number.isInteger(value) && (value as number) >= min && (value as number) <= max
        ? undefined
        : `${JSON.stringify(value)} is not a whole number from ${min} to ${max} (${type.name})`;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${JSON.stringify(value)} is not a boolean`;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : `${JSON.stringify(value)} is not a finite number`;
    case 'decimal': {
      const digits = typeof value === 'string' ? DECIMAL_VALUE.exec(value) : null;
      const integerDigits = digits ? digits[1].replace(/^0+/, '').length : 0;
      const fractionDigits = digits?.[2]?.length ?? 0;
      return digits && fractionDigits <= type.scale && integerDigits <= type.precision - type.scale
        ? undefined
        : `${JSON.stringify(value)} is not a decimal(${type.precision},${type.scale}) written as a string`;
    }
    case 'char':
    case 'varchar':
    case 'text':
      return stringProblem(type, value);
    case 'date':
      return typeof value === 'string' && DATE_VALUE.test(value)
        ? undefined
        : `${JSON.stringify(value)} is not a date (YYYY-MM-DD)`;
    default:
      return typeof value === 'string' && DATETIME_VALUE.test(value)
        ? undefined
        : `${JSON.stringify(value)} is not a ${type.kind} (YYYY-MM-DD hh:mm:ss)`;
  }
}

function stringProblem(
  type: Extract<ColumnType, { kind: 'char' | 'varchar' | 'text' }>,
  value: SqlValue,
): string | undefined {
  if (typeof value !== 'string') return `${JSON.stringify(value)} is not a string`;
  if (hasSpecialCharacters(value)) {
    return `${JSON.stringify(value)} holds a control character or a backslash`;
  }
  const characters = [...value].length;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (type.kind === 'text') {
    return bytes <= REDSHIFT_MAX_VARCHAR_BYTES
      ? undefined
      : `${JSON.stringify(value)} is longer than ${REDSHIFT_MAX_VARCHAR_BYTES} bytes`;
  }
  if (characters > type.length) {
    return `${JSON.stringify(value)} is longer than ${type.kind}(${type.length})`;
  }
  // Redshift's CHAR holds single-byte characters only (r_Character_types).
  if (type.kind === 'char' && bytes !== characters) {
    return `${JSON.stringify(value)} has multibyte characters, which a Redshift CHAR cannot hold`;
  }
  return undefined;
}
