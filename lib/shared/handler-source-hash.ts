import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const RELATIVE_IMPORT =
  /(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const cache = new Map<string, string>();

function resolveModule(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  return [base, `${base}.ts`, `${base}.js`, path.join(base, 'index.ts')].find(
    (candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile(),
  );
}

/** The entry file and every project file it imports, directly or not, by relative path. */
export function localModuleClosure(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [path.resolve(entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of fs.readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const resolved = resolveModule(file, match[1] ?? match[2]);
      if (resolved) pending.push(resolved);
    }
  }
  return [...seen].sort();
}

function findLockfile(from: string): string | undefined {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package-lock.json');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * A hash of what a bundled handler is made of: its source closure, the locked package versions
 * and the bundling settings. Used as the asset hash, it lets a repeated synth reuse the bundle
 * already staged in the output directory instead of running esbuild again.
 */
export function handlerSourceHash(entry: string, bundlingSettings: unknown): string {
  const key = `${path.resolve(entry)}\n${JSON.stringify(bundlingSettings)}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const hash = createHash('sha256').update(JSON.stringify(bundlingSettings));
  const lockfile = findLockfile(entry);
  const root = lockfile ? path.dirname(lockfile) : path.dirname(entry);
  for (const file of [...localModuleClosure(entry), ...(lockfile ? [lockfile] : [])]) {
    hash.update(`\0${path.relative(root, file)}\0`).update(fs.readFileSync(file));
  }
  const digest = hash.digest('hex');
  cache.set(key, digest);
  return digest;
}
