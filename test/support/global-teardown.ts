import * as fs from 'node:fs';

/** Removes the run's shared cloud assemblies. */
export default function globalTeardown(): void {
  const directory = process.env.ML_FOUNDATION_TEST_RUN_DIR;
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
}
