import { Token } from 'aws-cdk-lib';
import { MAX_ID_PREFIX_LENGTH } from './handler/datasource-properties';

const ID_PREFIX = /^[a-zA-Z0-9_.-]+$/;

/** Problems with a datasource id prefix: Amazon ML ids are 1 to 64 of `[a-zA-Z0-9_.-]`. */
export function dataSourceIdProblems(idPrefix: string): string[] {
  if (Token.isUnresolved(idPrefix)) return [];
  const problems: string[] = [];
  if (!ID_PREFIX.test(idPrefix)) {
    problems.push(
      `the datasource id "${idPrefix}" may only contain letters, digits, "_", "." and "-"`,
    );
  }
  if (idPrefix.length > MAX_ID_PREFIX_LENGTH) {
    problems.push(
      `the datasource id "${idPrefix}" is longer than ${MAX_ID_PREFIX_LENGTH} characters (a version suffix is appended, and Amazon ML ids are at most 64)`,
    );
  }
  return problems;
}

/** Problems with a datasource name: at most 1024 characters, not blank. */
export function dataSourceNameProblems(name: string | undefined): string[] {
  if (name === undefined || Token.isUnresolved(name)) return [];
  if (!/\S/.test(name)) return ['the datasource name must not be blank'];
  if (name.length > 1024) return ['the datasource name is longer than 1024 characters'];
  return [];
}

/** Problems with a value that Amazon ML checks against a pattern. */
export function patternProblems(
  what: string,
  value: string,
  pattern: RegExp,
  rule: string,
): string[] {
  if (Token.isUnresolved(value) || pattern.test(value)) return [];
  return [`the ${what} "${value}" is not accepted by Amazon ML: ${rule}`];
}
