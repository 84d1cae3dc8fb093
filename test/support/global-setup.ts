import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One directory per test run for the shared cloud assemblies (see shipped-assemblies.ts). */
export default function globalSetup(): void {
  process.env.ML_FOUNDATION_TEST_RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'shipped-'));
}
