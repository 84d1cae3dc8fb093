import { Readable } from 'node:stream';
import { s3ResultObjects } from '../../../lib/catalog/athena/s3-result-objects';

/** An S3 client that answers every request with `body` and records the requests. */
function fakeS3(body: unknown) {
  const inputs: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      inputs.push((command as { input: unknown }).input);
      return { Body: body };
    },
  };
  return { client: client as Parameters<typeof s3ResultObjects>[0], inputs };
}

describe('s3ResultObjects', () => {
  test('gets the object with one GetObject and returns its body stream', async () => {
    const body = Readable.from([Buffer.from('"a"\n')]);
    const s3 = fakeS3(body);
    const reader = s3ResultObjects(s3.client);
    expect(await reader.getObjectStream('results', 'wg/q.csv')).toBe(body);
    expect(s3.inputs).toEqual([{ Bucket: 'results', Key: 'wg/q.csv' }]);
  });

  test('a body that is not a stream fails', async () => {
    const reader = s3ResultObjects(fakeS3(undefined).client);
    await expect(reader.getObjectStream('results', 'q.csv')).rejects.toThrow(
      'S3 GetObject of s3://results/q.csv returned no readable stream',
    );
  });
});
