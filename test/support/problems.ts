import { ConfigError, parseConfig } from '../../lib/config/load-config';
import type { AppConfig } from '../../lib/config/schema';

/** An error class whose errors carry every problem found, such as `ConfigError`. */
type ProblemsErrorClass = abstract new (...args: never[]) => Error & {
  readonly problems: readonly string[];
};

/**
 * The problems of the `errorClass` error that `run` throws. Fails the test when `run` throws
 * nothing, and rethrows any other error.
 */
export function problemsThrownBy(
  errorClass: ProblemsErrorClass,
  run: () => unknown,
): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof errorClass) return error.problems;
    throw error;
  }
  throw new Error(`expected a ${errorClass.name}, but nothing was thrown`);
}

/**
 * The problems reported for `overrides` merged over the built-in default configuration. Fails
 * the test when that configuration is valid: use {@link expectValidConfig} to assert that.
 */
export function configProblems(overrides: unknown): readonly string[] {
  return problemsThrownBy(ConfigError, () => parseConfig(overrides, 'test'));
}

/**
 * `overrides` merged over the built-in default configuration, validated. Fails the test with
 * every problem when that configuration is invalid.
 */
export function expectValidConfig(overrides: unknown = {}): AppConfig {
  return parseConfig(overrides, 'test');
}
