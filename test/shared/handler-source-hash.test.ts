import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { handlerSourceHash, localModuleClosure } from '../../lib/shared/handler-source-hash';

function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hash-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}

describe('handlerSourceHash', () => {
  const files = {
    'package-lock.json': '{"lockfileVersion":3}',
    'lib/a/handler/index.ts':
      "import { x } from './util';\nimport type { T } from '../../shared/types';\nexport const h = x;",
    'lib/a/handler/util.ts': "export { y as x } from '../../shared/y';",
    'lib/shared/types.ts': 'export type T = 1;',
    'lib/shared/y/index.ts': 'export const y = 1;',
    'lib/unrelated.ts': 'export const z = 1;',
  };

  test('follows relative imports and re-exports, and ignores unrelated files', () => {
    const root = project(files);
    const closure = localModuleClosure(path.join(root, 'lib/a/handler/index.ts')).map((file) =>
      path.relative(root, file),
    );
    expect(closure).toEqual([
      'lib/a/handler/index.ts',
      'lib/a/handler/util.ts',
      'lib/shared/types.ts',
      'lib/shared/y/index.ts',
    ]);
  });

  test('changes when an imported file, the lockfile or the settings change, and only then', () => {
    const hashOf = (overrides: Record<string, string>, settings: unknown = { minify: true }) => {
      const root = project({ ...files, ...overrides });
      return handlerSourceHash(path.join(root, 'lib/a/handler/index.ts'), settings);
    };
    const base = hashOf({});
    expect(hashOf({})).toBe(base);
    expect(hashOf({ 'lib/unrelated.ts': 'export const z = 2;' })).toBe(base);
    expect(hashOf({ 'lib/shared/y/index.ts': 'export const y = 2;' })).not.toBe(base);
    expect(hashOf({ 'package-lock.json': '{"lockfileVersion":3,"x":1}' })).not.toBe(base);
    expect(hashOf({}, { minify: false })).not.toBe(base);
  });
});
