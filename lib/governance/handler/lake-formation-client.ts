import type { LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { isError, isRetryable } from '../../shared/handler/aws-errors';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';

/** The principal that stands for "IAM decides": Glue's permission model before Lake Formation. */
export const IAM_ALLOWED_PRINCIPALS = 'IAM_ALLOWED_PRINCIPALS';

/** A Lake Formation client and how to retry its calls. */
export interface LakeFormationContext {
  readonly client: LakeFormationClient;
  /**
   * Retry behaviour; tests replace the sleep.
   * @default withRetry's defaults
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

/** Runs `operation`, retrying what Lake Formation says may succeed on a later try. */
export function retrying<T>(
  context: LakeFormationContext,
  operation: () => Promise<T>,
): Promise<T> {
  return withRetry(operation, { retryIf: isLakeFormationRetryable, ...context.retry });
}
