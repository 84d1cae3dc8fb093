import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { temporaryDirectories } from '../support/temporary-directories';

const SCRIPT = path.resolve(__dirname, '../../scripts/diff-offline.sh');

const tempDir = temporaryDirectories();

interface AssemblyShape {
  /** Stacks to include: `Producer` exports a bucket name, `Consumer` imports it. */
  readonly stacks: ReadonlyArray<'Producer' | 'Consumer' | 'Extra' | 'Added'>;
  /** Changes the consumer's parameter. */
  readonly changeConsumer?: boolean;
}

/** Synthesizes a small cloud assembly into `<dir>/cdk.out` and returns `dir`. */
function assembly(shape: AssemblyShape): string {
  const dir = tempDir('diff-offline-');
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const producer = new Stack(app, 'Producer');
  const bucket = new s3.Bucket(producer, 'Bucket');
  if (shape.stacks.includes('Consumer')) {
    // A cross-stack reference: selecting Consumer selects Producer too, unless --exclusively.
    const consumer = new Stack(app, 'Consumer');
    new ssm.StringParameter(consumer, 'BucketName', {
      stringValue: shape.changeConsumer ? `changed-${bucket.bucketName}` : bucket.bucketName,
    });
  }
  for (const id of ['Extra', 'Added'] as const) {
    if (shape.stacks.includes(id)) {
      new ssm.StringParameter(new Stack(app, id), 'Name', { stringValue: id });
    }
  }
  app.synth();
  return dir;
}

function diffOffline(cwd: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('bash', [SCRIPT, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The script's final summary: the lines from "Summary:" on. */
function summary(output: string): string {
  return output.slice(output.lastIndexOf('Summary:'));
}

describe('scripts/diff-offline.sh', () => {
  const base = path.join(assembly({ stacks: ['Producer', 'Consumer', 'Extra'] }), 'cdk.out');

  test('identical assemblies: every stack diffs, none differs, exit 0 even with --fail', () => {
    const { status, output } = diffOffline(
      assembly({ stacks: ['Producer', 'Consumer', 'Extra'] }),
      [base, '--fail'],
    );
    expect(output).not.toContain('Can only select one stack');
    for (const stack of ['Producer', 'Consumer', 'Extra']) {
      expect(output).toContain(`### ${stack}\n`);
    }
    expect(output.match(/Number of stacks with differences: 0/g)).toHaveLength(3);
    expect(summary(output)).toBe('Summary: 0 changed, 0 new, 0 removed, 0 failed.\n');
    expect(status).toBe(0);
  });

  test('with --fail, a changed, an added and a removed stack fail and are named', () => {
    const { status, output } = diffOffline(
      assembly({ stacks: ['Producer', 'Consumer', 'Added'], changeConsumer: true }),
      [base, '--fail'],
    );
    expect(output).toMatch(/### Added\n\(new stack: absent from .*\)/);
    expect(output).toMatch(/### Extra\n\(removed stack: in .*, absent from cdk.out\)/);
    expect(summary(output)).toBe(
      [
        'Summary: 1 changed, 1 new, 1 removed, 0 failed.',
        '  changed: Consumer',
        '  new: Added',
        '  removed: Extra',
        '',
      ].join('\n'),
    );
    expect(status).toBe(1);
  });

  test('a failing cdk CLI is reported as failed, not as a difference, with or without --fail', () => {
    const dir = tempDir('diff-offline-cli-');
    const fakeCli = path.join(dir, 'cdk');
    // Prints what a successful diff prints, then fails as the CLI does on an error.
    fs.writeFileSync(
      fakeCli,
      '#!/bin/sh\necho "Number of stacks with differences: 0"; echo "boom" >&2; exit 1\n',
      { mode: 0o755 },
    );
    const cwd = path.dirname(base);
    for (const args of [[base], [base, '--fail']]) {
      const { status, output } = diffOffline(cwd, args, { CDK_CLI: fakeCli });
      expect(output).toContain('boom');
      expect(summary(output)).toContain('3 failed');
      expect(summary(output)).toContain('  failed: Consumer Extra Producer');
      expect(status).toBe(2);
    }
  });

  test('refuses a base directory that is not a cloud assembly', () => {
    const { status, output } = diffOffline(path.dirname(base), [
      tempDir('not-an-assembly-'),
      '--fail',
    ]);
    expect(output).toContain('no cloud assembly at');
    expect(status).toBe(2);
  });
});
