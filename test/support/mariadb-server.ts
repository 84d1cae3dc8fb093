import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';

/**
 * A throwaway MariaDB server for tests: a fresh data directory in a temporary folder, reachable
 * only through a unix socket (no port to collide with), stopped and deleted by `stop()`. It needs
 * the binaries of Debian's `mariadb-server` package and nothing already running.
 */
export interface MariaDbServer {
  /** The server's unix socket; connect as `root` without a password. */
  readonly socketPath: string;
  /** Opens a connection as root. */
  connect(): Promise<Connection>;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

const SEARCH_PATH = [
  ...(process.env.PATH ?? '').split(path.delimiter),
  '/usr/sbin',
  '/usr/local/sbin',
  '/usr/bin',
];

function findBinary(name: string): string | undefined {
  return SEARCH_PATH.map((directory) => path.join(directory, name)).find((candidate) => {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * MySQL 8.4's default sql_mode (MySQL 8.4 Reference Manual, "Server SQL Modes"), stricter than
 * MariaDB's, so that a statement the test server accepts is not one that only a lax mode lets by.
 */
const MYSQL_84_SQL_MODE =
  'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

/** Small InnoDB files and no asynchronous I/O, which some containers refuse: a quick start. */
const SMALL_SERVER = [
  '--innodb-buffer-pool-size=16M',
  '--innodb-log-file-size=4M',
  '--innodb-data-file-path=ibdata1:4M:autoextend',
  '--innodb-use-native-aio=0',
];

const STARTUP_TIMEOUT_MS = 30_000;

/** Starts a MariaDB server; fails with the package to install when the binaries are missing. */
export async function startMariaDb(): Promise<MariaDbServer> {
  const mariadbd = findBinary('mariadbd');
  const installDb = findBinary('mariadb-install-db');
  if (!mariadbd || !installDb) {
    throw new Error(
      "The MySQL-compatible test server needs Debian's mariadb-server package (mariadbd and mariadb-install-db were not found on PATH, /usr/sbin or /usr/bin): apt-get install -y mariadb-server",
    );
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'mariadb-'));
  const dataDir = path.join(directory, 'data');
  const socketPath = path.join(directory, 'mysqld.sock');
  const errorLog = path.join(directory, 'error.log');
  // mariadbd refuses to run as root unless told to.
  const asUser = process.getuid?.() === 0 ? ['--user=root'] : [];

  try {
    await promisify(execFile)(installDb, [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...asUser,
      ...SMALL_SERVER,
    ]);
  } catch (error) {
    fs.rmSync(directory, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed: ${String(error)}`);
  }

  const server = spawn(
    mariadbd,
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socketPath}`,
      '--skip-networking',
      `--pid-file=${path.join(directory, 'mariadbd.pid')}`,
      `--log-error=${errorLog}`,
      `--sql-mode=${MYSQL_84_SQL_MODE}`,
      ...asUser,
      ...SMALL_SERVER,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  const killOnExit = () => server.kill('SIGKILL');
  process.once('exit', killOnExit);

  const connect = () => createConnection({ socketPath, user: 'root', dateStrings: true });
  const errorLogTail = () =>
    fs.existsSync(errorLog)
      ? fs.readFileSync(errorLog, 'utf8').split('\n').slice(-15).join('\n')
      : '';

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopProcess(server, exited);
    fs.rmSync(directory, { recursive: true, force: true });
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let running = true;
  void exited.then(() => (running = false));
  for (;;) {
    try {
      const probe = await connect();
      await probe.end();
      return { socketPath, connect, stop };
    } catch (error) {
      if (!running || Date.now() > deadline) {
        const log = errorLogTail();
        await stop();
        throw new Error(
          `mariadbd did not accept connections (${running ? 'timed out' : 'it exited'}): ${String(error)}\n${log}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function stopProcess(server: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  server.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), 20_000).unref(),
  );
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    server.kill('SIGKILL');
    await exited;
  }
}
