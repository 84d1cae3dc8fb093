import { formatBytes, ProgressReporter } from '../../../lib/catalog/athena/progress';

describe('ProgressReporter', () => {
  test('writes each new state, scanned bytes at most once a second, and the last rows line', () => {
    const lines: string[] = [];
    let now = 0;
    const reporter = new ProgressReporter(
      (line) => lines.push(line),
      () => now,
    );
    const state = (state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED', scanned: number, at: number) => {
      now = at;
      reporter.report({
        event: 'state',
        queryExecutionId: 'q',
        state,
        dataScannedInBytes: scanned,
        elapsedMs: at,
      });
    };
    const rows = (count: number, done: boolean, at: number) => {
      now = at;
      reporter.report({ event: 'rows', queryExecutionId: 'q', rowsFetched: count, done });
    };
    state('QUEUED', 0, 0);
    state('QUEUED', 0, 250);
    state('RUNNING', 10, 750);
    state('RUNNING', 2_000_000, 1000); // too soon after the last line
    state('RUNNING', 3_000_000, 1750);
    state('RUNNING', 3_000_000, 3750); // nothing new
    state('SUCCEEDED', 3_500_000, 4000);
    rows(1000, false, 4100);
    rows(2000, false, 4200);
    rows(3000, false, 5100);
    rows(3500, true, 5150);
    expect(lines).toEqual([
      'query q QUEUED: 0 B scanned, 0.0 s',
      'query q RUNNING: 10 B scanned, 0.8 s',
      'query q RUNNING: 3.0 MB scanned, 1.8 s',
      'query q SUCCEEDED: 3.5 MB scanned, 4.0 s',
      '1,000 rows fetched',
      '3,000 rows fetched',
      '3,500 rows fetched, all rows read',
    ]);
  });

  test('says where the rows are read from, every time, with a warning where S3 refused', () => {
    const lines: string[] = [];
    const reporter = new ProgressReporter(
      (line) => lines.push(line),
      () => 0,
    );
    reporter.report({
      event: 'source',
      queryExecutionId: 'q',
      from: 's3',
      location: 's3://b/q.csv',
    });
    reporter.report({
      event: 'source',
      queryExecutionId: 'q',
      from: 's3',
      location: 's3://b/q.csv',
    });
    reporter.report({
      event: 'source',
      queryExecutionId: 'q',
      from: 'pages',
      reason: 'the result fits in its first page',
      denied: false,
    });
    reporter.report({
      event: 'source',
      queryExecutionId: 'q',
      from: 'pages',
      reason: 'S3 refused s3://b/q.csv (AccessDenied: Access Denied)',
      denied: true,
    });
    expect(lines).toEqual([
      'reading rows from s3://b/q.csv',
      'reading rows from s3://b/q.csv',
      'reading rows page by page (GetQueryResults): the result fits in its first page',
      'warning: reading rows page by page (GetQueryResults): S3 refused s3://b/q.csv (AccessDenied: Access Denied)',
    ]);
  });

  test.each([
    [999, '999 B'],
    [1000, '1.0 kB'],
    [10_000_000, '10.0 MB'],
    [1_234_567_890_123, '1.2 TB'],
  ])('formatBytes(%d) is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
