/**
 * Compares the synth time of the whole app with that of a one-bucket CDK app, both through the
 * CDK CLI with the same runner (tsx), interleaved in one run so that machine noise hits both.
 * Each app synthesizes into its own output directory, kept between runs as cdk.out is. Then prints
 * the size of every bundled handler (its staged index.js), so that growth shows in review.
 *
 *   npx tsx scripts/bench-synth.ts [runs]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.argv[2] ?? 5);
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));

interface BenchedApp {
  readonly app: string;
  readonly outdir: string;
  readonly env?: Record<string, string>;
}

const apps: Record<string, BenchedApp> = {
  'one-bucket app': {
    app: 'npx tsx scripts/bench/one-bucket-app.ts',
    outdir: path.join(workDir, 'one-bucket'),
  },
  'full app': { app: 'npx tsx bin/app.ts', outdir: path.join(workDir, 'full') },
  // With aws-cdk-lib's built-in CloudFormation validation, which the one-bucket app runs by
  // default and the full app runs in its tests and in CI.
  'full app, CDK_VALIDATION=true': {
    app: 'npx tsx bin/app.ts',
    outdir: path.join(workDir, 'full-validated'),
    env: { CDK_VALIDATION: 'true' },
  },
};

function synthSeconds({ app, outdir, env = {} }: BenchedApp): number {
  const started = process.hrtime.bigint();
  execFileSync(CDK, ['synth', '--quiet', '--app', app, '--output', outdir], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const samples = new Map<string, number[]>(Object.keys(apps).map((name) => [name, []]));
for (const app of Object.values(apps)) synthSeconds(app); // warm-up: bundles, caches
for (let run = 0; run < RUNS; run++) {
  for (const [name, app] of Object.entries(apps)) samples.get(name)!.push(synthSeconds(app));
}

const baseline = median(samples.get('one-bucket app')!);
for (const [name, values] of samples) {
  const runs = values.map((value) => value.toFixed(2)).join(', ');
  console.log(`${name.padEnd(30)} median ${median(values).toFixed(2)} s  (runs: ${runs})`);
}
for (const name of ['full app', 'full app, CDK_VALIDATION=true']) {
  const ratio = median(samples.get(name)!) / baseline;
  console.log(`ratio ${name} / one-bucket app: ${ratio.toFixed(2)}`);
}

/**
 * The handler bundles of an assembly: the entry (the first project file in the source map; esbuild
 * writes the entry's CommonJS exports first) and the size of the bundle's index.js.
 */
function handlerBundles(outdir: string): { entry: string; kilobytes: number }[] {
  return fs
    .readdirSync(outdir)
    .map((name) => path.join(outdir, name))
    .filter((dir) => fs.existsSync(path.join(dir, 'index.js.map')))
    .map((dir) => {
      const { sources } = JSON.parse(fs.readFileSync(path.join(dir, 'index.js.map'), 'utf8')) as {
        sources: string[];
      };
      const entry = sources.find((source) => !source.startsWith('node_modules/')) ?? dir;
      return { entry, kilobytes: fs.statSync(path.join(dir, 'index.js')).size / 1024 };
    })
    .sort((a, b) => a.entry.localeCompare(b.entry));
}

console.log('handler bundles of the full app (index.js):');
for (const { entry, kilobytes } of handlerBundles(apps['full app'].outdir)) {
  console.log(`  ${entry.padEnd(50)} ${kilobytes.toFixed(0).padStart(6)} KB`);
}
fs.rmSync(workDir, { recursive: true, force: true });
