import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  errorName,
  httpStatus,
  isAccessDenied,
  isRetryable,
} from '../../shared/handler/aws-errors';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';

/** Largest object a single CopyObject copies (5 GiB). */
export const MAX_COPY_BYTES = 5 * 1024 ** 3;

/** Metadata keys that say which attempt wrote an object, and from what. */
const ATTEMPT = 'snapshot-attempt';
const SOURCE = 'snapshot-source';

/** An object under a prefix. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
}

/** The bytes of a GetObject body, which in Node is a stream. */
async function bytesOf(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array();
  if (!(body instanceof Readable)) throw new Error('S3 GetObject returned no stream');
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function isMissing(error: unknown): boolean {
  return (
    errorName(error) === 'NoSuchKey' || errorName(error) === 'NotFound' || httpStatus(error) === 404
  );
}

function isPreconditionFailed(error: unknown): boolean {
  return errorName(error) === 'PreconditionFailed' || httpStatus(error) === 412;
}

function isNotImplemented(error: unknown): boolean {
  return errorName(error) === 'NotImplemented' || httpStatus(error) === 501;
}

/** A conditional write that met a concurrent one: S3 asks for the write again. */
function isConditionalConflict(error: unknown): boolean {
  return errorName(error) === 'ConditionalRequestConflict' || httpStatus(error) === 409;
}

/**
 * The objects of the snapshots bucket, as the snapshot handler reads and writes them. Every
 * object of a snapshot is written once: with `If-None-Match: *`, which S3 answers with 412 when
 * the key exists, never by overwriting it (S3 Object Lock would not stop an overwrite, only
 * keep the old version). Every write is encrypted with the snapshots key.
 */
export class SnapshotObjects {
  constructor(
    private readonly s3: Pick<S3Client, 'send'>,
    readonly bucket: string,
    /** The key every write names; undefined leaves it to the bucket's default encryption. */
    private readonly kmsKeyArn: string | undefined,
    private readonly retry?: RetryOptions,
  ) {}

  /** `s3://bucket/key`. */
  uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  private call<T>(what: string, key: string, operation: () => Promise<T>): Promise<T> {
    return withRetry(operation, {
      ...this.retry,
      retryIf: (error) => isRetryable(error) && !isNotImplemented(error),
    }).catch((error: unknown) => {
      if (isAccessDenied(error)) {
        throw plainError(
          `S3 refused ${what} ${this.uri(key)} (${errorName(error)}: ${messageOf(error)}); the snapshot handler's role needs it, and kms:GenerateDataKey and kms:Decrypt on the snapshots key through S3.`,
        );
      }
      throw error;
    });
  }

  private get encryption() {
    if (!this.kmsKeyArn) return {};
    return {
      ServerSideEncryption: 'aws:kms' as const,
      SSEKMSKeyId: this.kmsKeyArn,
      BucketKeyEnabled: true,
    };
  }

  /** The object's text, or undefined when there is none. */
  async text(key: string): Promise<string | undefined> {
    try {
      const { Body } = await this.call('GetObject on', key, () =>
        this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })),
      );
      return Buffer.from(await bytesOf(Body)).toString('utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** The object's bytes, streamed. */
  async stream(key: string): Promise<AsyncIterable<Uint8Array>> {
    const { Body } = await this.call('GetObject on', key, () =>
      this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })),
    );
    if (!(Body instanceof Readable))
      throw new Error(`GetObject of ${this.uri(key)} returned no stream`);
    return Body;
  }

  /** The last `bytes` bytes of the object (all of it when it is shorter). */
  async tail(key: string, bytes: number): Promise<Uint8Array> {
    const { Body } = await this.call('GetObject on', key, () =>
      this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=-${bytes}` }),
      ),
    );
    return bytesOf(Body);
  }

  /** The object's size. */
  async size(key: string): Promise<number> {
    const head = await this.call('HeadObject on', key, () =>
      this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })),
    );
    return head.ContentLength ?? 0;
  }

  /** Every object under `prefix`. */
  async list(prefix: string): Promise<ListedObject[]> {
    const objects: ListedObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('ListObjectsV2 under', prefix, () =>
        this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ContinuationToken: token,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) objects.push({ key: object.Key, size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  /** Deletes every object under `prefix`; returns how many there were. */
  async deleteAll(prefix: string): Promise<number> {
    const keys = (await this.list(prefix)).map((object) => object.key);
    for (let start = 0; start < keys.length; start += 1000) {
      const batch = keys.slice(start, start + 1000);
      const result = await this.call('DeleteObjects under', prefix, () =>
        this.s3.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw plainError(
          `S3 did not delete ${failed.length} objects under ${this.uri(prefix)}, such as ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
        );
      }
    }
    return keys.length;
  }

  /** Writes mutable working state (under `staging/` only): the one unconditional write. */
  async putState(key: string, body: string): Promise<void> {
    await this.call('PutObject on', key, () =>
      this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ...this.encryption,
        }),
      ),
    );
  }

  /**
   * Writes `body` to `key` unless the key exists: `written`, or `exists` with what is there.
   */
  async putOnce(
    key: string,
    body: string,
    contentType: string,
  ): Promise<
    { readonly outcome: 'written' } | { readonly outcome: 'exists'; readonly body: string }
  > {
    try {
      await this.conditional('PutObject on', key, () =>
        this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            IfNoneMatch: '*',
            ...this.encryption,
          }),
        ),
      );
      return { outcome: 'written' };
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      return { outcome: 'exists', body: (await this.text(key)) ?? '' };
    }
  }

  /**
   * Copies `source` to `target` unless `target` exists. A target that this attempt copied from
   * the same source (a retried step) is taken as done; any other fails: nothing is overwritten.
   */
  async copyOnce(
    source: string,
    target: string,
    contentType: string,
    attempt: string,
  ): Promise<void> {
    const size = await this.size(source);
    if (size > MAX_COPY_BYTES) {
      throw plainError(
        `${this.uri(source)} has ${size} bytes, more than the 5 GiB that one CopyObject copies; make a smaller snapshot.`,
      );
    }
    try {
      await this.conditional('CopyObject to', target, () =>
        this.s3.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            Key: target,
            CopySource: `${this.bucket}/${encodeURIComponent(source).replace(/%2F/g, '/')}`,
            IfNoneMatch: '*',
            MetadataDirective: 'REPLACE',
            Metadata: { [ATTEMPT]: attempt, [SOURCE]: source },
            ContentType: contentType,
            ...this.encryption,
          }),
        ),
      );
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      const head = await this.call('HeadObject on', target, () =>
        this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: target })),
      );
      if (head.Metadata?.[ATTEMPT] === attempt && head.Metadata?.[SOURCE] === source) return;
      throw plainError(
        `${this.uri(target)} exists already, written by another attempt or by hand; a snapshot is written once and never overwritten.`,
      );
    }
  }

  /** A write with `If-None-Match`: S3's 409 asks for it again; 501 means no conditional writes. */
  private conditional<T>(what: string, key: string, operation: () => Promise<T>): Promise<T> {
    return withRetry(operation, {
      ...this.retry,
      retryIf: (error) =>
        isConditionalConflict(error) || (isRetryable(error) && !isNotImplemented(error)),
    }).catch((error: unknown) => {
      if (isNotImplemented(error)) {
        throw plainError(
          `S3 does not support the conditional ${what} ${this.uri(key)} (${errorName(error)}: ${messageOf(error)}); the snapshot is not written without If-None-Match, which keeps it from being overwritten.`,
        );
      }
      if (isAccessDenied(error)) {
        throw plainError(
          `S3 refused ${what} ${this.uri(key)} (${errorName(error)}: ${messageOf(error)}); the snapshot handler's role needs it, and kms:GenerateDataKey and kms:Decrypt on the snapshots key through S3.`,
        );
      }
      throw error;
    });
  }
}
