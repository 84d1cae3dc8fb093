import type { GovernanceConfig } from '../../governance/config';
import { DMS_COLUMNS } from '../../replication/dms-columns';
import { datasetNamed } from '../dataset';
import type { ConfigPath, ReportIssue } from '../issues';
import type { AppConfig } from '../schema';

/** The columns of a declared catalog table: the dataset's, then those DMS adds. */
export function catalogColumnsOf(config: AppConfig, table: string): string[] | undefined {
  if (!config.replication.tables.includes(table)) return undefined;
  // An undeclared replicated table is reported by the replication checks.
  if (!config.datasets.some((dataset) => dataset.name === table)) return undefined;
  const dataset = datasetNamed(config.datasets, table);
  return [...dataset.columns.map((column) => column.name), ...Object.values(DMS_COLUMNS)];
}

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
  checkTableAssociations(config, declared, report);
  checkGrants(governance, declared, report);
}
