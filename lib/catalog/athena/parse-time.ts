/** Thrown for a time that {@link parseTime} cannot read. */
export class TimeFormatError extends Error {
  constructor(text: string, detail: string) {
    super(`"${text}" is not a usable time: ${detail}`);
    this.name = 'TimeFormatError';
  }
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(?:\s*([Zz]|[+-]\d{2}(?::?\d{2})?))?$/;

const EXAMPLE = 'use ISO 8601, such as 2024-03-01T10:00:00Z or 2024-03-01 10:00:00.250+02:00';

/**
 * Reads an ISO 8601 time: a date (midnight), or a date and a time to the minute, second or
 * millisecond, with `Z` or an offset such as `+02:00`. A time without a zone is UTC, like the
 * commit times that it is compared with. More than three fractional digits are refused rather
 * than cut, since they would move the time.
 */
export function parseTime(text: string): Date {
  const match = ISO_TIME.exec(text.trim());
  if (!match) throw new TimeFormatError(text, EXAMPLE);
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = match;
  if (fraction.length > 3) {
    throw new TimeFormatError(text, 'give at most 3 fractional digits (milliseconds)');
  }

  const wall = new Date(0);
  wall.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  wall.setUTCHours(Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, '0')));
  const exists =
    Number(year) >= 1 &&
    wall.getUTCFullYear() === Number(year) &&
    wall.getUTCMonth() === Number(month) - 1 &&
    wall.getUTCDate() === Number(day) &&
    wall.getUTCHours() === Number(hour) &&
    wall.getUTCMinutes() === Number(minute) &&
    wall.getUTCSeconds() === Number(second);
  if (!exists) throw new TimeFormatError(text, 'there is no such date or time of day');

  return new Date(wall.getTime() - offsetMillis(text, zone));
}

function offsetMillis(text: string, zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.replace(':', '');
  const hours = Number(digits.slice(1, 3));
  const minutes = Number(digits.slice(3, 5) || '0');
  if (hours > 18 || minutes > 59) throw new TimeFormatError(text, `${zone} is not a UTC offset`);
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

/** The time as `2024-03-01 10:00:00.000 UTC`. */
export function formatUtc(at: Date): string {
  return `${at.toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}
