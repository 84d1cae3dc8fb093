import { messageOf, plainError } from './plain-error';

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
 * Whether an IAM policy denied the caller the action, as AWS words it: "User: <arn> is not
 * authorized to perform: <action> on resource: <arn>", for a missing Allow, or "... with an
 * explicit deny in a service control policy". That is a permission of the caller, not the
 * service refusing the account.
 */
export function isPermissionDenied(error: unknown): boolean {
  return IAM_DENIAL.test(messageOf(error));
}

const IAM_DENIAL =
  /\bis not authorized to perform:?\s*(\S+?)(?:\s+on resource:?\s*(\S+?))?(?:\s|$)/;

/**
 * Whether the service says it does not take new customers, as Amazon Machine Learning does:
 * "AmazonML is no longer available to new customers".
 */
export function isClosedToNewCustomers(error: unknown): boolean {
  return /no longer available to new customers/i.test(messageOf(error));
}

function saidBy(error: unknown): string {
  return error instanceof Error && error.message ? ` The service said: ${error.message}` : '';
}

/**
 * One plain sentence for a service that refused the account without saying why, followed by
 * what the service said.
 */
export function serviceRefusedMessage(
  service: string,
  configSwitch: string,
  error: unknown,
): string {
  return (
    `${service} refused this account: it is closed to new AWS customers, or this account or role has no access to it. ` +
    `Set ${configSwitch} to false to deploy without it.${saidBy(error)}`
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
 * A plain explanation when the service refused the call (see {@link isAccessDenied}),
 * `undefined` for any other error. The service's message tells the cases apart: an IAM denial
 * of the caller's own permissions is a defect of the deployment's policies and is reported as
 * one, without suggesting to turn the service off; a service closed to new customers is said
 * to be so; any other refusal names both possibilities.
 */
export function explainRefusal(error: unknown, refusal: ServiceRefusal): Error | undefined {
  if (!isAccessDenied(error)) return undefined;
  const { service, configSwitch, hint } = refusal;
  const denial = IAM_DENIAL.exec(messageOf(error));
  if (denial) {
    const resource = denial[2] ? ` on ${denial[2]}` : '';
    return plainError(
      `IAM denied the handler's role ${denial[1]}${resource}: its policy, a permissions boundary or a service control policy does not allow it; ` +
        `${service} did not refuse the account, and ${configSwitch} need not be turned off.${saidBy(error)}`,
    );
  }
  const message = isClosedToNewCustomers(error)
    ? `${service} is closed to new AWS customers, and this account is not one of its existing customers. ` +
      `Set ${configSwitch} to false to deploy without it.${saidBy(error)}`
    : serviceRefusedMessage(service, configSwitch, error);
  return plainError(hint ? `${message} ${hint}` : message);
}

/** Node's codes for a host name that does not resolve, as a service endpoint missing from a Region. */
const NAME_NOT_RESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether the service's endpoint could not be reached at all: its host name does not resolve
 * (`getaddrinfo ENOTFOUND <service>.<region>.amazonaws.com`), as in a Region without the
 * service, or the SDK knows no endpoint for it.
 */
export function isUnreachableEndpoint(error: unknown): boolean {
  return (
    isError(error, 'UnknownEndpoint', 'ENOTFOUND', 'EAI_AGAIN') ||
    NAME_NOT_RESOLVED.has(errorCode(error) ?? '')
  );
}

/** Where a service exists, and how the configuration turns it off. */
export interface ServiceRegions {
  /** The service, as people know it (`Amazon Machine Learning`). */
  readonly service: string;
  /** The configuration switch that deploys without it (`features.amazonMl`). */
  readonly configSwitch: string;
  /** The Regions with an endpoint of the service. */
  readonly regions: readonly string[];
  /** The Region the handler runs in and calls. */
  readonly region: string;
}

/**
 * A plain explanation when the service's endpoint could not be reached (see
 * {@link isUnreachableEndpoint}), `undefined` for any other error.
 */
export function explainUnreachable(error: unknown, where: ServiceRegions): Error | undefined {
  if (!isUnreachableEndpoint(error)) return undefined;
  const offered = where.regions.includes(where.region)
    ? `${where.service} is offered in ${where.region}, so the network or DNS failed; retry the deployment`
    : `${where.service} exists only in ${where.regions.join(' and ')}, not in ${where.region}: deploy to one of those Regions or set ${where.configSwitch} to false`;
  return plainError(
    `${where.service} could not be reached (${errorName(error)}: ${messageOf(error)}). ${offered}.`,
  );
}
