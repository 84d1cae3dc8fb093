import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { ResultObjectReader } from './result-objects';

/** Reads result objects with an S3 client: one `GetObject`, streamed. */
export function s3ResultObjects(client: Pick<S3Client, 'send'>): ResultObjectReader {
  return {
    async getObjectStream(bucket, key) {
      const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!(Body instanceof Readable)) {
        throw new Error(`S3 GetObject of s3://${bucket}/${key} returned no readable stream`);
      }
      return Body;
    },
  };
}
