import { createHash } from 'node:crypto';

/**
 * SHA-256 of the JSON of the banking sample's 4,000 rows (seed 20240601). A change to the
 * generator that changes any row changes this digest: deliberate changes update it here.
 */
export const BANKING_SAMPLE_DIGEST =
  'feec0b50095a0a0fa5d8a0776de82866f58818d8be2059daece89cf41aefa494';

/** The digest of rows, as JSON in their key order. */
export function digestOf(rows: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}
