import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { isError } from '../../shared/handler/aws-errors';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';

/** A bucket and key prefix, from an `s3://bucket/prefix` location. */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/** The bucket and prefix of `s3://bucket/prefix`. */
export function parseS3Location(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw plainError(`"${uri}" is not an s3://bucket/prefix location`);
  return { bucket: match[1], prefix: match[2] };
}

/** How much of the first staged object is read to find its first line. */
const FIRST_BYTES = 64 * 1024;

/** The first line of the first staged object, and that object's key. */
export interface FirstLine {
  readonly key: string;
  readonly line: string;
}

/** The gzip magic number: Amazon ML may stage compressed parts. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function firstLineOf(bytes: Uint8Array): string {
  // A partial gzip stream: inflate what is there instead of failing on the missing end.
  const text = isGzip(bytes)
    ? gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8')
    : Buffer.from(bytes).toString('utf8');
  return text.split('\n', 1)[0].replace(/\r$/, '');
}

/**
 * Reads and deletes what a datasource staged under its location, with the S3 client and
 * retries of the handler.
 */
export class StagedData {
  constructor(
    private readonly s3: S3Client,
    private readonly retry?: RetryOptions,
  ) {}

  /**
   * The first line of the first non-empty object under `location`, in key order (a Redshift
   * UNLOAD names its parts `0000_part_00`, `0001_part_00`, …); `undefined` when nothing is
   * staged there.
   */
  async firstLine(location: string): Promise<FirstLine | undefined> {
    const { bucket, prefix } = parseS3Location(location);
    let token: string | undefined;
    do {
      const page = await withRetry(
        () =>
          this.s3.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
          ),
        this.retry,
      );
      const object = (page.Contents ?? []).find(
        (entry) => entry.Key && !entry.Key.endsWith('/') && (entry.Size ?? 0) > 0,
      );
      if (object) {
        const got = await withRetry(
          () =>
            this.s3.send(
              new GetObjectCommand({
                Bucket: bucket,
                Key: object.Key,
                Range: `bytes=0-${FIRST_BYTES - 1}`,
              }),
            ),
          this.retry,
        );
        const bytes = (await got.Body?.transformToByteArray()) ?? new Uint8Array();
        return { key: object.Key!, line: firstLineOf(bytes) };
      }
      token = page.NextContinuationToken;
    } while (token);
    return undefined;
  }

  /**
   * Deletes every object under `location` (in the versioned staging bucket, a delete marker
   * over each, whose older versions then expire); a location or bucket that is gone is fine.
   * Returns how many objects were deleted.
   */
  async deleteAll(location: string): Promise<number> {
    const { bucket, prefix } = parseS3Location(location);
    if (!prefix) throw plainError(`Refusing to delete the whole bucket ${bucket}`);
    const deleted = new Set<string>();
    // Listed again after each batch: S3 lists strongly consistently, without the deleted keys.
    for (;;) {
      const page = await this.guarded(location, () =>
        this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix })),
      );
      const keys = (page?.Contents ?? []).flatMap((entry) => (entry.Key ? [entry.Key] : []));
      if (keys.length === 0) return deleted.size;
      const again = keys.find((key) => deleted.has(key));
      if (again) {
        throw plainError(`S3 still lists ${again} under ${location} after deleting it`);
      }
      const result = await this.guarded(location, () =>
        this.s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      const [failed, ...more] = result?.Errors ?? [];
      if (failed) {
        throw plainError(
          `Could not delete ${more.length + 1} staged objects under ${location}, such as ${failed.Key}: ${failed.Code} ${failed.Message ?? ''}`.trim(),
        );
      }
      for (const key of keys) deleted.add(key);
    }
  }

  /** The operation with retries; `undefined` when the bucket is gone, a plain error otherwise. */
  private async guarded<T>(location: string, operation: () => Promise<T>): Promise<T | undefined> {
    try {
      return await withRetry(operation, this.retry);
    } catch (error) {
      if (isError(error, 'NoSuchBucket')) return undefined;
      throw plainError(`Could not delete the staged data under ${location}: ${messageOf(error)}`);
    }
  }
}

/** The fields of a CSV line, unquoted, in lower case. */
function fieldsOf(line: string): string[] {
  return line.split(/[,|\t]/).map((field) =>
    field
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase(),
  );
}

/** The parts of a data schema that the header check reads. */
interface SchemaHeader {
  readonly dataFileContainsHeader?: boolean;
  readonly attributes?: ReadonlyArray<{ readonly attributeName: string }>;
}

/**
 * Why the first staged line disagrees with the schema's `dataFileContainsHeader`, or
 * `undefined` when it agrees: the line is a header when its fields are the attribute names, in
 * order (Redshift and MySQL may change their case).
 */
export function headerMismatch(
  schemaJson: string,
  first: FirstLine,
  location: string,
): string | undefined {
  const schema = JSON.parse(schemaJson) as SchemaHeader;
  const names = (schema.attributes ?? []).map((attribute) => attribute.attributeName.toLowerCase());
  const fields = fieldsOf(first.line);
  const isHeader =
    fields.length === names.length && fields.every((field, index) => field === names[index]);
  const expected = schema.dataFileContainsHeader === true;
  if (isHeader === expected) return undefined;
  const object = `s3://${parseS3Location(location).bucket}/${first.key}`;
  return isHeader
    ? `the data Amazon ML staged starts with the column names (${object}), and dataFileContainsHeader is false, so Amazon ML reads that line as a row of data: set dataFileContainsHeader to true for this datasource`
    : `the data Amazon ML staged starts with a row of data (${object}), and dataFileContainsHeader is true, so Amazon ML drops that row as a header: set dataFileContainsHeader to false for this datasource`;
}
