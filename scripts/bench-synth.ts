/**
 * Compares the synth time of the whole app with that of a one-bucket CDK app, both through the
 * CDK CLI with the same runner (tsx), interleaved in one run so that machine noise hits both.
 * Each app synthesizes into its own output directory, which is kept between runs as cdk.out is.
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

const apps = {
  'one-bucket app': {
    app: 'npx tsx scripts/bench/one-bucket-app.ts',
    outdir: path.join(workDir, 'one-bucket'),
  },
  'full app': { app: 'npx tsx bin/app.ts', outdir: path.join(workDir, 'full') },
};

function synthSeconds(app: string, outdir: string): number {
  const started = process.hrtime.bigint();
  execFileSync(CDK, ['synth', '--quiet', '--app', app, '--output', outdir], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const samples: Record<string, number[]> = Object.fromEntries(
  Object.keys(apps).map((name) => [name, []]),
);
for (const { app, outdir } of Object.values(apps)) synthSeconds(app, outdir); // warm-up
for (let run = 0; run < RUNS; run++) {
  for (const [name, { app, outdir }] of Object.entries(apps))
    samples[name].push(synthSeconds(app, outdir));
}

const baseline = median(samples['one-bucket app']);
const full = median(samples['full app']);
for (const [name, values] of Object.entries(samples)) {
  console.log(
    `${name.padEnd(15)} median ${median(values).toFixed(2)} s  (runs: ${values.map((v) => v.toFixed(2)).join(', ')})`,
  );
}
console.log(`ratio full/one-bucket: ${(full / baseline).toFixed(2)}`);
fs.rmSync(workDir, { recursive: true, force: true });
