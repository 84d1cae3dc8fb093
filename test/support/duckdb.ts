import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from '@duckdb/node-api';

/** An in-memory DuckDB connection and a scratch directory, open while a test file's tests run. */
export interface TestDuckDb {
  /** The connection; read it inside a test or a hook. */
  readonly connection: DuckDBConnection;
  /** The scratch directory; read it inside a test or a hook. */
  readonly scratch: string;
}

/** Opens an in-memory DuckDB and a scratch directory before a test file's tests and closes and removes them after; call it at the top of the file. */
export function duckdbForTests(scratchPrefix: string): TestDuckDb {
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  let scratch: string | undefined;
  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), scratchPrefix));
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test DuckDB is open only in tests and hooks');
    return value;
  };
  return {
    get connection() {
      return opened(connection);
    },
    get scratch() {
      return opened(scratch);
    },
  };
}
