import { plainError } from './plain-error';

function isMissing(value: unknown): boolean {
  return typeof value !== 'string' || value === '';
}

/**
 * Fails, naming every one of `names` at once, unless each of those resource properties is a
 * non-empty string. CloudFormation passes whatever the template holds; a handler checks the
 * properties it cannot work without before it calls any service.
 */
export function requireProperties<P extends object>(
  properties: P | undefined,
  names: ReadonlyArray<keyof P & string>,
): void {
  const values = (properties ?? {}) as Record<string, unknown>;
  const missing = names.filter((name) => isMissing(values[name]));
  if (missing.length === 1) {
    throw plainError(`The resource property ${missing[0]} must be a non-empty string.`);
  }
  if (missing.length > 1) {
    throw plainError(`The resource properties ${missing.join(', ')} must be non-empty strings.`);
  }
}

/** The resource property `name`, which must be a non-empty string. */
export function required<P extends object>(properties: P, name: keyof P & string): string {
  requireProperties(properties, [name]);
  return (properties as Record<string, string>)[name];
}
