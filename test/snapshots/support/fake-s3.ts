import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  CopyObjectCommandInput,
  DeleteObjectsCommandInput,
  GetObjectCommandInput,
  HeadObjectCommandInput,
  ListObjectsV2CommandInput,
  PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

/** An S3 error as the SDK throws it. */
export function s3Error(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/** One stored object. */
export interface StoredObject {
  body: Buffer;
  contentType?: string;
  metadata: Record<string, string>;
  encryption?: { algorithm?: string; keyId?: string };
}

/** What a test may make S3 refuse: an operation on a key, with an error. */
export interface Refusal {
  readonly command: 'PutObject' | 'CopyObject' | 'GetObject' | 'DeleteObjects';
  readonly key?: RegExp;
  readonly error: Error;
  /** Refuse once, then serve as usual. */
  readonly once?: boolean;
}

/**
 * A stateful S3 of one or more buckets, behind `mockClient(S3Client)`: objects by `bucket/key`,
 * `If-None-Match: *` answered with 412 when the key exists (as S3 documents it), ranges
 * `bytes=-n`, listing by prefix, and refusals a test sets.
 */
export function fakeS3() {
  const client = mockClient(S3Client);
  const objects = new Map<string, StoredObject>();
  const refusals: Refusal[] = [];
  const where = (bucket: string | undefined, key: string | undefined) => `${bucket}/${key}`;
  const refuse = (command: Refusal['command'], key: string | undefined) => {
    const refusal = refusals.find(
      (candidate) =>
        candidate.command === command && (!candidate.key || candidate.key.test(key ?? '')),
    );
    if (!refusal) return;
    if (refusal.once) refusals.splice(refusals.indexOf(refusal), 1);
    throw refusal.error;
  };
  const missing = () => s3Error('NoSuchKey', 'The specified key does not exist.', 404);
  const exists = () =>
    s3Error(
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
      412,
    );

  const wire = () => {
    client.on(PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
      refuse('PutObject', input.Key);
      const at = where(input.Bucket, input.Key);
      if (input.IfNoneMatch === '*' && objects.has(at)) throw exists();
      objects.set(at, {
        body: Buffer.from(input.Body as string | Uint8Array),
        contentType: input.ContentType,
        metadata: input.Metadata ?? {},
        encryption: { algorithm: input.ServerSideEncryption, keyId: input.SSEKMSKeyId },
      });
      return { ETag: '"etag"' };
    });
    client.on(CopyObjectCommand).callsFake(async (input: CopyObjectCommandInput) => {
      refuse('CopyObject', input.Key);
      const [bucket, ...rest] = decodeURIComponent(input.CopySource ?? '').split('/');
      const source = objects.get(where(bucket, rest.join('/')));
      if (!source) throw missing();
      const at = where(input.Bucket, input.Key);
      if (input.IfNoneMatch === '*' && objects.has(at)) throw exists();
      objects.set(at, {
        body: Buffer.from(source.body),
        contentType: input.MetadataDirective === 'REPLACE' ? input.ContentType : source.contentType,
        metadata: input.MetadataDirective === 'REPLACE' ? (input.Metadata ?? {}) : source.metadata,
        encryption: { algorithm: input.ServerSideEncryption, keyId: input.SSEKMSKeyId },
      });
      return { CopyObjectResult: { ETag: '"etag"' } };
    });
    client.on(GetObjectCommand).callsFake(async (input: GetObjectCommandInput) => {
      refuse('GetObject', input.Key);
      const object = objects.get(where(input.Bucket, input.Key));
      if (!object) throw missing();
      let body = object.body;
      const range = /^bytes=-(\d+)$/.exec(input.Range ?? '');
      if (range) body = body.subarray(Math.max(0, body.length - Number(range[1])));
      return { Body: Readable.from([body]), ContentLength: body.length };
    });
    client.on(HeadObjectCommand).callsFake(async (input: HeadObjectCommandInput) => {
      const object = objects.get(where(input.Bucket, input.Key));
      if (!object) throw s3Error('NotFound', 'Not Found', 404);
      return {
        ContentLength: object.body.length,
        Metadata: object.metadata,
        ContentType: object.contentType,
      };
    });
    client.on(ListObjectsV2Command).callsFake(async (input: ListObjectsV2CommandInput) => {
      const prefix = where(input.Bucket, input.Prefix ?? '');
      const contents = [...objects.entries()]
        .filter(([at]) => at.startsWith(prefix))
        .map(([at, object]) => ({
          Key: at.slice(`${input.Bucket}/`.length),
          Size: object.body.length,
        }));
      return { Contents: contents, IsTruncated: false };
    });
    client.on(DeleteObjectsCommand).callsFake(async (input: DeleteObjectsCommandInput) => {
      refuse('DeleteObjects', input.Delete?.Objects?.[0]?.Key);
      for (const { Key } of input.Delete?.Objects ?? []) objects.delete(where(input.Bucket, Key));
      return { Deleted: input.Delete?.Objects };
    });
  };
  wire();

  return {
    client,
    objects,
    refusals,
    /** Puts an object as another writer would. */
    put(
      bucket: string,
      key: string,
      body: string | Uint8Array,
      metadata: Record<string, string> = {},
    ) {
      objects.set(where(bucket, key), { body: Buffer.from(body), metadata });
    },
    /** The object's text, or undefined. */
    text(bucket: string, key: string): string | undefined {
      return objects.get(where(bucket, key))?.body.toString('utf8');
    },
    /** The keys under `prefix` of `bucket`, sorted. */
    keys(bucket: string, prefix = ''): string[] {
      return [...objects.keys()]
        .filter((at) => at.startsWith(`${bucket}/${prefix}`))
        .map((at) => at.slice(bucket.length + 1))
        .sort();
    },
    /** Hex SHA-256 of an object. */
    sha256(bucket: string, key: string): string {
      return createHash('sha256')
        .update(objects.get(where(bucket, key))!.body)
        .digest('hex');
    },
    /** Forgets every object and refusal and every recorded call. */
    reset() {
      objects.clear();
      refusals.length = 0;
      client.reset();
      wire();
    },
  };
}
