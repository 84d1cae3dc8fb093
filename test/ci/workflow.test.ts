import * as fs from 'node:fs';
import * as path from 'node:path';

// js-yaml is no dependency of this project: it comes with eslint (@eslint/eslintrc), without type
// declarations, hence the typed require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { load } = require('js-yaml') as { load(text: string): unknown };

const ROOT = path.resolve(__dirname, '../..');
const WORKFLOW_FILE = path.join(ROOT, '.github/workflows/pull-request.yml');

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly permissions?: Record<string, string>;
  readonly defaults?: { run?: { shell?: string } };
  readonly steps: Step[];
}
interface Workflow {
  readonly permissions?: Record<string, string> | string;
  readonly defaults?: { run?: { shell?: string } };
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const workflow = load(fs.readFileSync(WORKFLOW_FILE, 'utf8')) as Workflow;
const jobs = Object.entries(workflow.jobs);
const steps = jobs.flatMap(([id, job]) => job.steps.map((step) => ({ id, job, step })));
const runSteps = steps.filter(({ step }) => step.run !== undefined);
const usesAction = (step: Step, action: string) => step.uses?.split('@')[0] === action;
const configuresAws = (job: Job) =>
  job.steps.some((step) => usesAction(step, 'aws-actions/configure-aws-credentials'));
/** Index of the first step of `job` whose `run` matches `pattern`, or -1. */
const stepRunning = (job: Job, pattern: RegExp) =>
  job.steps.findIndex((step) => pattern.test(step.run ?? ''));

describe('the pull-request workflow', () => {
  test('grants id-token: write only to the job that configures AWS credentials', () => {
    expect(typeof workflow.permissions).toBe('object');
    expect(workflow.permissions).not.toHaveProperty('id-token');
    const withRole = jobs.filter(([, job]) => configuresAws(job)).map(([id]) => id);
    const withToken = jobs.filter(([, job]) => job.permissions?.['id-token'] !== undefined);
    expect(withRole).toEqual(['diff-deployed']);
    expect(withToken.map(([id]) => id)).toEqual(withRole);
    expect(withToken[0][1].permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  test('installs without install scripts, then assumes the role, then synthesizes and diffs', () => {
    const job = workflow.jobs['diff-deployed'];
    const install = stepRunning(job, /\bnpm ci\b/);
    const credentials = job.steps.findIndex((step) =>
      usesAction(step, 'aws-actions/configure-aws-credentials'),
    );
    const synth = stepRunning(job, /\bcdk synth\b/);
    const diff = stepRunning(job, /\bcdk diff\b/);
    expect(job.steps[install].run).toMatch(/\bnpm ci --ignore-scripts\b/);
    expect(job.steps.filter((step) => /\bnpm\b/.test(step.run ?? ''))).toHaveLength(1);
    expect(install).toBeLessThan(credentials);
    expect(credentials).toBeLessThan(synth);
    expect(synth).toBeLessThan(diff);
    expect(job.steps[credentials].with).toEqual({
      'role-to-assume': '${{ vars.CDK_DIFF_ROLE_ARN }}',
      'aws-region': '${{ vars.AWS_REGION }}',
    });
  });

  test('synthesizes the configuration named by a repository variable, with validation', () => {
    expect(workflow.env?.CDK_CONFIG).toBe('${{ vars.CDK_CONFIG }}');
    const synths = runSteps.filter(({ step }) => /\bcdk synth\b/.test(step.run!));
    // The pull request's synth in both diff jobs, and the base branch's.
    expect(synths).toHaveLength(3);
    for (const { step } of synths) {
      expect(step.run).toContain('-c config="$CDK_CONFIG"');
      expect(step.env?.CDK_VALIDATION).toBe('true');
    }
  });

  test('diffs against the deployed stacks without a change set, so the lookup role is enough', () => {
    const diffs = runSteps.filter(({ step }) => /\bcdk diff\b/.test(step.run!));
    expect(diffs.map(({ id }) => id)).toEqual(['diff-deployed']);
    for (const { step } of diffs) expect(step.run).toMatch(/ --method=template\b/);
  });

  test('diffs offline against the base branch, installed with npm ci, where no role is set', () => {
    const job = workflow.jobs['diff-base'];
    expect(configuresAws(job)).toBe(false);
    const baseSynth = job.steps[stepRunning(job, /git worktree add/)].run!;
    expect(baseSynth).toMatch(/\bnpm ci\b[^]*\bcdk synth\b/);
    expect(job.steps[stepRunning(job, /diff-offline\.sh/)].run).toMatch(
      /scripts\/diff-offline\.sh "\$RUNNER_TEMP\/base-cdk\.out"/,
    );
  });

  test('fails a step whose piped command fails: every run step with a pipe has pipefail', () => {
    const piped = runSteps.filter(({ step }) => /(^|[^|])\|([^|]|$)/m.test(step.run!));
    expect(piped.length).toBeGreaterThanOrEqual(2);
    for (const { job, step } of piped) {
      const shell = step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell;
      // GitHub runs `bash` as `bash --noprofile --norc -eo pipefail {0}`; a custom shell line
      // or the default `bash -e {0}` needs the script to set pipefail itself.
      const pipefail = shell === 'bash' || /\bset -[a-z]*o pipefail\b/.test(step.run!);
      expect({ step: step.name ?? step.run, pipefail }).toEqual({
        step: step.name ?? step.run,
        pipefail: true,
      });
    }
  });

  test('runs Node 22 or 24 in every job', () => {
    const setups = steps.filter(({ step }) => usesAction(step, 'actions/setup-node'));
    expect(setups.map(({ id }) => id)).toEqual(jobs.map(([id]) => id));
    for (const { step } of setups) expect([22, 24]).toContain(Number(step.with?.['node-version']));
  });

  test('installs with npm ci everywhere, .ci/run included', () => {
    expect(
      runSteps.map(({ step }) => step.run).filter((run) => /\bnpm ci\b/.test(run!)),
    ).not.toEqual([]);
    const ciRun = fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
    expect(runSteps.some(({ step }) => step.run === 'bash .ci/run')).toBe(true);
    expect(ciRun).toMatch(/^npm ci\b/m);
    for (const script of [...runSteps.map(({ step }) => step.run!), ciRun]) {
      expect(script).not.toMatch(/\bnpm (install|i|add)\b/);
    }
  });
});
