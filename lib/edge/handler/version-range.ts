/**
 * npm-style version ranges, as Greengrass reads a recipe's `VersionRequirement` (semver4j's NPM
 * requirement): comparator sets joined by `||`, each a space-separated list of comparators that
 * must all hold, with `=`, `<`, `<=`, `>`, `>=`, `~`, `^`, x-ranges (`1.2.x`, `1.*`, `*`) and
 * hyphen ranges (`1.0.0 - 1.2.0`). Versions are `major.minor.patch`; a range that names a
 * pre-release, or that this module cannot read, is refused rather than guessed at.
 */

type Version = readonly [number, number, number];

/** A version with its unset (`x`, `*` or missing) trailing parts left out. */
type Partial = readonly number[];

type Operator = '<' | '<=' | '>' | '>=';

interface Comparator {
  readonly operator: Operator;
  readonly version: Version;
}

/** A range that names a pre-release or is not npm-style. */
export class UnreadableRangeError extends Error {}

const NOTHING: Comparator[] = [{ operator: '<', version: [0, 0, 0] }];

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function holds(version: Version, { operator, version: bound }: Comparator): boolean {
  const order = compare(version, bound);
  switch (operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

function parseVersion(text: string): Version {
  const match = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(text);
  if (!match) throw new UnreadableRangeError(`"${text}" is not a major.minor.patch version`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function parsePartial(text: string, range: string): Partial {
  const match = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/.exec(text);
  if (!match) throw new UnreadableRangeError(`cannot read "${text}" in the range "${range}"`);
  const parts = match.slice(1).filter((part) => part !== undefined);
  const wildcard = parts.findIndex((part) => /^[xX*]$/.test(part));
  const set = wildcard === -1 ? parts : parts.slice(0, wildcard);
  if (parts.slice(set.length).some((part) => !/^[xX*]$/.test(part))) {
    throw new UnreadableRangeError(
      `"${text}" in the range "${range}" has a number after a wildcard`,
    );
  }
  return set.map(Number);
}

/** The partial version with its unset parts as 0. */
function floor(partial: Partial): Version {
  return [partial[0] ?? 0, partial[1] ?? 0, partial[2] ?? 0];
}

/** The lowest version above every version that the partial one stands for. */
function ceiling(partial: Partial): Version {
  const [major, minor, patch] = partial;
  if (partial.length >= 3) return [major, minor, patch + 1];
  if (partial.length === 2) return [major, minor + 1, 0];
  return [major + 1, 0, 0];
}

function atMost(partial: Partial): Comparator[] {
  if (partial.length === 0) return [];
  if (partial.length === 3) return [{ operator: '<=', version: floor(partial) }];
  return [{ operator: '<', version: ceiling(partial) }];
}

function atLeast(partial: Partial): Comparator[] {
  return partial.length === 0 ? [] : [{ operator: '>=', version: floor(partial) }];
}

function caret(partial: Partial): Comparator[] {
  if (partial.length === 0) return [];
  const [major, minor = 0] = partial;
  let upper: Version;
  if (major > 0 || partial.length === 1) upper = [major + 1, 0, 0];
  else if (minor > 0 || partial.length === 2) upper = [0, minor + 1, 0];
  else upper = [0, 0, partial[2] + 1];
  return [...atLeast(partial), { operator: '<', version: upper }];
}

function tilde(partial: Partial): Comparator[] {
  if (partial.length === 0) return [];
  const upper: Version =
    partial.length === 1 ? [partial[0] + 1, 0, 0] : [partial[0], partial[1] + 1, 0];
  return [...atLeast(partial), { operator: '<', version: upper }];
}

function comparators(token: string, range: string): Comparator[] {
  const match = /^(<=|>=|<|>|=|~>|~|\^)?(.+)$/.exec(token);
  if (!match) throw new UnreadableRangeError(`cannot read "${token}" in the range "${range}"`);
  const [, operator = '=', text] = match;
  if (/[-+]/.test(text)) {
    throw new UnreadableRangeError(
      `the range "${range}" names a pre-release or build ("${token}")`,
    );
  }
  const partial = parsePartial(text, range);
  switch (operator) {
    case '=':
      return [...atLeast(partial), ...atMost(partial)];
    case '>=':
      return atLeast(partial);
    case '<=':
      return atMost(partial);
    case '>':
      if (partial.length === 0) return NOTHING;
      return partial.length === 3
        ? [{ operator: '>', version: floor(partial) }]
        : [{ operator: '>=', version: ceiling(partial) }];
    case '<':
      return partial.length === 0 ? NOTHING : [{ operator: '<', version: floor(partial) }];
    case '^':
      return caret(partial);
    default:
      return tilde(partial);
  }
}

function comparatorSet(text: string, range: string): Comparator[] {
  const set = text.trim();
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(set);
  if (hyphen) {
    return [...atLeast(parsePartial(hyphen[1], range)), ...atMost(parsePartial(hyphen[2], range))];
  }
  if (set === '') return [];
  return set
    .replace(/(<=|>=|<|>|=|~>|~|\^)\s+/g, '$1')
    .split(/\s+/)
    .flatMap((token) => comparators(token, range));
}

/**
 * Whether `version` (`major.minor.patch`) satisfies the npm-style `range`; throws an
 * {@link UnreadableRangeError} for a range that it cannot read.
 */
export function satisfies(version: string, range: string): boolean {
  const parsed = parseVersion(version);
  const sets = range.split('||').map((set) => comparatorSet(set, range));
  return sets.some((set) => set.every((comparator) => holds(parsed, comparator)));
}
