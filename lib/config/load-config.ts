import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { DEFAULT_CONFIG } from './default-config';
import { checkedAppConfigSchema } from './cross-checks';
import { recordDefaultOnlyKeys } from './modes';
import type { AppConfig } from './schema';

/** The context key that names a configuration file, or holds the configuration inline. */
export const CONFIG_CONTEXT_KEY = 'config';

/** Thrown when the configuration is invalid; its message lists every problem with its path. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(
      `Invalid configuration (${source}): ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Json = unknown;

function isPlainObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges `override` over `base`: objects key by key, everything else (arrays too) replaced.
 * Each merged object remembers which keys only `base` had, so that a user file that switches
 * mode is not blamed for the default mode's settings (see `exclusiveModes`).
 */
export function mergeConfig(base: Json, override: Json): Json {
  if (!isPlainObject(base) || !isPlainObject(override))
    return override === undefined ? base : override;
  const merged: Record<string, Json> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = key in base ? mergeConfig(base[key], value) : value;
  }
  recordDefaultOnlyKeys(
    merged,
    Object.keys(base).filter((key) => !(key in override)),
  );
  return merged;
}

function formatPath(issuePath: ReadonlyArray<PropertyKey>): string {
  return issuePath.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

function describeIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
    }
    const where = formatPath(issue.path) || '(root)';
    return [`${where}: ${issue.message}`];
  });
}

/** Validates a configuration object merged over the built-in default. */
export function parseConfig(override: Json = {}, source = 'inline configuration'): AppConfig {
  if (!isPlainObject(override)) {
    throw new ConfigError(source, ['(root): the configuration must be a JSON object']);
  }
  const result = checkedAppConfigSchema.safeParse(mergeConfig(DEFAULT_CONFIG, override));
  if (!result.success) throw new ConfigError(source, describeIssues(result.error.issues));
  return result.data;
}

/** Reads a JSON configuration file and validates it merged over the built-in default. */
export function loadConfigFile(file: string): AppConfig {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseConfig(parsed, file);
}

/**
 * Resolves the configuration from the `config` context value: a file path, an inline object
 * (from `cdk.json`), a JSON string (from `-c config='{...}'`), or nothing (the built-in default).
 */
export function resolveConfig(contextValue: Json): AppConfig {
  if (contextValue === undefined || contextValue === null || contextValue === '') {
    return parseConfig({}, 'built-in default');
  }
  if (typeof contextValue === 'string' && contextValue.trim().startsWith('{')) {
    let parsed: Json;
    try {
      parsed = JSON.parse(contextValue);
    } catch (error) {
      throw new ConfigError('context "config"', [`not valid JSON: ${(error as Error).message}`]);
    }
    return parseConfig(parsed, 'context "config"');
  }
  if (typeof contextValue === 'string') return loadConfigFile(contextValue);
  return parseConfig(contextValue, 'context "config"');
}
