import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { configReferenceMarkdown, referenceIn } from '../scripts/config-reference';

/**
 * The README, checked against the real app: every stack a `cdk` command in it names is a stack
 * of the built-in default configuration as the CDK CLI lists it, every `config/*.json` it names
 * exists, every `npm run` script it names is in package.json, and its configuration reference
 * is the one the schema generates.
 */

const ROOT = resolve(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The `cdk` subcommands whose arguments are stack selectors. */
const STACK_COMMANDS = ['deploy', 'diff', 'destroy', 'synth', 'synthesize', 'ls', 'list'];

/** CDK CLI options of those subcommands that take a value as the next argument. */
const OPTIONS_WITH_VALUE = new Set([
  '-a',
  '--app',
  '-c',
  '--context',
  '-o',
  '--output',
  '-O',
  '--outputs-file',
  '--profile',
  '-r',
  '--role-arn',
  '--concurrency',
  '--require-approval',
  '--method',
  '--change-set-name',
  '--toolkit-stack-name',
  '--template',
  '--parameters',
]);

/** The text of every code span and fenced code block, with shell line continuations joined. */
function codeOf(markdown: string): string[] {
  const fenced = [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((match) => match[1]);
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
  const inline = [...prose.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]);
  return [...fenced, ...inline].map((code) => code.replace(/\\\n\s*/g, ' '));
}

/** A `cdk` command the README names, with the stack selectors among its arguments. */
interface CdkCommand {
  readonly text: string;
  readonly selectors: string[];
}

/** Every `cdk deploy|diff|destroy|synth|ls …` command in the code of `markdown`. */
export function cdkCommands(markdown: string): CdkCommand[] {
  const command = new RegExp(`(?:^|[\\s(])(?:npx )?cdk (?:${STACK_COMMANDS.join('|')})\\b.*`, 'gm');
  const commands: CdkCommand[] = [];
  for (const code of codeOf(markdown)) {
    for (const [match] of code.matchAll(command)) {
      // A comment, a second command or a redirection ends the arguments.
      const text = match
        .trim()
        .split(/\s#|&&|\|\||[|;>]/)[0]
        .trim();
      const [, , ...args] = text.replace(/^npx /, '').split(/\s+/);
      const selectors: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg.startsWith('-')) {
          if (!arg.includes('=') && OPTIONS_WITH_VALUE.has(arg)) i++;
        } else {
          selectors.push(arg);
        }
      }
      commands.push({ text, selectors });
    }
  }
  return commands;
}

/**
 * The selectors of every table whose first column is headed `Selector`, in row order: the
 * README's tables of what each stack holds and of first-deploy durations.
 */
export function stackTables(markdown: string): string[][] {
  const tables: string[][] = [];
  let rows: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (/^\|\s*Selector\s*\|/.test(line)) {
      rows = [];
      tables.push(rows);
    } else if (rows && line.startsWith('|')) {
      const selector = /^\|\s*`([^`]+)`\s*\|/.exec(line);
      if (selector) rows.push(selector[1]);
    } else {
      rows = undefined;
    }
  }
  return tables;
}

/** The stack ids (selectors) that `cdk ls` prints for the built-in default configuration. */
function listStacks(): string[] {
  const scratch = mkdtempSync(join(tmpdir(), 'readme-cdk-ls-'));
  try {
    // No AWS credentials, profile or region: the app synthesizes environment-agnostic, offline.
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (!/^(AWS_|CDK_DEFAULT_)/.test(key)) env[key] = value;
    }
    Object.assign(env, {
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      AWS_CONFIG_FILE: join(scratch, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const output = execFileSync(
      join(ROOT, 'node_modules', '.bin', 'cdk'),
      ['ls', '--long', '--json', '--output', join(scratch, 'cdk.out')],
      { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const stacks = JSON.parse(output) as { id: string; name: string }[];
    // The id reads `Storage (ml-foundation-storage)` when the stack name differs from the id.
    return stacks.map((stack) => stack.id.replace(/ \(.*\)$/, ''));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

describe('README', () => {
  let stackIds: string[];
  beforeAll(() => {
    stackIds = listStacks();
  });

  test('the CLI lists the stacks of the default configuration by construct id', () => {
    expect(stackIds).toEqual([
      'Storage',
      'Sources',
      'AmazonMl',
      'Replication',
      'LakeAdmin',
      'Catalog',
      'Governance',
      'Edge',
    ]);
  });

  test('each stack table lists every stack of the app, in the order the CLI lists them', () => {
    const tables = stackTables(README);
    expect(tables.length).toBeGreaterThanOrEqual(2);
    for (const selectors of tables) expect(selectors).toEqual(stackIds);
  });

  test('a stack table that leaves out a stack is caught', () => {
    const [selectors] = stackTables(
      [
        '| Selector | Depends on |',
        '| -------- | ---------- |',
        '| `Storage` | – |',
        '| `Catalog` | Storage |',
      ].join('\n'),
    );
    expect(selectors).toEqual(['Storage', 'Catalog']);
    expect(selectors).not.toEqual(stackIds);
  });

  test('every stack a cdk command names is a stack of the app', () => {
    const commands = cdkCommands(README);
    const named = commands.flatMap((command) =>
      command.selectors.map((selector) => ({ selector, command: command.text })),
    );
    expect(named.length).toBeGreaterThan(0);
    const unknown = named.filter(({ selector }) => !stackIds.includes(selector));
    expect(unknown).toEqual([]);
  });

  test('a command naming a CloudFormation stack name instead of a selector is caught', () => {
    const [command] = cdkCommands(
      '```sh\nnpx cdk deploy -e ml-foundation-storage -c config=config/new-account.json  # no\n```\n',
    );
    expect(command.selectors).toEqual(['ml-foundation-storage']);
    expect(stackIds).not.toContain('ml-foundation-storage');
  });

  test('options and their values are not taken for selectors', () => {
    const commands = cdkCommands(
      [
        '```sh',
        'npx cdk deploy --all -c config=config/new-account.json --outputs-file outputs.json',
        'npx cdk diff Catalog -e --context config=x.json && npm test',
        '```',
        'Run `npx cdk destroy Edge` or `cdk ls`.',
      ].join('\n'),
    );
    expect(commands.map((command) => command.selectors)).toEqual([[], ['Catalog'], ['Edge'], []]);
  });

  test('every config file it names exists', () => {
    const paths = [...new Set(README.match(/(?<![\w./-])config\/[\w.-]+\.json/g) ?? [])];
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  test('every npm script it runs exists', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const named = [
      ...new Set(
        [...README.matchAll(/npm run (?:--?[\w-]+ )*([\w:.-]+)/g)].map((match) => match[1]),
      ),
    ];
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((script) => !(script in scripts))).toEqual([]);
  });

  describe('configuration reference', () => {
    test('is the one the schema and the built-in default generate (npm run docs:config)', () => {
      expect(referenceIn(README)).toBe(configReferenceMarkdown().trim());
    });

    test('says what the code does about replication.startTask', () => {
      const row = referenceIn(README)
        .split('\n')
        .find((line) => line.startsWith('| `replication.startTask`'));
      expect(row).toContain('stop it before it is deleted');
      expect(row).toContain('with `false`, start or resume it yourself');
    });

    test('refuses a key without a description, naming it', () => {
      const schema = z.strictObject({
        projectName: z.string(),
        storage: z.strictObject({
          removalPolicy: z.enum(['retain', 'destroy']).meta({ description: 'Documented.' }),
          retentionDays: z.int(),
        }),
      });
      const sections = [{ heading: 'All', keys: ['projectName', 'storage'] }];
      expect(() => configReferenceMarkdown(schema, sections)).toThrow(
        'keys without a description (add .meta({ description }) in the schema):\n  projectName\n  storage.retentionDays',
      );
    });

    test('refuses a top-level key that no section documents', () => {
      const schema = z.strictObject({ projectName: z.string().meta({ description: 'x' }) });
      expect(() => configReferenceMarkdown(schema, [])).toThrow(
        'no README section documents projectName',
      );
    });
  });
});
