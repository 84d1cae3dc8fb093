import {
  AthenaValueError,
  baseTypeName,
  parserForType,
} from '../../../lib/catalog/athena/value-parser';

const parse = (type: string, text: string) => parserForType(type)(text);

describe('parserForType', () => {
  test.each<[string, string, unknown]>([
    ['tinyint', '-128', -128],
    ['smallint', '32767', 32767],
    ['integer', '-2147483648', -2147483648],
    ['bigint', '42', 42n],
    ['bigint', '9007199254740993', 9007199254740993n],
    ['bigint', '-9223372036854775808', -9223372036854775808n],
    ['float', '1.5', 1.5],
    ['real', '-0.25', -0.25],
    ['double', '1.0E10', 1e10],
    ['double', '4.9E-324', 4.9e-324],
    ['double', 'Infinity', Infinity],
    ['double', '-Infinity', -Infinity],
    ['decimal', '12345678901234567890.123456789', '12345678901234567890.123456789'],
    ['decimal', '-0.50', '-0.50'],
    ['boolean', 'true', true],
    ['boolean', 'false', false],
    ['char', 'ab  ', 'ab  '],
    ['varchar', '', ''],
    ['varchar', 'it\'s "quoted", with a comma', 'it\'s "quoted", with a comma'],
    ['date', '2024-02-29', '2024-02-29'],
    ['time', '01:02:03.456', '01:02:03.456'],
    ['interval day to second', '2 00:00:00.000', '2 00:00:00.000'],
    ['interval year to month', '0-3', '0-3'],
    ['varbinary', '68 65 6c 6c 6f', '68 65 6c 6c 6f'],
    ['array', '[1, 2, 3]', '[1, 2, 3]'],
    ['map', '{a=1, b=2}', '{a=1, b=2}'],
    ['row', '{field0=1, field1=2.0}', '{field0=1, field1=2.0}'],
    ['json', '{"a":[1,2,{"b":null}]}', { a: [1, 2, { b: null }] }],
    ['json', '"Hello Athena"', 'Hello Athena'],
    ['json', '12345', 12345],
    ['uuid', '12151fd2-7586-11e9-8f9e-2a86e4085a59', '12151fd2-7586-11e9-8f9e-2a86e4085a59'],
    ['unknown', 'whatever', 'whatever'],
  ])('%s %j', (type, text, expected) => {
    expect(parse(type, text)).toEqual(expected);
  });

  test('NaN reads as NaN', () => {
    expect(parse('double', 'NaN')).toBeNaN();
  });

  test('bigints are bigint whatever their size, so that a column has one type', () => {
    expect(typeof parse('bigint', '1')).toBe('bigint');
  });

  test.each<[string, string, string]>([
    ['timestamp', '2024-03-01 10:00:00.123', '2024-03-01T10:00:00.123Z'],
    ['timestamp', '2024-03-01 10:00:00', '2024-03-01T10:00:00.000Z'],
    ['timestamp', '2024-03-01 10:00:00.123456', '2024-03-01T10:00:00.123Z'],
    ['timestamp', '0099-01-01 00:00:00.000', '0099-01-01T00:00:00.000Z'],
    ['timestamp', '2000-02-29 23:59:59.999', '2000-02-29T23:59:59.999Z'],
    ['timestamp', '1969-12-31 23:59:59.999', '1969-12-31T23:59:59.999Z'],
    ['timestamp', '2024-03-01 10:00', '2024-03-01T10:00:00.000Z'],
    ['timestamp with time zone', '2024-03-01 10:00:00.000 UTC', '2024-03-01T10:00:00.000Z'],
    ['timestamp with time zone', '2024-03-01 10:00:00.000 +05:30', '2024-03-01T04:30:00.000Z'],
    ['timestamp with time zone', '2024-03-01 10:00:00.000 -07:00', '2024-03-01T17:00:00.000Z'],
    [
      'timestamp with time zone',
      '2001-08-22 03:04:05.321 America/Los_Angeles',
      '2001-08-22T10:04:05.321Z',
    ],
    [
      'timestamp with time zone',
      '2024-01-15 12:00:00.000 Europe/Paris',
      '2024-01-15T11:00:00.000Z',
    ],
    // Around daylight saving changes: after the spring gap, in the gap (moved forward by an
    // hour), and in the repeated hour of autumn (the earlier instant), as Java reads them.
    [
      'timestamp with time zone',
      '2024-03-31 03:30:00.000 Europe/Paris',
      '2024-03-31T01:30:00.000Z',
    ],
    [
      'timestamp with time zone',
      '2024-03-31 02:30:00.000 Europe/Paris',
      '2024-03-31T01:30:00.000Z',
    ],
    [
      'timestamp with time zone',
      '2024-10-27 02:30:00.000 Europe/Paris',
      '2024-10-27T00:30:00.000Z',
    ],
    [
      'timestamp with time zone',
      '2024-10-27 03:30:00.000 Europe/Paris',
      '2024-10-27T02:30:00.000Z',
    ],
    ['timestamp(6) with time zone', '2024-03-01 10:00:00.000001 UTC', '2024-03-01T10:00:00.000Z'],
  ])('%s %j is the instant %s', (type, text, iso) => {
    const value = parse(type, text);
    expect(value).toBeInstanceOf(Date);
    expect((value as Date).toISOString()).toBe(iso);
  });

  test.each<[string, string, RegExp]>([
    ['integer', '1.5', /cannot read "1.5" as integer/],
    ['integer', '', /as integer/],
    ['bigint', '12abc', /cannot read "12abc" as bigint/],
    ['double', 'abc', /as double/],
    ['double', '', /as double/],
    ['decimal', '1e5', /as decimal/],
    ['boolean', 'TRUE', /as boolean/],
    ['date', '2024/03/01', /as date/],
    ['timestamp', '2024-02-30 00:00:00.000', /as timestamp/],
    ['timestamp', '1900-02-29 00:00:00.000', /as timestamp/],
    ['timestamp', '2023-02-29 00:00:00', /as timestamp/],
    ['timestamp', '2024-03-01 24:00:00.000', /as timestamp/],
    ['timestamp', '2024-03-01 10:00:60.000', /as timestamp/],
    ['timestamp', '2024-03-01 1a:00:00.000', /as timestamp/],
    ['timestamp', '2024-03-01 10:00:00.000 UTC', /as timestamp/],
    ['timestamp with time zone', '2024-03-01 10:00:00.000 Mars/Olympus', /unknown time zone/],
    ['json', '{a=1}', /as json: /],
  ])('%s rejects %j', (type, text, message) => {
    expect(() => parse(type, text)).toThrow(AthenaValueError);
    expect(() => parse(type, text)).toThrow(message);
  });
});

describe('baseTypeName', () => {
  test.each([
    ['VARCHAR', 'varchar'],
    ['varchar(20)', 'varchar'],
    ['decimal(10, 2)', 'decimal'],
    ['timestamp(3)', 'timestamp'],
    ['timestamp(3) with time zone', 'timestamp with time zone'],
    ['array(row(a integer, b varchar))', 'array'],
    ['map(varchar, integer)', 'map'],
    ['row', 'row'],
  ])('%s is %s', (type, base) => {
    expect(baseTypeName(type)).toBe(base);
  });
});
