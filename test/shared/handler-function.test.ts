import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import { HandlerFunction } from '../../lib/shared/handler-function';
import { temporaryDirectories } from '../support/temporary-directories';

const PROJECT_ROOT = path.resolve(__dirname, '../..');
/** The handler with the smallest entry file and the smallest bundle (see `npm run bench:synth`). */
const ENTRY = 'lib/governance/handler/index.ts';
const RELATIVE_SOURCE_MAPS = path.join(PROJECT_ROOT, 'scripts/relative-source-maps.mjs');

const tempDir = temporaryDirectories();

/** The project files that esbuild bundles for `entry` (packages left out), relative to the root. */
function localImportClosure(entry: string): string[] {
  const { metafile } = buildSync({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    packages: 'external',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  return Object.keys(metafile.inputs);
}

/** A copy of what the bundle of ENTRY needs, in another directory, with a linked node_modules. */
function copyOfProject(): string {
  const root = path.join(tempDir('handler-checkout-'), 'project');
  for (const file of [
    ...localImportClosure(ENTRY),
    'package.json',
    'package-lock.json',
    'tsconfig.json',
  ]) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(root, file));
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

interface Bundle {
  readonly assetHash: string;
  readonly directory: string;
}

/**
 * Bundles ENTRY of the project at `projectRoot` through a HandlerFunction, synthesized into
 * `outdir`, from that project's directory (where NodejsFunction looks for the lock file).
 */
function bundle(projectRoot: string, outdir: string): Bundle {
  const previousDir = process.cwd();
  process.chdir(projectRoot);
  try {
    const app = new App({ outdir });
    new HandlerFunction(new Stack(app, 'Handler'), 'Handler', {
      entry: path.join(projectRoot, ENTRY),
      handler: 'onEvent',
      description: 'Bundled by the test',
    });
    const directory = app.synth().directory;
    const manifest = JSON.parse(
      fs.readFileSync(path.join(directory, 'Handler.assets.json'), 'utf8'),
    ) as { files: Record<string, { source: { path: string; packaging?: string } }> };
    const zipped = Object.entries(manifest.files).filter(
      ([, { source }]) => source.packaging === 'zip',
    );
    expect(zipped).toHaveLength(1);
    const [[assetHash, { source }]] = zipped;
    return { assetHash, directory: path.join(directory, source.path) };
  } finally {
    process.chdir(previousDir);
  }
}

describe('HandlerFunction bundles', () => {
  let here: Bundle;
  beforeAll(() => {
    here = bundle(PROJECT_ROOT, tempDir('handler-out-'));
  });

  test('have the same asset hash from another output folder and from another checkout', () => {
    const elsewhere = path.join(tempDir('handler-out-'), 'deeper', 'cdk.out');
    expect(bundle(PROJECT_ROOT, elsewhere).assetHash).toBe(here.assetHash);
    expect(bundle(copyOfProject(), tempDir('handler-out-')).assetHash).toBe(here.assetHash);
  });

  test("change their asset hash when the handler's code changes", () => {
    const copy = copyOfProject();
    fs.appendFileSync(path.join(copy, ENTRY), "\nconsole.log('changed');\n");
    expect(bundle(copy, tempDir('handler-out-')).assetHash).not.toBe(here.assetHash);
  });

  test('have source maps with project-relative sources only', () => {
    const indexJs = fs.readFileSync(path.join(here.directory, 'index.js'), 'utf8');
    expect(indexJs).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    const { sources } = JSON.parse(
      fs.readFileSync(path.join(here.directory, 'index.js.map'), 'utf8'),
    ) as { sources: string[] };
    expect(sources).toContain(ENTRY);
    expect(sources).toContain('lib/shared/handler/retry.ts');
    for (const source of sources) {
      expect(path.isAbsolute(source)).toBe(false);
      expect(source.split('/')).not.toContain('..');
      expect(source).toMatch(/^(lib|node_modules)\//);
    }
  });
});

describe('scripts/relative-source-maps.mjs', () => {
  /** A project whose node_modules links to a directory elsewhere, as in a git worktree. */
  function projectWithMap(sources: string[]) {
    const root = tempDir('relative-maps-');
    const modules = path.join(root, 'shared-checkout', 'node_modules');
    fs.mkdirSync(path.join(modules, 'pkg'), { recursive: true });
    fs.writeFileSync(path.join(modules, 'pkg', 'index.js'), '');
    const project = path.join(root, 'project');
    fs.mkdirSync(path.join(project, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(project, 'lib', 'a.ts'), '');
    fs.symlinkSync(modules, path.join(project, 'node_modules'));
    const bundleDir = path.join(root, 'elsewhere', 'cdk.out', 'bundle');
    fs.mkdirSync(bundleDir, { recursive: true });
    fs.writeFileSync(path.join(bundleDir, 'index.js.map'), JSON.stringify({ version: 3, sources }));
    const run = () =>
      spawnSync('node', [RELATIVE_SOURCE_MAPS, project, bundleDir], { encoding: 'utf8' });
    const map = () => JSON.parse(fs.readFileSync(path.join(bundleDir, 'index.js.map'), 'utf8'));
    return { run, map };
  }

  test('rewrites project files and the real paths of linked node_modules', () => {
    const { run, map } = projectWithMap([
      '../../../project/lib/a.ts',
      '../../../shared-checkout/node_modules/pkg/index.js',
    ]);
    expect(run().status).toBe(0);
    expect(map()).toEqual({ version: 3, sources: ['lib/a.ts', 'node_modules/pkg/index.js'] });
  });

  test('fails on a source outside the project and its node_modules', () => {
    const { run } = projectWithMap(['../../../shared-checkout/other.ts']);
    const result = run();
    expect(result.stderr).toContain('is outside');
    expect(result.status).not.toBe(0);
  });
});
