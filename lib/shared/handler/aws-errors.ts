import { plainError } from './plain-error';

/** Helpers for reading AWS SDK v3 errors in custom-resource handlers. */

/** The error's service exception name (`ResourceNotFoundException`), or its JavaScript name. */
export function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'name' in error) return String(error.name);
  return 'Error';
}

/** The error's `code`, where Node (`ECONNRESET`) and drivers such as mysql2 put what went wrong. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return String(error.code);
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

/**
 * Names the AWS SDK gives a request that timed out: its HTTP handler's `TimeoutError`, and the
 * services' `RequestTimeout` and `RequestTimeoutException`.
 */
const TIMED_OUT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** Node's codes (`error.code`) for a connection that was refused, cut or timed out. */
const CONNECTION_FAILED = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** Whether the error is worth retrying: throttling, a 5xx, a timeout or a failed connection. */
export function isRetryable(error: unknown): boolean {
  const name = errorName(error);
  if (THROTTLING.has(name)) return true;
  if (
    ['InternalServerException', 'InternalServerError', 'ServiceUnavailableException'].includes(name)
  ) {
    return true;
  }
  if (TIMED_OUT.has(name) || CONNECTION_FAILED.has(name)) return true;
  if (CONNECTION_FAILED.has(errorCode(error) ?? '')) return true;
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

/** Which service refused, and how the configuration turns it off. */
export interface ServiceRefusal {
  /** The service, as people know it (`Amazon Machine Learning`). */
  readonly service: string;
  /** The configuration switch that deploys without it (`features.amazonMl`). */
  readonly configSwitch: string;
  /**
   * What else the user can do, appended to the explanation.
   * @default - nothing
   */
  readonly hint?: string;
}

/**
 * A plain explanation when `error` says that the service refused this account or role
 * (see {@link isAccessDenied}); `undefined` for any other error.
 */
export function explainRefusal(error: unknown, refusal: ServiceRefusal): Error | undefined {
  if (!isAccessDenied(error)) return undefined;
  const message = serviceRefusedMessage(refusal.service, refusal.configSwitch, error);
  return plainError(refusal.hint ? `${message} ${refusal.hint}` : message);
}
