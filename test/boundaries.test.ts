import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The configuration boundary, read from the source: only the composition root (`lib/app.ts`)
 * and `lib/config/` know the whole configuration, each `lib/<domain>/config.ts` holds its own
 * section and nothing that composes the sections, and no module of `lib/` imports itself back.
 */

const ROOT = path.resolve(__dirname, '..');
const LIB = path.join(ROOT, 'lib');

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

const FILES = sourceFiles(LIB);
const relative = (file: string) => path.relative(ROOT, file);

/** The files of `lib/` that `file` imports (type-only imports too), resolved. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)];
  return specifiers.flatMap(([, specifier]) => {
    const target = path.resolve(path.dirname(file), specifier);
    const resolved = [`${target}.ts`, path.join(target, 'index.ts')].find((candidate) =>
      fs.existsSync(candidate),
    );
    return resolved ? [resolved] : [];
  });
}

const IMPORTS = new Map(FILES.map((file) => [file, importsOf(file)]));

describe('the configuration boundary', () => {
  test('the import graph is read: the composition root imports every stack', () => {
    const stacks = FILES.filter((file) => file.endsWith('-stack.ts'));
    expect(stacks.length).toBeGreaterThanOrEqual(7);
    expect(IMPORTS.get(path.join(LIB, 'app.ts'))).toEqual(expect.arrayContaining(stacks));
  });

  test('only lib/app.ts and lib/config/ name the whole configuration', () => {
    const readers = FILES.filter((file) => /\bAppConfig\b/.test(fs.readFileSync(file, 'utf8')));
    expect(
      readers
        .map(relative)
        .filter((file) => file !== 'lib/app.ts' && !file.startsWith('lib/config/')),
    ).toEqual([]);
  });

  test("a domain's config.ts imports nothing that composes or checks the whole configuration", () => {
    const composing = [
      'lib/config/schema.ts',
      'lib/config/cross-checks.ts',
      'lib/config/default-config.ts',
      'lib/config/load-config.ts',
    ];
    const domainConfigs = FILES.filter(
      (file) => path.basename(file) === 'config.ts' && !relative(file).startsWith('lib/config/'),
    );
    expect(domainConfigs.length).toBeGreaterThanOrEqual(7);
    const offending = domainConfigs.flatMap((file) =>
      IMPORTS.get(file)!
        .map(relative)
        .filter((target) => composing.includes(target) || target.startsWith('lib/config/checks/'))
        .map((target) => `${relative(file)} imports ${target}`),
    );
    expect(offending).toEqual([]);
  });

  test('lib/ has no import cycle', () => {
    const cycles: string[] = [];
    const finished = new Set<string>();
    const visit = (file: string, trail: string[]) => {
      for (const target of IMPORTS.get(file) ?? []) {
        const start = trail.indexOf(target);
        if (start >= 0) cycles.push([...trail.slice(start), target].map(relative).join(' -> '));
        else if (!finished.has(target)) visit(target, [...trail, target]);
      }
      finished.add(file);
    };
    for (const file of FILES) if (!finished.has(file)) visit(file, [file]);
    expect(cycles).toEqual([]);
  });
});
