import { Readable } from 'node:stream';
import type { ResultObjectReader } from './result-objects';

/** The part of `@aws-sdk/client-s3` that reading result objects takes. */
export interface S3Module {
  readonly S3Client: new (config: { region?: string }) => {
    send(command: unknown): Promise<{ Body?: unknown }>;
  };
  readonly GetObjectCommand: new (input: { Bucket: string; Key: string }) => unknown;
}

/** Thrown when no S3 client can be made because its package is not installed. */
export class S3ClientUnavailableError extends Error {
  constructor(packageName: string) {
    super(`${packageName} is not installed`);
    this.name = 'S3ClientUnavailableError';
  }
}

/**
 * Loads `@aws-sdk/client-s3` when it is first needed, so that the command line reads rows page
 * by page, and says why, where the package is not installed.
 */
export async function loadS3Module(packageName = '@aws-sdk/client-s3'): Promise<S3Module> {
  try {
    return (await import(packageName)) as S3Module;
  } catch (error) {
    // require() says MODULE_NOT_FOUND and import() ERR_MODULE_NOT_FOUND; either may be about a
    // module that the package itself needs.
    const code = (error as NodeJS.ErrnoException).code;
    const missing =
      (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') &&
      (error as Error).message.includes(`'${packageName}'`);
    if (missing) throw new S3ClientUnavailableError(packageName);
    throw error;
  }
}

/** Reads result objects with an S3 client of the SDK, for the region. */
export function s3ResultObjects(s3: S3Module, region: string | undefined): ResultObjectReader {
  const client = new s3.S3Client({ region });
  return {
    async getObjectStream(bucket, key) {
      const { Body } = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!(Body instanceof Readable)) {
        throw new Error(`S3 GetObject of s3://${bucket}/${key} returned no readable stream`);
      }
      return Body;
    },
  };
}
