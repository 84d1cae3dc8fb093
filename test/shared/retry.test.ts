import {
  isAccessDenied,
  isRetryable,
  serviceRefusedMessage,
} from '../../lib/shared/handler/aws-errors';
import { withRetry } from '../../lib/shared/handler/retry';

function awsError(name: string, status?: number): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $metadata: { httpStatusCode: status },
  });
}

describe('withRetry', () => {
  test('retries throttling with growing delays, then succeeds', async () => {
    const delays: number[] = [];
    const operation = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(awsError('ThrottlingException', 400))
      .mockRejectedValueOnce(awsError('InternalServerException', 500))
      .mockResolvedValueOnce('done');
    const result = await withRetry(operation, {
      sleep: async (ms) => void delays.push(ms),
      random: () => 1,
      baseDelayMs: 100,
    });
    expect(result).toBe('done');
    expect(operation).toHaveBeenCalledTimes(3);
    expect(delays).toEqual([100, 200]);
  });

  test('caps the delay', async () => {
    const delays: number[] = [];
    const operation = jest.fn<Promise<void>, []>().mockRejectedValue(awsError('SlowDown', 503));
    await expect(
      withRetry(operation, {
        attempts: 5,
        baseDelayMs: 1000,
        maxDelayMs: 3000,
        random: () => 1,
        sleep: async (ms) => void delays.push(ms),
      }),
    ).rejects.toThrow('SlowDown happened');
    expect(delays).toEqual([1000, 2000, 3000, 3000]);
  });

  test('does not retry a client error', async () => {
    const operation = jest
      .fn<Promise<void>, []>()
      .mockRejectedValue(awsError('InvalidInputException', 400));
    await expect(withRetry(operation, { sleep: async () => {} })).rejects.toThrow(
      'InvalidInputException happened',
    );
    expect(operation).toHaveBeenCalledTimes(1);
  });

  test('gives up after the last attempt with the last error', async () => {
    const operation = jest
      .fn<Promise<void>, []>()
      .mockRejectedValue(awsError('ThrottlingException', 400));
    await expect(withRetry(operation, { attempts: 3, sleep: async () => {} })).rejects.toThrow(
      'ThrottlingException happened',
    );
    expect(operation).toHaveBeenCalledTimes(3);
  });
});

describe('AWS error helpers', () => {
  test('classify errors', () => {
    expect(isRetryable(awsError('Whatever', 502))).toBe(true);
    expect(isRetryable(awsError('ValidationException', 400))).toBe(false);
    expect(isAccessDenied(awsError('AccessDeniedException', 400))).toBe(true);
    expect(isAccessDenied(awsError('Forbidden', 403))).toBe(true);
    expect(isAccessDenied(awsError('ValidationException', 400))).toBe(false);
  });

  test('a refused service is explained in plain words with the switch to turn it off', () => {
    const message = serviceRefusedMessage(
      'Amazon Machine Learning',
      'features.amazonMl',
      awsError('AccessDeniedException', 400),
    );
    expect(message).toBe(
      'Amazon Machine Learning refused this account: it is closed to new AWS customers, or this account or role has no access to it. ' +
        'Set features.amazonMl to false to deploy without it. The service said: AccessDeniedException happened',
    );
  });
});
