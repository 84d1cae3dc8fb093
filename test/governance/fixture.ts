import type { App } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { CatalogResources } from '../../lib/catalog/catalog-resources';
import type { AppConfig } from '../../lib/config/schema';
import { GovernanceStack } from '../../lib/governance/governance-stack';
import { audienceWorkgroupName } from '../../lib/catalog/query-workgroup';
import { historyColumnsOf, personaSlug, QUERY_PERSONAS } from '../../lib/governance/tag-model';
import { replicatedDatasetsOf, storageStackOf } from '../support/stacks';
import type { TestAppOptions } from '../support/test-app';
import { createTestApp, testConfig } from '../support/test-app';

/** What the fixture catalog holds. */
export interface FixtureCatalogProps {
  /** The Glue database. */
  readonly databaseName: string;
  /** The Athena workgroup of each query persona, by its name. */
  readonly queryWorkgroups: ReadonlyMap<string, string>;
  /** The declared tables, each with its column names. */
  readonly tables: ReadonlyMap<string, readonly string[]>;
}

/** A stand-in for the catalog stack: the database, the declared tables and a crawler role. */
export class FixtureCatalogStack extends Stack implements CatalogResources {
  readonly databaseName: string;
  readonly database: glue.CfnDatabase;
  readonly tables = new Map<string, glue.CfnTable>();
  readonly crawlerRoles: iam.IRole[];
  readonly queryWorkgroups: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: FixtureCatalogProps) {
    super(scope, id);
    this.databaseName = props.databaseName;
    this.queryWorkgroups = props.queryWorkgroups;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: this.account,
      databaseInput: { name: this.databaseName },
    });
    for (const [name, columns] of props.tables) {
      const table = new glue.CfnTable(this, `Table-${name}`, {
        catalogId: this.account,
        databaseName: this.databaseName,
        tableInput: {
          name,
          tableType: 'EXTERNAL_TABLE',
          storageDescriptor: {
            columns: columns.map((column) => ({ name: column, type: 'string' })),
            location: `s3://data-lake/cdc/${name}/`,
          },
        },
      });
      table.addResourceDependency(this.database);
      this.tables.set(name, table);
    }
    this.crawlerRoles = [
      new iam.Role(this, 'CrawlerRole', {
        assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      }),
    ];
  }
}

/** The workgroups of the query personas for `config`. */
export function queryWorkgroupsOf(config: AppConfig): Map<string, string> {
  return new Map(
    QUERY_PERSONAS.map((persona) => [
      personaSlug(persona),
      audienceWorkgroupName(config.catalog.athena.workgroupName, personaSlug(persona)),
    ]),
  );
}

/**
 * The catalog that the catalog stack declares for `config`: the replicated tables with the
 * dataset's columns and the history columns.
 */
export function catalogOf(config: AppConfig): FixtureCatalogProps {
  return {
    databaseName: config.catalog.databaseName,
    queryWorkgroups: queryWorkgroupsOf(config),
    tables: new Map(
      replicatedDatasetsOf(config).map((dataset) => [
        dataset.name,
        [...dataset.columns.map((column) => column.name), ...historyColumnsOf(dataset)],
      ]),
    ),
  };
}

/**
 * The storage stack, the fixture catalog and the governance stack, for `overrides`; `change`
 * may then alter the checked configuration, to reach a construct's own checks.
 */
export function buildGovernance(
  overrides: unknown = {},
  options: TestAppOptions = {},
  change: (config: AppConfig) => void = () => undefined,
) {
  const app: App = createTestApp(options);
  const config = structuredClone(testConfig(overrides));
  change(config);
  const storage = storageStackOf(app, config);
  const catalog = new FixtureCatalogStack(app, 'Catalog', catalogOf(config));
  const governance = new GovernanceStack(app, 'Governance', {
    governance: config.governance,
    storage,
    catalog,
    historyColumns: new Map(
      replicatedDatasetsOf(config).map((dataset) => [dataset.name, historyColumnsOf(dataset)]),
    ),
  });
  return { app, config, storage, catalog, governance };
}
