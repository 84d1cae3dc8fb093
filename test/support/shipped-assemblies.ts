import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Environment } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { buildFoundation } from '../../lib/app';
import { parseConfig } from '../../lib/config/load-config';
import { ControlTowerRules } from '../../lib/shared/control-tower-rules';
import type { Json } from './template-resources';
import type { NagFinding } from './test-app';
import { createTestApp, TEST_ACCOUNT, validationFindings } from './test-app';

/**
 * The configurations the repository ships, synthesized the way users run them: once
 * environment-agnostic (offline `cdk synth`) and once per concrete environment (`cdk deploy` and
 * `cdk diff` with credentials, where the CLI knows the account and region). Each combination is
 * synthesized once per test run, with cdk-nag, aws-cdk-lib's CloudFormation validation and the
 * Control Tower rules, and shared between the suites that read it.
 */

const ROOT = path.resolve(__dirname, '../..');
const readJson = (file: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

/** The shipped configurations by the name a user knows them by. */
export const SHIPPED_CONFIGURATIONS: Readonly<Record<string, unknown>> = {
  'built-in default': {},
  'config/new-account.json': readJson('config/new-account.json'),
  'config/example-existing-account.json': readJson('config/example-existing-account.json'),
  // No shipped configuration declares a snapshot; this one runs the same checks on a stack of them.
  'test: training snapshots': readJson('test/snapshots/fixtures/snapshots.json'),
};

export { TEST_ACCOUNT };

/** Where a synth runs: nowhere in particular, or an account and region the CLI knows. */
export interface TestEnvironment {
  readonly name: string;
  readonly env?: Required<Pick<Environment, 'account' | 'region'>>;
}

const agnostic: TestEnvironment = { name: 'environment-agnostic' };
const inRegion = (region: string): TestEnvironment => ({
  name: region,
  env: { account: TEST_ACCOUNT, region },
});

/** Every shipped configuration in every environment the tests synthesize it in. */
export const SHIPPED_MATRIX: ReadonlyArray<{
  readonly configuration: string;
  readonly environment: TestEnvironment;
}> = [
  ...Object.keys(SHIPPED_CONFIGURATIONS)
    .filter((configuration) => !configuration.startsWith('test:'))
    .flatMap((configuration) =>
      [agnostic, inRegion('eu-west-1'), inRegion('us-east-1')].map((environment) => ({
        configuration,
        environment,
      })),
    ),
  // The snapshots stack, which no shipped configuration deploys.
  { configuration: 'test: training snapshots', environment: inRegion('eu-west-1') },
  // An account opened today, in a Region without Amazon ML or the Lookout for Vision EdgeAgent.
  { configuration: 'config/new-account.json', environment: inRegion('ap-southeast-2') },
];

/** The availability zones that `cdk deploy` would look up, given as context instead. */
function availabilityZoneContext(environment: TestEnvironment): Record<string, string[]> {
  if (!environment.env) return {};
  const { account, region } = environment.env;
  return {
    [`availability-zones:account=${account}:region=${region}`]: ['a', 'b', 'c'].map(
      (zone) => `${region}${zone}`,
    ),
  };
}

/** A synthesized shipped configuration. */
export interface ShippedAssembly {
  /** The cloud assembly directory. */
  readonly directory: string;
  /** The templates, by stack id (`Storage`, `Sources`, ...). */
  readonly templates: Readonly<Record<string, Json>>;
  /** Every unacknowledged finding of every validation plugin. */
  readonly findings: readonly NagFinding[];
}

function slug(text: string): string {
  return text.replace(/[^a-zA-Z0-9.-]+/g, '_');
}

function runDirectory(): string {
  const shared = process.env.ML_FOUNDATION_TEST_RUN_DIR;
  if (shared) {
    fs.mkdirSync(shared, { recursive: true });
    return shared;
  }
  process.env.ML_FOUNDATION_TEST_RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'shipped-'));
  return process.env.ML_FOUNDATION_TEST_RUN_DIR;
}

function synthesize(configuration: string, environment: TestEnvironment, directory: string): void {
  const app = createTestApp({
    outdir: directory,
    // One synth of the run bundles every handler for real; the templates do not depend on it.
    bundle: configuration === 'built-in default' && !environment.env,
    nag: true,
    validate: true,
    context: availabilityZoneContext(environment),
  });
  // Templates that two configurations or environments share are checked once per run.
  Validations.of(app).addPlugins(
    new ControlTowerRules({ cacheDirectory: path.join(runDirectory(), 'control-tower') }),
  );
  buildFoundation(
    app,
    parseConfig(SHIPPED_CONFIGURATIONS[configuration], configuration),
    environment.env,
  );
  app.synth();
}

function readAssembly(directory: string): ShippedAssembly {
  const templates: Record<string, Json> = {};
  for (const file of fs.readdirSync(directory)) {
    if (file.endsWith('.template.json')) {
      templates[file.replace(/\.template\.json$/, '')] = JSON.parse(
        fs.readFileSync(path.join(directory, file), 'utf8'),
      );
    }
  }
  return { directory, templates, findings: validationFindings(directory) };
}

/** The process that holds `lock`, once it has written its id. */
function lockHolder(lock: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Where a matrix entry's assembly is written, and the marks of its synthesis. */
function assemblyPaths(configuration: string, environment: TestEnvironment) {
  if (!(configuration in SHIPPED_CONFIGURATIONS)) {
    throw new Error(`"${configuration}" is not a shipped configuration`);
  }
  const directory = path.join(runDirectory(), `${slug(configuration)}--${environment.name}`);
  return { directory, done: `${directory}.done`, lock: `${directory}.lock` };
}

/**
 * Synthesizes the entry unless it is done or another test process is synthesizing it; returns
 * whether it is done now. A lock left by a process that died is removed.
 */
function synthesizeUnlessBusy(configuration: string, environment: TestEnvironment): boolean {
  const { directory, done, lock } = assemblyPaths(configuration, environment);
  if (fs.existsSync(done)) return true;
  try {
    fs.mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = lockHolder(lock);
    if (holder !== undefined && !processAlive(holder)) {
      fs.rmSync(lock, { recursive: true, force: true });
    }
    return false;
  }
  try {
    fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
    if (!fs.existsSync(done)) {
      fs.rmSync(directory, { recursive: true, force: true });
      synthesize(configuration, environment, directory);
      fs.writeFileSync(done, '');
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
  return true;
}

/**
 * The cloud assembly of a shipped configuration in an environment, synthesized by the first
 * test file that asks for it in this run; the others wait for it and read it. Before it waits,
 * it synthesizes every other entry of the matrix that no test process has taken yet, so that
 * the test processes share the synthesis of the whole matrix.
 */
export async function shippedAssembly(
  configuration: string,
  environment: TestEnvironment,
): Promise<ShippedAssembly> {
  const { directory } = assemblyPaths(configuration, environment);
  for (const started = Date.now(); !synthesizeUnlessBusy(configuration, environment);) {
    const idle = SHIPPED_MATRIX.find(
      (entry) =>
        !fs.existsSync(assemblyPaths(entry.configuration, entry.environment).done) &&
        !fs.existsSync(assemblyPaths(entry.configuration, entry.environment).lock),
    );
    if (idle) {
      synthesizeUnlessBusy(idle.configuration, idle.environment);
      continue;
    }
    if (Date.now() - started > 300_000) throw new Error(`timed out waiting for ${directory}`);
    await sleep(200);
  }
  return readAssembly(directory);
}

/** Declares a describe block per entry of the shipped matrix, named by its configuration and environment, whose tests read the entry's assembly through `assembly()`. */
export function describeShippedMatrix(
  tests: (entry: {
    readonly configuration: string;
    readonly environment: TestEnvironment;
    readonly assembly: () => ShippedAssembly;
  }) => void,
): void {
  describe.each(SHIPPED_MATRIX)(
    '$configuration, $environment.name',
    ({ configuration, environment }) => {
      let assembly: ShippedAssembly | undefined;
      beforeAll(async () => {
        assembly = await shippedAssembly(configuration, environment);
      });
      const synthesized = () => {
        if (!assembly) throw new Error(`${configuration}, ${environment.name} was not synthesized`);
        return assembly;
      };
      tests({ configuration, environment, assembly: synthesized });
    },
  );
}
