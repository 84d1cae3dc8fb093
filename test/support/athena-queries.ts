import { AthenaClient } from '@aws-sdk/client-athena';
import type { QueryProgress, RunQueryOptions } from '../../lib/catalog/athena/athena-client';

/** runQuery's options in the tests: workgroup ml-foundation, a us-east-1 client, the given clock, retries without jitter, and progress pushed onto `progress`. */
export function testRunQueryOptions(
  clock: { readonly sleep: (ms: number) => Promise<void>; readonly now: () => number },
  progress: QueryProgress[],
): RunQueryOptions {
  return {
    workgroup: 'ml-foundation',
    client: new AthenaClient({ region: 'us-east-1' }),
    sleep: clock.sleep,
    now: clock.now,
    retry: { random: () => 1, baseDelayMs: 10 },
    onProgress: (event) => progress.push(event),
  };
}
