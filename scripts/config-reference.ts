import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseConfig } from '../lib/config/load-config';
import { appConfigSchema } from '../lib/config/schema';

/**
 * The configuration reference of the README, generated from the schema: each key's meaning is
 * its `.meta({ description })`, its default is read from the built-in default configuration
 * (or, for a mode the default does not use, from the schema), and the values it accepts from
 * the schema. `npm run docs:config` writes it between the markers in README.md;
 * `test/readme.test.ts` fails when the README differs from what this generates.
 */

export const README = path.resolve(__dirname, '..', 'README.md');
export const START_MARKER = '<!-- config-reference:start (npm run docs:config) -->';
export const END_MARKER = '<!-- config-reference:end -->';

/** A subsection of the reference, with the top-level keys it documents. */
export interface ReferenceSection {
  readonly heading: string;
  readonly keys: readonly string[];
}

/** The README's subsections. */
const SECTIONS: readonly ReferenceSection[] = [
  { heading: 'Top level', keys: ['projectName', 'features', 'tags', 'datasets'] },
  { heading: '`storage`', keys: ['storage'] },
  { heading: '`network` and `sources`', keys: ['network', 'sources'] },
  { heading: '`amazonMl`', keys: ['amazonMl'] },
  { heading: '`replication` and `catalog`', keys: ['replication', 'catalog'] },
  { heading: '`governance`', keys: ['governance'] },
  { heading: '`edge`', keys: ['edge'] },
  { heading: '`snapshots`', keys: ['snapshots'] },
];

/** The part of a JSON Schema (as zod 4 writes it) that the reference reads. */
interface JsonSchema {
  readonly type?: string | string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
}

/** One row of a table. */
interface Row {
  readonly key: string;
  readonly default: string;
  readonly meaning: string;
}

/** Where a key sits: its dotted path, and the modes it belongs to when not to all. */
interface Place {
  readonly path: string;
  readonly modes?: readonly string[];
}

const code = (text: string) => `\`${text}\``;

/** A value as it reads in a table cell: short JSON in code, longer values summarized. */
function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'unset';
  if (typeof value === 'string') return code(value);
  const json = compactJson(value);
  if (json.length <= MAX_INLINE_JSON) return code(json);
  if (Array.isArray(value) && value.every((item) => isObject(item))) {
    const names = value.map((item) => item.id ?? item.name ?? item.key);
    if (names.every((name) => typeof name === 'string')) return names.map(code).join(', ');
    return `${value.length} entries`;
  }
  return 'see `lib/config/default-config.ts`';
}

/** The longest default shown as JSON; a longer one is summarized. */
const MAX_INLINE_JSON = 72;

function compactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(', ')}]`;
  if (isObject(value)) {
    const entries = Object.entries(value).map(([key, item]) => `"${key}": ${compactJson(item)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/** The schema without `null`, and whether `null` is accepted (to clear a default). */
function withoutNull(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  if (Array.isArray(schema.type) && schema.type.includes('null')) {
    const types = schema.type.filter((type) => type !== 'null');
    return { schema: { ...schema, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  const options = schema.anyOf ?? schema.oneOf;
  const nonNull = options?.filter((option) => option.type !== 'null');
  if (options && nonNull && nonNull.length === 1 && nonNull.length < options.length) {
    return { schema: { description: schema.description, ...nonNull[0] }, nullable: true };
  }
  return { schema, nullable: false };
}

/** The values a leaf accepts, when the schema enumerates them or bounds a number. */
function accepted(schema: JsonSchema, description: string): string | undefined {
  const values = schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined);
  if (values) {
    const listed = values.map((value) => code(String(value)));
    if (listed.every((value) => description.includes(value))) return undefined;
    return listed.length === 1 ? `Only ${listed[0]}.` : `One of ${listed.join(', ')}.`;
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    const min = schema.minimum !== undefined && schema.minimum > -SAFE_INTEGER;
    const max = schema.maximum !== undefined && schema.maximum < SAFE_INTEGER;
    if (min && max) return `From ${schema.minimum} to ${schema.maximum}.`;
    if (min) return `At least ${schema.minimum}.`;
    if (max) return `At most ${schema.maximum}.`;
  }
  return undefined;
}

function keyCell(place: Place): string {
  const modes = place.modes ? ` (${place.modes.map(code).join(', ')})` : '';
  return `${code(place.path)}${modes}`;
}

/** The default of a key: the built-in default's value, else the schema's, else unset/required. */
function defaultCell(schema: JsonSchema, value: unknown, required: boolean): string {
  if (value !== undefined) return formatValue(value);
  if (schema.default !== undefined) return formatValue(schema.default);
  return required ? 'required' : 'unset';
}

function isModeUnion(schema: JsonSchema): boolean {
  const options = schema.oneOf ?? schema.anyOf;
  return Boolean(options?.every((option) => option.properties?.mode?.const !== undefined));
}

/** Whether a key below the object has a description, so that it gets rows of its own. */
function hasDescribedKeys(schema: JsonSchema): boolean {
  return Object.values(schema.properties ?? {}).some(
    (child) =>
      child.description !== undefined ||
      isModeUnion(child) ||
      hasDescribedKeys(withoutNull(child).schema),
  );
}

/**
 * The keys of a small object, with the values each accepts, for one cell; nothing when the
 * description names them all.
 */
function keyList(schema: JsonSchema, description: string): string | undefined {
  const keys = Object.entries(schema.properties ?? {});
  if (keys.length === 0 || keys.every(([key]) => description.includes(code(key)))) return undefined;
  return keys
    .map(([key, child]) => {
      const { schema: bare } = withoutNull(child);
      const values = bare.enum ?? (bare.const !== undefined ? [bare.const] : undefined);
      return values
        ? `${code(key)} (${values.map((v) => code(String(v))).join(' or ')})`
        : code(key);
    })
    .join(', ');
}

const CLEARABLE = 'Set to `null` to clear the default.';

/**
 * The rows of a configuration, key by key: a leaf, a small object or an array of small objects
 * is one row; a larger object or array gets a row per key below it; a union told apart by
 * `mode` gets a row for the mode and one per key, marked with the modes that have it.
 */
class ReferenceRows {
  /** The keys met without a description, which the reference refuses. */
  readonly undocumented = new Set<string>();

  rowsOf(schema: JsonSchema, place: Place, value: unknown, required: boolean): Row[] {
    if (isModeUnion(schema)) return this.modeRows(schema, place, value);
    const { schema: bare } = withoutNull(schema);

    if (bare.type === 'array' && bare.items) {
      const items = withoutNull(bare.items).schema;
      if (items.properties === undefined && !isModeUnion(items)) {
        return [this.row(schema, place, value, required)];
      }
      if (!isModeUnion(items) && !hasDescribedKeys(items)) {
        return [this.row(schema, place, value, required, { of: items, label: 'Each entry' })];
      }
      return [
        this.row(schema, place, value, required),
        ...this.rowsOf(items, { ...place, path: `${place.path}[]` }, undefined, true),
      ];
    }

    if (bare.properties) {
      if (!hasDescribedKeys(bare)) {
        return [this.row(schema, place, value, required, { of: bare, label: 'Keys' })];
      }
      // A section's own description heads its keys, with no default of its own.
      const heading: Row[] = bare.description
        ? [{ key: keyCell(place), default: '', meaning: bare.description }]
        : [];
      return heading.concat(
        ...Object.entries(bare.properties).map(([key, child]) =>
          this.rowsOf(
            child,
            { ...place, path: `${place.path}.${key}` },
            isObject(value) ? value[key] : undefined,
            (bare.required ?? []).includes(key),
          ),
        ),
      );
    }

    return [this.row(schema, place, value, required)];
  }

  /**
   * One row: the key's description, then what it accepts, and for a small object (or an array
   * of them) its keys under `keys.label`.
   */
  private row(
    schema: JsonSchema,
    place: Place,
    value: unknown,
    required: boolean,
    keys?: { readonly of: JsonSchema; readonly label: string },
  ): Row {
    const { schema: bare, nullable } = withoutNull(schema);
    const description = this.describe(schema, place.path);
    const listed = keys && keyList(keys.of, description);
    const meaning = [
      description,
      accepted(bare, description),
      listed && `${keys.label}: ${listed}.`,
      nullable && !description.includes('`null`') ? CLEARABLE : undefined,
    ];
    return {
      key: keyCell(place),
      default: defaultCell(schema, value, required),
      meaning: meaning.filter(Boolean).join(' '),
    };
  }

  /** A union told apart by `mode`: a row for the mode, then each key with the modes it has. */
  private modeRows(schema: JsonSchema, place: Place, value: unknown): Row[] {
    const options = (schema.oneOf ?? schema.anyOf)!;
    const modeOf = (option: JsonSchema) => String(option.properties!.mode.const);
    const current = isObject(value) ? value : undefined;

    const meaning = options.map(
      (option) =>
        `${code(modeOf(option))}: ${this.describe(option.properties!.mode, `${place.path}.mode (${modeOf(option)})`)}`,
    );
    if (schema.description) meaning.unshift(schema.description);
    const rows: Row[] = [
      {
        key: keyCell({ ...place, path: `${place.path}.mode` }),
        default: defaultCell({}, current?.mode, true),
        meaning: meaning.join(' '),
      },
    ];

    const keys = new Set(options.flatMap((option) => Object.keys(option.properties!)));
    keys.delete('mode');
    for (const key of keys) {
      const having = options.filter((option) => key in option.properties!);
      const modes = having.map(modeOf);
      // A key of the default's mode takes the default's value; another mode's, the schema's.
      const option = having.find((candidate) => modeOf(candidate) === current?.mode);
      const described = option ?? having[0];
      rows.push(
        ...this.rowsOf(
          described.properties![key],
          {
            path: `${place.path}.${key}`,
            modes: modes.length < options.length ? modes : place.modes,
          },
          option ? current![key] : undefined,
          (described.required ?? []).includes(key),
        ),
      );
    }
    return rows;
  }

  private describe(schema: JsonSchema, path: string): string {
    if (!schema.description) this.undocumented.add(path);
    return schema.description ?? '';
  }
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
}

/** A table as Prettier writes it: every column padded to its widest cell. */
function table(rows: readonly Row[]): string {
  const cells = [
    ['Key', 'Default', 'Meaning'],
    ...rows.map((row) => [row.key, row.default, row.meaning].map(escapeCell)),
  ];
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  const rule = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}

/** The reference as markdown: one subsection per group of keys, formatted as Prettier would. */
export function configReferenceMarkdown(
  configSchema: z.ZodObject = appConfigSchema,
  sections: readonly ReferenceSection[] = SECTIONS,
): string {
  const schema = z.toJSONSchema(configSchema, {
    io: 'output',
    unrepresentable: 'any',
  }) as JsonSchema;
  const defaults = parseConfig({}, 'built-in default') as unknown as Record<string, unknown>;
  const topLevel = Object.keys(schema.properties ?? {});
  const grouped = sections.flatMap((section) => section.keys);
  const ungrouped = topLevel.filter((key) => !grouped.includes(key));
  if (ungrouped.length > 0) {
    throw new Error(`no README section documents ${ungrouped.join(', ')}: add it to SECTIONS`);
  }

  const reference = new ReferenceRows();
  const tables = sections.map((section) => {
    const rows = section.keys.flatMap((key) =>
      reference.rowsOf(schema.properties![key], { path: key }, defaults[key], true),
    );
    return `### ${section.heading}\n\n${table(rows)}\n`;
  });
  if (reference.undocumented.size > 0) {
    throw new Error(
      `keys without a description (add .meta({ description }) in the schema):\n  ${[...reference.undocumented].join('\n  ')}`,
    );
  }
  return tables.join('\n');
}

/** The part of `readme` between the markers. */
export function referenceIn(readme: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no "${START_MARKER}" ... "${END_MARKER}" section`);
  }
  return readme.slice(start + START_MARKER.length, end).trim();
}

function main(): void {
  const readme = fs.readFileSync(README, 'utf8');
  const current = referenceIn(readme);
  const generated = configReferenceMarkdown().trim();
  if (current === generated) {
    console.log('README.md: the configuration reference is up to date');
    return;
  }
  const start = readme.indexOf(START_MARKER) + START_MARKER.length;
  const end = readme.indexOf(END_MARKER);
  fs.writeFileSync(README, `${readme.slice(0, start)}\n\n${generated}\n\n${readme.slice(end)}`);
  console.log('README.md: the configuration reference was regenerated');
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
