import type { Readable } from 'node:stream';

/**
 * Reads objects from S3 as streams: all that reading a query's result CSV takes, which needs
 * `s3:GetObject` on the object and, for a KMS-encrypted result, `kms:Decrypt` through S3.
 */
export interface ResultObjectReader {
  /** The object's bytes, as S3 `GetObject` returns them; rejects as S3 refuses (`AccessDenied`). */
  getObjectStream(bucket: string, key: string): Promise<Readable>;
}

/** An object on S3. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;

/** The bucket and key of an `s3://bucket/key` URI, or undefined for anything else. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const match = S3_URI.exec(uri);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

/** Thrown when a query's result object cannot be read, or is not the CSV Athena writes. */
export class AthenaResultObjectError extends Error {
  constructor(
    /** The object's `s3://` URI. */
    readonly location: string,
    detail: string,
  ) {
    super(`result object ${location}: ${detail}`);
    this.name = 'AthenaResultObjectError';
  }
}
