import * as net from 'node:net';
import { isRetryable } from '../../lib/shared/handler/aws-errors';
import { withRetry } from '../../lib/shared/handler/retry';

/*
 * Node reports a failed connection as an Error whose `name` is "Error" and whose `code` says
 * what happened (https://nodejs.org/api/errors.html#common-system-errors: ECONNREFUSED,
 * ECONNRESET, EPIPE, ETIMEDOUT). The AWS SDK's own retry strategy reads the same codes from
 * `error.code`, and the names TimeoutError, RequestTimeout and RequestTimeoutException from
 * `error.name` (@smithy/service-error-classification, isTransientError:
 * https://github.com/smithy-lang/smithy-typescript/blob/main/packages/service-error-classification/src/constants.ts);
 * its Node HTTP handler names a socket that timed out "TimeoutError"
 * (@smithy/node-http-handler). The errors below come from real sockets where Node can make them.
 */

/** The error of a connection to a port that nothing listens on. */
async function refusedConnection(): Promise<Error> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return new Promise((resolve) => {
    net.connect(port, '127.0.0.1').on('error', resolve);
  });
}

/** The error of a connection that the server resets (sends RST) as soon as it is accepted. */
async function resetConnection(): Promise<Error> {
  const server = net.createServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const client = net.connect(port, '127.0.0.1', () => client.write('ping'));
      client.on('error', resolve);
      client.on('close', () => reject(new Error('the connection closed without an error')));
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('isRetryable on network failures', () => {
  test('a refused connection: Node puts ECONNREFUSED in code, not in name', async () => {
    const error = await refusedConnection();
    expect(error).toMatchObject({ name: 'Error', code: 'ECONNREFUSED' });
    expect(isRetryable(error)).toBe(true);
  });

  test('a connection reset by the peer: ECONNRESET in code', async () => {
    const error = await resetConnection();
    expect(error).toMatchObject({ name: 'Error', code: 'ECONNRESET' });
    expect(isRetryable(error)).toBe(true);
  });

  test.each(['EPIPE', 'ETIMEDOUT'])('a socket error with code %s', (code) => {
    const error = Object.assign(new Error(`write ${code}`), { code });
    expect(isRetryable(error)).toBe(true);
  });

  test.each(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException'])(
    'a request the SDK or the service reports as %s',
    (name) => {
      const error = Object.assign(new Error('the request timed out'), { name });
      expect(isRetryable(error)).toBe(true);
    },
  );

  test('a name that does not resolve is not retried: the service is not in this Region', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND lookoutvision.eu-west-3'), {
      code: 'ENOTFOUND',
    });
    expect(isRetryable(error)).toBe(false);
  });

  test('withRetry retries a reset connection and returns what the next attempt gets', async () => {
    const reset = await resetConnection();
    const operation = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(reset)
      .mockResolvedValueOnce('answer');
    const delays: number[] = [];
    await expect(
      withRetry(operation, { sleep: async (ms) => void delays.push(ms), random: () => 1 }),
    ).resolves.toBe('answer');
    expect(operation).toHaveBeenCalledTimes(2);
    expect(delays).toEqual([500]);
  });
});
