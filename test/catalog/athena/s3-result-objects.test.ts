import { Readable } from 'node:stream';
import type { S3Module } from '../../../lib/catalog/athena/s3-result-objects';
import {
  S3ClientUnavailableError,
  loadS3Module,
  s3ResultObjects,
} from '../../../lib/catalog/athena/s3-result-objects';

/** A stand-in for `@aws-sdk/client-s3` that records what it is asked. */
function fakeS3Module(body: unknown) {
  const clients: { region?: string }[] = [];
  const inputs: unknown[] = [];
  const module: S3Module = {
    S3Client: class {
      constructor(config: { region?: string }) {
        clients.push(config);
      }
      async send(command: unknown) {
        inputs.push((command as { input: unknown }).input);
        return { Body: body };
      }
    },
    GetObjectCommand: class {
      constructor(readonly input: { Bucket: string; Key: string }) {}
    },
  };
  return { module, clients, inputs };
}

describe('s3ResultObjects', () => {
  test('gets the object with GetObject, in the region, and returns its body stream', async () => {
    const body = Readable.from([Buffer.from('"a"\n')]);
    const s3 = fakeS3Module(body);
    const reader = s3ResultObjects(s3.module, 'eu-west-1');
    expect(await reader.getObjectStream('results', 'wg/q.csv')).toBe(body);
    expect(s3.clients).toEqual([{ region: 'eu-west-1' }]);
    expect(s3.inputs).toEqual([{ Bucket: 'results', Key: 'wg/q.csv' }]);
  });

  test('a body that is not a stream fails', async () => {
    const reader = s3ResultObjects(fakeS3Module(undefined).module, undefined);
    await expect(reader.getObjectStream('results', 'q.csv')).rejects.toThrow(
      'S3 GetObject of s3://results/q.csv returned no readable stream',
    );
  });

  test('a package that is not installed is S3ClientUnavailableError', async () => {
    const missing = loadS3Module('@aws-sdk/client-that-does-not-exist');
    await expect(missing).rejects.toBeInstanceOf(S3ClientUnavailableError);
    await expect(missing).rejects.toThrow('@aws-sdk/client-that-does-not-exist is not installed');
  });

  test('an installed package loads', async () => {
    const athena = (await loadS3Module('@aws-sdk/client-athena')) as unknown as Record<
      string,
      unknown
    >;
    expect(typeof athena.AthenaClient).toBe('function');
  });
});
