import type { DatasetConfig } from '../config/dataset';
import { GENERATION_COLUMN } from '../replication/data-lake-layout';
import { beforeImageColumn, DMS_COLUMNS } from '../replication/dms-columns';
import type { GovernanceConfig, TagGrantConfig } from './config';

/**
 * How Lake Formation decides, from LF-Tags, what a tag-expression grant reaches: a table
 * inherits the database's tags and a column its table's, each overriding the value of the
 * same key; a grant's expression matches a resource whose tags give every key of the
 * expression one of its values. A `TABLE` grant of SELECT reaches each column it matches.
 * The app derives from this, at synth time, which columns each persona may select.
 */

/** Tags of one resource, value by key. */
export type TagValues = ReadonlyMap<string, string>;

/** A list of `{ key, value }` tags as a map. */
export function tagValues(tags: ReadonlyArray<{ key: string; value: string }>): TagValues {
  return new Map(tags.map((tag) => [tag.key, tag.value]));
}

/** The tags a resource carries: its own, over the values it inherits for other keys. */
export function inherit(inherited: TagValues, own: TagValues): TagValues {
  return new Map([...inherited, ...own]);
}

/** Whether a resource with `tags` matches `expression`: every key has one of its values. */
export function matches(expression: TagGrantConfig['expression'], tags: TagValues): boolean {
  return expression.every((term) => {
    const value = tags.get(term.key);
    return value !== undefined && term.values.includes(value);
  });
}

/** The query personas: they run Athena queries over what their grants cover. */
export const QUERY_PERSONAS = ['analyst', 'projectLeader'] as const;
export type QueryPersona = (typeof QUERY_PERSONAS)[number];

/** The name of a query persona in resource names: `analyst`, `project-leader`. */
export function personaSlug(persona: QueryPersona): string {
  return persona.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/**
 * The columns that the change history adds to every declared table and that the "as of" query
 * reads: the DMS columns, the generation and the before-image of each primary key column.
 */
export function historyColumnsOf(dataset: Pick<DatasetConfig, 'primaryKey'>): string[] {
  return [
    ...Object.values(DMS_COLUMNS),
    GENERATION_COLUMN,
    ...dataset.primaryKey.map(beforeImageColumn),
  ];
}

/** The tags of the governed database, and of a table in it. */
export function databaseTags(governance: GovernanceConfig): TagValues {
  return tagValues(governance.associations.database);
}

function tableAssociation(governance: GovernanceConfig, table: string) {
  return governance.associations.tables.find((candidate) => candidate.name === table);
}

/** The tags a declared table carries, inherited ones included; a new column gets these. */
export function tableTags(governance: GovernanceConfig, table: string): TagValues {
  const own = tableAssociation(governance, table)?.tags ?? [];
  return inherit(databaseTags(governance), tagValues(own));
}

/**
 * The tags of each column of a declared table: the table's, overridden by the column's own
 * (its group in `associations.tables`, or `associations.historyColumns` for the history
 * columns of a table that is associated).
 */
export function columnTags(
  governance: GovernanceConfig,
  dataset: Pick<DatasetConfig, 'name' | 'primaryKey' | 'columns'>,
): Map<string, TagValues> {
  const association = tableAssociation(governance, dataset.name);
  const table = tableTags(governance, dataset.name);
  const own = new Map<string, Array<{ key: string; value: string }>>();
  for (const group of association?.columns ?? []) {
    for (const name of group.names) own.set(name, [...(own.get(name) ?? []), ...group.tags]);
  }
  if (association) {
    for (const name of historyColumnsOf(dataset)) {
      own.set(name, [...(own.get(name) ?? []), ...governance.associations.historyColumns]);
    }
  }
  const names = [...dataset.columns.map((column) => column.name), ...historyColumnsOf(dataset)];
  return new Map(names.map((name) => [name, inherit(table, tagValues(own.get(name) ?? []))]));
}

/** The persona's grants of `permission` on tables (and so on columns). */
function tableGrants(
  governance: GovernanceConfig,
  persona: QueryPersona,
  permission: string,
): TagGrantConfig[] {
  return governance.grants[persona].filter(
    (grant) =>
      grant.resourceType === 'TABLE' && (grant.permissions as string[]).includes(permission),
  );
}

/** Whether the persona may SELECT a resource with `tags`. */
export function selects(
  governance: GovernanceConfig,
  persona: QueryPersona,
  tags: TagValues,
): boolean {
  return tableGrants(governance, persona, 'SELECT').some((grant) =>
    matches(grant.expression, tags),
  );
}

/** The dataset columns of a declared table that the persona may SELECT, in the dataset's order. */
export function selectableColumns(
  governance: GovernanceConfig,
  persona: QueryPersona,
  dataset: Pick<DatasetConfig, 'name' | 'primaryKey' | 'columns'>,
): string[] {
  const tags = columnTags(governance, dataset);
  return dataset.columns
    .map((column) => column.name)
    .filter((name) => selects(governance, persona, tags.get(name)!));
}

/** The history columns of a declared table that the persona may not SELECT. */
export function hiddenHistoryColumns(
  governance: GovernanceConfig,
  persona: QueryPersona,
  dataset: Pick<DatasetConfig, 'name' | 'primaryKey' | 'columns'>,
): string[] {
  const tags = columnTags(governance, dataset);
  return historyColumnsOf(dataset).filter((name) => !selects(governance, persona, tags.get(name)!));
}

/** Whether any `TABLE` grant of any query persona matches `tags`: a resource with them is open. */
export function grantedTo(
  governance: GovernanceConfig,
  tags: TagValues,
): Array<{ persona: QueryPersona; index: number }> {
  return QUERY_PERSONAS.flatMap((persona) =>
    governance.grants[persona].flatMap((grant, index) =>
      grant.resourceType === 'TABLE' && matches(grant.expression, tags) ? [{ persona, index }] : [],
    ),
  );
}

/**
 * A grant's expression in one canonical form: keys in order, each with its values in order.
 * Lake Formation identifies a tag-policy grant by its expression, so the app writes each one
 * this way: reordering a configuration never replaces a grant.
 */
export function canonicalExpression(
  expression: TagGrantConfig['expression'],
): TagGrantConfig['expression'] {
  return [...expression]
    .map((term) => ({ key: term.key, values: [...new Set(term.values)].sort() }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The text that names a tag-policy resource: `TABLE:role=analyst,leader&team=a`. */
export function tagPolicyKey(grant: Pick<TagGrantConfig, 'resourceType' | 'expression'>): string {
  const terms = canonicalExpression(grant.expression).map(
    (term) => `${term.key}=${term.values.join(',')}`,
  );
  return `${grant.resourceType}:${terms.join('&')}`;
}
