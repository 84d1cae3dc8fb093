import type { LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { isError, isRetryable } from '../../shared/handler/aws-errors';
import type { RetryOptions } from '../../shared/handler/retry';
import type { LakeFormationScope } from './lake-formation-scope';

/** The principal that stands for "IAM decides": Glue's permission model before Lake Formation. */
export const IAM_ALLOWED_PRINCIPALS = 'IAM_ALLOWED_PRINCIPALS';

/** A Lake Formation client, what it may change, and how to retry its calls; tests replace all. */
export interface LakeFormationDependencies {
  readonly lakeFormation: LakeFormationClient;
  /** What the provider may change (see `lake-formation-scope.ts`). */
  readonly scope: LakeFormationScope;
  /**
   * How the calls are retried, on top of {@link isLakeFormationRetryable}.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

/**
 * Lake Formation refuses concurrent changes to permissions and settings with
 * ConcurrentModificationException, and names its throttling and server errors its own way.
 */
export function isLakeFormationRetryable(error: unknown): boolean {
  return (
    isRetryable(error) ||
    isError(
      error,
      'ConcurrentModificationException',
      'ThrottledException',
      'InternalServiceException',
      'OperationTimeoutException',
    )
  );
}

/** The retry options of a Lake Formation call: also what Lake Formation says may pass later. */
export function lakeFormationRetry(deps: LakeFormationDependencies): RetryOptions {
  return { retryIf: isLakeFormationRetryable, ...deps.retry };
}
