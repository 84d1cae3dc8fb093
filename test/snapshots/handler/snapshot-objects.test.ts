import {
  CopyObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { MAX_COPY_BYTES, SnapshotObjects } from '../../../lib/snapshots/handler/snapshot-objects';
import { fakeS3, s3Error } from '../support/fake-s3';

/*
 * Write-once objects. S3 Object Lock would not stop an overwrite: "you PUT an object into
 * Amazon S3 with the same name ... your PUT succeeds, and Amazon S3 creates a new version"
 * (S3 User Guide, Object Lock overview). A conditional write does: with If-None-Match: *,
 * "Amazon S3 returns a 412 Precondition Failed error" when the key exists (CopyObject and
 * PutObject in the S3 API reference). Whether every S3 endpoint takes the header on CopyObject
 * is not settled: the user guide says CopyObject with conditional headers may fail with 501
 * Not Implemented. A 501 is a hard error here, never a retry without the header.
 */

const BUCKET = 'snapshots-bucket';
const s3 = fakeS3();
const objects = new SnapshotObjects(
  new S3Client({}),
  BUCKET,
  'arn:aws:kms:eu-west-1:111122223333:key/k',
  {
    attempts: 3,
    baseDelayMs: 0,
    sleep: async () => undefined,
  },
);

beforeEach(() => s3.reset());

describe('copyOnce', () => {
  beforeEach(() => s3.put(BUCKET, 'staging/a', 'rows'));

  test('copies a file once, with If-None-Match and the attempt that copied it', async () => {
    await objects.copyOnce(
      'staging/a',
      'snapshots/s/parquet/part-00000.parquet',
      'application/vnd.apache.parquet',
      'attempt-1',
    );
    const input = s3.client.commandCalls(CopyObjectCommand)[0].args[0].input;
    expect(input).toMatchObject({
      IfNoneMatch: '*',
      MetadataDirective: 'REPLACE',
      Metadata: { 'snapshot-attempt': 'attempt-1', 'snapshot-source': 'staging/a' },
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
    });
    expect(s3.text(BUCKET, 'snapshots/s/parquet/part-00000.parquet')).toBe('rows');
  });

  test('takes a file this attempt copied from the same source as done (a retried step)', async () => {
    await objects.copyOnce('staging/a', 'snapshots/s/x', 'text/csv', 'attempt-1');
    await expect(
      objects.copyOnce('staging/a', 'snapshots/s/x', 'text/csv', 'attempt-1'),
    ).resolves.toBeUndefined();
  });

  test('refuses to overwrite a file that another attempt, or a person, wrote', async () => {
    s3.put(BUCKET, 'snapshots/s/x', 'other rows', {
      'snapshot-attempt': 'attempt-0',
      'snapshot-source': 'staging/a',
    });
    await expect(
      objects.copyOnce('staging/a', 'snapshots/s/x', 'text/csv', 'attempt-1'),
    ).rejects.toThrow(
      's3://snapshots-bucket/snapshots/s/x exists already, written by another attempt or by hand; a snapshot is written once and never overwritten.',
    );
    expect(s3.text(BUCKET, 'snapshots/s/x')).toBe('other rows');
  });

  test('retries a 409 conflict with the condition, and never a 501 without it', async () => {
    s3.refusals.push({
      command: 'CopyObject',
      error: s3Error('ConditionalRequestConflict', 'conflict', 409),
      once: true,
    });
    await objects.copyOnce('staging/a', 'snapshots/s/y', 'text/csv', 'attempt-1');
    expect(s3.text(BUCKET, 'snapshots/s/y')).toBe('rows');
    const copies = s3.client.commandCalls(CopyObjectCommand).map((call) => call.args[0].input);
    expect(copies.map((input) => input.IfNoneMatch)).toEqual(['*', '*']);
  });

  test('refuses a file larger than one CopyObject copies', async () => {
    s3.client.on(HeadObjectCommand).resolvesOnce({ ContentLength: MAX_COPY_BYTES + 1 });
    await expect(
      objects.copyOnce('staging/a', 'snapshots/s/z', 'text/csv', 'attempt-1'),
    ).rejects.toThrow('more than the 5 GiB that one CopyObject copies');
  });
});

describe('putOnce', () => {
  test('writes a key once and reports what is there afterwards', async () => {
    expect(
      await objects.putOnce('snapshots/s/manifest.json', '{"a":1}', 'application/json'),
    ).toEqual({
      outcome: 'written',
    });
    expect(
      await objects.putOnce('snapshots/s/manifest.json', '{"a":2}', 'application/json'),
    ).toEqual({
      outcome: 'exists',
      body: '{"a":1}',
    });
    expect(
      s3.client
        .commandCalls(PutObjectCommand)
        .every((call) => call.args[0].input.IfNoneMatch === '*'),
    ).toBe(true);
  });

  test('a 501 fails with what it means', async () => {
    s3.refusals.push({
      command: 'PutObject',
      error: s3Error('NotImplemented', 'not implemented', 501),
    });
    await expect(
      objects.putOnce('snapshots/s/manifest.json', '{}', 'application/json'),
    ).rejects.toThrow(
      'S3 does not support the conditional PutObject on s3://snapshots-bucket/snapshots/s/manifest.json (NotImplemented: not implemented); the snapshot is not written without If-None-Match, which keeps it from being overwritten.',
    );
    expect(s3.client.commandCalls(PutObjectCommand)).toHaveLength(1);
  });
});
