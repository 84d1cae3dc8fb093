import { isRetryable } from './aws-errors';

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /**
   * Attempts in all, the first included.
   * @default 6
   */
  readonly attempts?: number;
  /**
   * Delay before the first retry, in milliseconds; it doubles with each retry, with full jitter.
   * @default 500
   */
  readonly baseDelayMs?: number;
  /**
   * Longest delay between two attempts, in milliseconds.
   * @default 20000
   */
  readonly maxDelayMs?: number;
  /**
   * Which errors to retry.
   * @default isRetryable: throttling, 5xx and network errors
   */
  readonly retryIf?: (error: unknown) => boolean;
  /**
   * Waits; replaced in tests.
   * @default setTimeout
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Source of randomness for the jitter; replaced in tests.
   * @default Math.random
   */
  readonly random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `operation` until it succeeds, retrying throttling and server errors with exponential
 * backoff and full jitter; any other error, or the last one, is thrown as it is.
 */
export async function withRetry<T>(
  operation: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 20_000;
  const retryIf = options.retryIf ?? isRetryable;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;

  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !retryIf(error)) throw error;
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.round(random() * ceiling));
    }
  }
}
