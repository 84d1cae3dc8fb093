/** Helpers for reading AWS SDK v3 errors in custom-resource handlers. */

/** The error's service exception name (`ResourceNotFoundException`), or its JavaScript name. */
export function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'name' in error) return String(error.name);
  return 'Error';
}

/** The HTTP status the service answered with, when there was one. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** Whether the error is one of the named exceptions. */
export function isError(error: unknown, ...names: string[]): boolean {
  return names.includes(errorName(error));
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
]);

/** Whether the error is worth retrying: throttling, a 5xx, or a network failure. */
export function isRetryable(error: unknown): boolean {
  const name = errorName(error);
  if (THROTTLING.has(name)) return true;
  if (
    ['InternalServerException', 'InternalServerError', 'ServiceUnavailableException'].includes(name)
  ) {
    return true;
  }
  if (['TimeoutError', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(name)) return true;
  const status = httpStatus(error);
  return status !== undefined && (status === 429 || status >= 500);
}

/** Whether the service refused the caller outright (no access, or the service is closed to it). */
export function isAccessDenied(error: unknown): boolean {
  return (
    isError(
      error,
      'AccessDeniedException',
      'AccessDenied',
      'UnauthorizedOperation',
      'SubscriptionRequiredException',
    ) || httpStatus(error) === 403
  );
}

/**
 * One plain sentence for a service that refused the account, such as a service that is closed
 * to new customers, followed by what the service said.
 */
export function serviceRefusedMessage(
  service: string,
  configSwitch: string,
  error: unknown,
): string {
  const said = error instanceof Error && error.message ? ` The service said: ${error.message}` : '';
  return (
    `${service} refused this account: it is closed to new AWS customers, or this account or role has no access to it. ` +
    `Set ${configSwitch} to false to deploy without it.${said}`
  );
}
