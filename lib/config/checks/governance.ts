import type { GovernanceConfig } from '../../governance/config';
import {
  canonicalExpression,
  databaseTags,
  grantedTo,
  hiddenHistoryColumns,
  historyColumnsOf,
  personaSlug,
  QUERY_PERSONAS,
  selectableColumns,
  tableTags,
  tagPolicyKey,
} from '../../governance/tag-model';
import type { DatasetConfig } from '../dataset';
import { datasetNamed } from '../dataset';
import type { ConfigPath, ReportIssue } from '../issues';
import type { AppConfig } from '../schema';

/** The dataset of a declared catalog table, when `table` is one. */
function declaredDataset(config: AppConfig, table: string): DatasetConfig | undefined {
  if (!config.replication.tables.includes(table)) return undefined;
  // An undeclared replicated table is reported by the replication checks.
  if (!config.datasets.some((dataset) => dataset.name === table)) return undefined;
  return datasetNamed(config.datasets, table);
}

/**
 * The columns of a declared catalog table: the dataset's, then those the change history adds
 * (the DMS columns, the generation and the before-image of each primary key column).
 */
export function catalogColumnsOf(config: AppConfig, table: string): string[] | undefined {
  const dataset = declaredDataset(config, table);
  if (!dataset) return undefined;
  return [...dataset.columns.map((column) => column.name), ...historyColumnsOf(dataset)];
}

/** The longest suffix a persona adds to `catalog.athena.workgroupName`. */
const WORKGROUP_SUFFIX_LENGTH = Math.max(
  ...QUERY_PERSONAS.map((persona) => personaSlug(persona).length + 1),
);
const MAX_WORKGROUP_NAME_LENGTH = 128;

type DeclaredTags = ReadonlyMap<string, ReadonlySet<string>>;

function checkTagDeclarations(governance: GovernanceConfig, report: ReportIssue): DeclaredTags {
  const declared = new Map<string, Set<string>>();
  governance.tags.forEach((tag, index) => {
    if (declared.has(tag.key)) {
      report(['governance', 'tags', index, 'key'], `LF-Tag "${tag.key}" is declared twice`);
      return;
    }
    const values = new Set<string>();
    tag.values.forEach((value, valueIndex) => {
      if (values.has(value))
        report(
          ['governance', 'tags', index, 'values', valueIndex],
          `value "${value}" is listed twice`,
        );
      values.add(value);
    });
    declared.set(tag.key, values);
  });
  return declared;
}

/** Reports a key that is not declared, or a value that is not declared for its key. */
function checkTagValue(
  declared: DeclaredTags,
  tag: { key: string; value: string },
  paths: { key: ConfigPath; value: ConfigPath },
  report: ReportIssue,
): void {
  const values = declared.get(tag.key);
  if (!values) report(paths.key, `LF-Tag "${tag.key}" is not declared in governance.tags`);
  else if (!values.has(tag.value))
    report(
      paths.value,
      `"${tag.value}" is not a declared value of LF-Tag "${tag.key}" (declared: ${[...values].join(', ')})`,
    );
}

function checkResourceTags(
  declared: DeclaredTags,
  tags: ReadonlyArray<{ key: string; value: string }>,
  path: ConfigPath,
  report: ReportIssue,
): void {
  const keys = new Set<string>();
  tags.forEach((tag, index) => {
    if (keys.has(tag.key))
      report(
        [...path, index, 'key'],
        `LF-Tag "${tag.key}" is given twice; a resource has one value per key`,
      );
    keys.add(tag.key);
    checkTagValue(
      declared,
      tag,
      { key: [...path, index, 'key'], value: [...path, index, 'value'] },
      report,
    );
  });
}

function checkTableAssociations(
  config: AppConfig,
  declared: DeclaredTags,
  report: ReportIssue,
): void {
  const seen = new Set<string>();
  config.governance.associations.tables.forEach((table, index) => {
    const path = ['governance', 'associations', 'tables', index];
    if (seen.has(table.name)) report([...path, 'name'], `table "${table.name}" is listed twice`);
    seen.add(table.name);
    checkResourceTags(declared, table.tags, [...path, 'tags'], report);
    if (table.tags.length === 0 && table.columns.length === 0)
      report(path, `table "${table.name}" has neither tags nor column tags`);

    const columns = catalogColumnsOf(config, table.name);
    const dataset = declaredDataset(config, table.name);
    const history = new Set(dataset ? historyColumnsOf(dataset) : []);
    if (!columns)
      report(
        [...path, 'name'],
        `table "${table.name}" is not in the catalog: the catalog declares the tables of replication.tables (${config.replication.tables.join(', ')})`,
      );
    const taggedKeys = new Map<string, Set<string>>();
    table.columns.forEach((group, groupIndex) => {
      const groupPath = [...path, 'columns', groupIndex];
      checkResourceTags(declared, group.tags, [...groupPath, 'tags'], report);
      group.names.forEach((name, nameIndex) => {
        if (columns && !columns.includes(name))
          report(
            [...groupPath, 'names', nameIndex],
            `table "${table.name}" has no column "${name}"`,
          );
        else if (history.has(name))
          report(
            [...groupPath, 'names', nameIndex],
            `column "${name}" is a history column, tagged by governance.associations.historyColumns`,
          );
        const keys = taggedKeys.get(name) ?? new Set<string>();
        for (const tag of group.tags) {
          if (keys.has(tag.key))
            report(
              [...groupPath, 'names', nameIndex],
              `column "${name}" gets LF-Tag "${tag.key}" twice; a column has one value per key`,
            );
          keys.add(tag.key);
        }
        taggedKeys.set(name, keys);
      });
    });
  });
}

function checkGrants(
  governance: GovernanceConfig,
  declared: DeclaredTags,
  report: ReportIssue,
): void {
  for (const persona of ['analyst', 'projectLeader'] as const) {
    governance.grants[persona].forEach((grant, index) => {
      const path = ['governance', 'grants', persona, index];
      const keys = new Set<string>();
      grant.expression.forEach((term, termIndex) => {
        const termPath = [...path, 'expression', termIndex];
        if (keys.has(term.key))
          report([...termPath, 'key'], `LF-Tag "${term.key}" appears twice in the expression`);
        keys.add(term.key);
        if (!declared.has(term.key)) {
          report([...termPath, 'key'], `LF-Tag "${term.key}" is not declared in governance.tags`);
          return;
        }
        term.values.forEach((value, valueIndex) =>
          checkTagValue(
            declared,
            { key: term.key, value },
            { key: [...termPath, 'key'], value: [...termPath, 'values', valueIndex] },
            report,
          ),
        );
      });
      if (new Set(grant.permissions).size !== grant.permissions.length)
        report([...path, 'permissions'], 'a permission is listed twice');
    });
    checkOneGrantPerResource(governance, persona, report);
  }
}

/**
 * Lake Formation keeps one grant per principal and resource (a tag policy is a resource type
 * and an expression): two grants of a persona on one of them cannot both be created.
 */
function checkOneGrantPerResource(
  governance: GovernanceConfig,
  persona: 'analyst' | 'projectLeader',
  report: ReportIssue,
): void {
  const first = new Map<string, number>();
  governance.grants[persona].forEach((grant, index) => {
    const key = tagPolicyKey({ ...grant, expression: canonicalExpression(grant.expression) });
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, index);
    else
      report(
        ['governance', 'grants', persona, index],
        `grants ${earlier} and ${index} are on the same resource (${key}); Lake Formation keeps one grant per principal and resource: list every permission in one grant`,
      );
  });
}

function describeGrants(matched: Array<{ persona: string; index: number }>): string {
  return matched.map(({ persona, index }) => `governance.grants.${persona}[${index}]`).join(', ');
}

/**
 * Fail closed: tables that the discovery crawler creates inherit the database's tags, and
 * columns added to a declared table inherit the table's; no `TABLE` grant may match either, so
 * that nobody reads new data before someone tags it.
 */
function checkFailsClosed(config: AppConfig, report: ReportIssue): void {
  const { governance } = config;
  const onDatabase = grantedTo(governance, databaseTags(governance));
  if (onDatabase.length > 0)
    report(
      ['governance', 'associations', 'database'],
      `tables that the crawlers create inherit the database's tags, which ${describeGrants(onDatabase)} match: tag the database with a value that no TABLE grant matches, such as role=unclassified`,
    );
  governance.associations.tables.forEach((table, index) => {
    const onTable = grantedTo(governance, tableTags(governance, table.name));
    if (onTable.length > 0 && onDatabase.length === 0)
      report(
        ['governance', 'associations', 'tables', index, 'tags'],
        `columns added to table "${table.name}" later inherit its tags, which ${describeGrants(onTable)} match: tag the table with a value that no TABLE grant matches and tag its columns`,
      );
  });
}

/**
 * The "as of" query of a table reads its primary key and history columns and the truncation
 * marks: a persona that may read some of the table's columns must be able to read those.
 */
function checkAsOfColumns(config: AppConfig, report: ReportIssue): void {
  const { governance } = config;
  for (const table of config.replication.tables) {
    const dataset = declaredDataset(config, table);
    if (!dataset) continue;
    for (const persona of QUERY_PERSONAS) {
      const selectable = selectableColumns(governance, persona, dataset);
      if (selectable.length === 0) continue;
      const missing = [
        ...dataset.primaryKey.filter((key) => !selectable.includes(key)),
        ...hiddenHistoryColumns(governance, persona, dataset),
      ];
      if (missing.length > 0)
        report(
          ['governance', 'grants', persona],
          `the ${personaSlug(persona).replace(/-/g, ' ')} may read columns of "${table}" but not ${missing.join(', ')}, which its "as of" query reads: tag them with a value its grants match (history columns: governance.associations.historyColumns)`,
        );
    }
  }
}

/** Cross-section checks for governance: tags declared, tables and columns in the catalog. */
export function checkGovernanceConfig(config: AppConfig, report: ReportIssue): void {
  if (!config.features.replication) {
    report(
      ['features', 'governance'],
      'governance needs the catalog, which comes with features.replication',
    );
  }
  const { governance } = config;
  const declared = checkTagDeclarations(governance, report);
  checkResourceTags(
    declared,
    governance.associations.database,
    ['governance', 'associations', 'database'],
    report,
  );
  checkResourceTags(
    declared,
    governance.associations.historyColumns,
    ['governance', 'associations', 'historyColumns'],
    report,
  );
  checkTableAssociations(config, declared, report);
  checkGrants(governance, declared, report);
  checkFailsClosed(config, report);
  checkAsOfColumns(config, report);
  const workgroupName = config.catalog.athena.workgroupName;
  if (workgroupName.length + WORKGROUP_SUFFIX_LENGTH > MAX_WORKGROUP_NAME_LENGTH)
    report(
      ['catalog', 'athena', 'workgroupName'],
      `under governance each query persona gets a workgroup named after this one with a suffix of up to ${WORKGROUP_SUFFIX_LENGTH} characters: use at most ${MAX_WORKGROUP_NAME_LENGTH - WORKGROUP_SUFFIX_LENGTH} characters`,
    );
}
