import { plainError } from '../../shared/handler/plain-error';
import type { SettingsWriteOptions } from './data-lake-settings';

/** The `DeadPrincipals` property of a settings resource, as write options. */
export function settingsWriteOptions(properties: {
  readonly DeadPrincipals?: string;
}): SettingsWriteOptions {
  const value = properties.DeadPrincipals ?? 'fail';
  if (value !== 'fail' && value !== 'drop') {
    throw plainError(
      `The resource property DeadPrincipals must be "fail" or "drop", not "${value}".`,
    );
  }
  return { deadPrincipals: value };
}
