import { Stack } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import type { CatalogResources } from '../catalog/catalog-resources';
import type { GovernanceConfig } from './config';

/** Properties of {@link LfTags}. */
export interface LfTagsProps {
  /** The LF-Tags and their values. */
  readonly tags: GovernanceConfig['tags'];
  /** Which tags the database, its tables and their columns carry. */
  readonly associations: GovernanceConfig['associations'];
  /** The catalog whose database and tables are tagged. */
  readonly catalog: CatalogResources;
  /**
   * The history columns of each declared table, which get `associations.historyColumns` in
   * each table of `associations.tables`; those the Glue table does not declare are left out.
   * @default - none
   */
  readonly historyColumns?: ReadonlyMap<string, readonly string[]>;
}

/** A construct id made of LF-Tag text, which may hold "/". */
export function idOf(text: string): string {
  return text.split('/').join('%2F');
}

interface ColumnInput {
  readonly name?: unknown;
}

/** The names of a Glue table's columns and partition keys, when they are known at synth time. */
function columnsOf(table: glue.CfnTable): string[] | undefined {
  const input = Stack.of(table).resolve(table.tableInput) as {
    storageDescriptor?: { columns?: ColumnInput[] };
    partitionKeys?: ColumnInput[];
  };
  const columns = [...(input.storageDescriptor?.columns ?? []), ...(input.partitionKeys ?? [])];
  const names = columns.map((column) => column.name);
  return names.length > 0 && names.every((name) => typeof name === 'string')
    ? (names as string[])
    : undefined;
}

/**
 * The LF-Tags, and their associations with the governed database, its declared tables, their
 * columns, and the truncation marks table. Each association tags one resource (the database, a
 * table, or one column) with one key, and its construct id names the resource and key: adding
 * or removing a tag adds or removes a resource of its own, and never replaces one whose
 * deletion would take away a tag that its replacement had just set. Lake Formation tags a
 * resource only once it exists, so whatever the crawlers create later carries only what it
 * inherits from the database and its table.
 */
export class LfTags extends Construct {
  /** The tags by key, in declaration order. */
  readonly tags = new Map<string, lakeformation.CfnTag>();
  /** The associations, in the order they must deploy. */
  readonly associations: lakeformation.CfnTagAssociation[] = [];

  constructor(scope: Construct, id: string, props: LfTagsProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    const { catalog } = props;
    const problems: string[] = [];
    this.node.addValidation({ validate: () => problems });

    for (const tag of props.tags) {
      this.tags.set(
        tag.key,
        new lakeformation.CfnTag(this, `Tag-${idOf(tag.key)}`, {
          catalogId,
          tagKey: tag.key,
          tagValues: tag.values,
        }),
      );
    }

    const associate = (
      name: string,
      resource: lakeformation.CfnTagAssociation.ResourceProperty,
      tag: { key: string; value: string },
      dependsOn: glue.CfnDatabase | glue.CfnTable,
    ) => {
      const association = new lakeformation.CfnTagAssociation(this, `${name}-${idOf(tag.key)}`, {
        resource,
        lfTags: [{ catalogId, tagKey: tag.key, tagValues: [tag.value] }],
      });
      const declared = this.tags.get(tag.key);
      if (declared) association.addResourceDependency(declared);
      else problems.push(`LF-Tag "${tag.key}" of ${name} is not declared`);
      association.node.addDependency(dependsOn);
      this.associations.push(association);
    };

    const databaseName = catalog.databaseName;
    for (const tag of props.associations.database) {
      associate('Database', { database: { catalogId, name: databaseName } }, tag, catalog.database);
    }

    for (const table of props.associations.tables) {
      const glueTable = catalog.tables.get(table.name);
      if (!glueTable) {
        problems.push(`the catalog declares no table "${table.name}" to tag`);
        continue;
      }
      for (const tag of table.tags) {
        associate(
          `Table-${table.name}`,
          { table: { catalogId, databaseName, name: table.name } },
          tag,
          glueTable,
        );
      }
      const known = columnsOf(glueTable);
      const columnTags = new Map<string, Array<{ key: string; value: string }>>();
      for (const group of table.columns) {
        for (const column of group.names) {
          if (known && !known.includes(column))
            problems.push(`table "${table.name}" has no column "${column}" to tag`);
          columnTags.set(column, [...(columnTags.get(column) ?? []), ...group.tags]);
        }
      }
      for (const column of props.historyColumns?.get(table.name) ?? []) {
        if (known && !known.includes(column)) continue;
        columnTags.set(column, [
          ...(columnTags.get(column) ?? []),
          ...props.associations.historyColumns,
        ]);
      }
      for (const [column, tags] of columnTags) {
        for (const tag of tags) {
          associate(
            `Column-${table.name}.${column}`,
            {
              tableWithColumns: {
                catalogId,
                databaseName,
                name: table.name,
                columnNames: [column],
              },
            },
            tag,
            glueTable,
          );
        }
      }
    }

    const marks = catalog.truncationMarks;
    if (marks) {
      for (const tag of props.associations.historyColumns) {
        associate(
          `Table-${marks.tableName}`,
          { table: { catalogId, databaseName, name: marks.tableName } },
          tag,
          marks.table,
        );
      }
    }
  }
}
