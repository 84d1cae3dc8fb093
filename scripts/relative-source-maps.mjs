// Rewrites the `sources` of the source maps in a bundle directory to paths relative to the project
// root (`lib/…`, `node_modules/…`). esbuild writes them relative to the output file, which lives in
// the cloud assembly, so the bundle and its asset hash would depend on where the checkout and the
// assembly are. Run by HandlerFunction after esbuild, as NodejsFunction's afterBundling hook:
//   node scripts/relative-source-maps.mjs <project root> <bundle directory>
// Fails when a source lies outside the project and its node_modules, rather than keep that path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import process from 'node:process';

const [projectRoot, bundleDir] = process.argv.slice(2);
if (!projectRoot || !bundleDir) {
  process.stderr.write(
    'usage: node scripts/relative-source-maps.mjs <project root> <bundle directory>\n',
  );
  process.exit(2);
}

const realOrSelf = (file) => (fs.existsSync(file) ? fs.realpathSync(file) : path.resolve(file));
// node_modules may be a symbolic link (a git worktree sharing another checkout's), and esbuild
// reports the real paths of the modules it loads.
const roots = [
  { dir: realOrSelf(path.join(projectRoot, 'node_modules')), prefix: 'node_modules' },
  { dir: realOrSelf(projectRoot), prefix: '' },
  { dir: path.resolve(projectRoot), prefix: '' },
];

/** `file` relative to `dir` when `file` is inside it, else undefined. */
function inside(dir, file) {
  const relative = path.relative(dir, file);
  const escapes = relative === '..' || relative.startsWith(`..${path.sep}`);
  return escapes || path.isAbsolute(relative) ? undefined : relative;
}

function projectPath(mapFile, source) {
  const mapDir = path.dirname(mapFile);
  const candidates = [path.resolve(mapDir, source), path.resolve(fs.realpathSync(mapDir), source)];
  const absolute = candidates.map(realOrSelf).find((file) => fs.existsSync(file)) ?? candidates[0];
  for (const { dir, prefix } of roots) {
    const relative = inside(dir, absolute);
    if (relative !== undefined) return path.join(prefix, relative).split(path.sep).join('/');
  }
  throw new Error(`${mapFile}: source ${source} is outside ${projectRoot} and its node_modules`);
}

for (const name of fs.readdirSync(bundleDir).sort()) {
  if (!name.endsWith('.map')) continue;
  const mapFile = path.join(bundleDir, name);
  const map = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
  map.sources = map.sources.map((source) => projectPath(mapFile, source));
  delete map.sourceRoot;
  fs.writeFileSync(mapFile, JSON.stringify(map));
}
