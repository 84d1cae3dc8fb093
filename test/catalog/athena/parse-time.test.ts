import { formatUtc, parseTime, TimeFormatError } from '../../../lib/catalog/athena/parse-time';

describe('parseTime', () => {
  test.each([
    ['2024-03-01', '2024-03-01T00:00:00.000Z'],
    ['2024-03-01T10:05', '2024-03-01T10:05:00.000Z'],
    ['2024-03-01 10:05:06', '2024-03-01T10:05:06.000Z'],
    ['2024-03-01T10:05:06.7', '2024-03-01T10:05:06.700Z'],
    ['2024-03-01T10:05:06.789Z', '2024-03-01T10:05:06.789Z'],
    ['2024-03-01t10:05:06z', '2024-03-01T10:05:06.000Z'],
    ['2024-03-01T12:05:06+02:00', '2024-03-01T10:05:06.000Z'],
    ['2024-03-01T05:05:06-0500', '2024-03-01T10:05:06.000Z'],
    ['2024-03-01T15:35:06+05:30', '2024-03-01T10:05:06.000Z'],
    ['2024-03-01T00:30:00+01', '2024-02-29T23:30:00.000Z'],
    ['2024-03-01 10:05:06 Z', '2024-03-01T10:05:06.000Z'],
    ['  2024-02-29T23:59:59.999  ', '2024-02-29T23:59:59.999Z'],
    ['0001-01-01', '0001-01-01T00:00:00.000Z'],
  ])('%j is %s (UTC when it names no zone)', (text, iso) => {
    expect(parseTime(text).toISOString()).toBe(iso);
  });

  test.each([
    ['now', /use ISO 8601/],
    ['1709287506', /use ISO 8601/],
    ['2024-3-1', /use ISO 8601/],
    ['2024-03-01T10', /use ISO 8601/],
    ['2024-03-01T10:00:00 Europe/Paris', /use ISO 8601/],
    ['2023-02-29', /there is no such date or time of day/],
    ['2024-13-01', /there is no such date or time of day/],
    ['2024-03-01T24:00', /there is no such date or time of day/],
    ['2024-03-01T10:60', /there is no such date or time of day/],
    ['2024-03-01T10:00:60', /there is no such date or time of day/],
    ['0000-01-01', /there is no such date or time of day/],
    ['2024-03-01T10:00:00.1234', /at most 3 fractional digits/],
    ['2024-03-01T10:00:00+19:00', /\+19:00 is not a UTC offset/],
  ])('rejects %j', (text, message) => {
    expect(() => parseTime(text)).toThrow(TimeFormatError);
    expect(() => parseTime(text)).toThrow(message);
  });

  test('formatUtc names the zone', () => {
    expect(formatUtc(new Date('2024-03-01T10:05:06.007Z'))).toBe('2024-03-01 10:05:06.007 UTC');
  });
});
