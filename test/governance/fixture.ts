import type { App } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { CatalogResources } from '../../lib/catalog/catalog-resources';
import type { AppConfig } from '../../lib/config/schema';
import { GovernanceStack } from '../../lib/governance/governance-stack';
import { DMS_COLUMNS } from '../../lib/replication/dms-columns';
import { replicatedDatasetsOf, storageStackOf } from '../support/stacks';
import type { TestAppOptions } from '../support/test-app';
import { createTestApp, testConfig } from '../support/test-app';

/** What the fixture catalog holds. */
export interface FixtureCatalogProps {
  /** The Glue database. */
  readonly databaseName: string;
  /** The Athena workgroup. */
  readonly workgroupName: string;
  /** The declared tables, each with its column names. */
  readonly tables: ReadonlyMap<string, readonly string[]>;
}

/** A stand-in for the catalog stack: the database, the declared tables and a crawler role. */
export class FixtureCatalogStack extends Stack implements CatalogResources {
  readonly databaseName: string;
  readonly database: glue.CfnDatabase;
  readonly tables = new Map<string, glue.CfnTable>();
  readonly crawlerRoles: iam.IRole[];
  readonly workgroupName: string;

  constructor(scope: Construct, id: string, props: FixtureCatalogProps) {
    super(scope, id);
    this.databaseName = props.databaseName;
    this.workgroupName = props.workgroupName;
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

/** The catalog that the catalog stack declares for `config`: the replicated tables with the DMS columns. */
export function catalogOf(config: AppConfig): FixtureCatalogProps {
  return {
    databaseName: config.catalog.databaseName,
    workgroupName: config.catalog.athena.workgroupName,
    tables: new Map(
      replicatedDatasetsOf(config).map((dataset) => [
        dataset.name,
        [...dataset.columns.map((column) => column.name), ...Object.values(DMS_COLUMNS)],
      ]),
    ),
  };
}

/** The storage stack, the fixture catalog and the governance stack, for `overrides`. */
export function buildGovernance(overrides: unknown = {}, options: TestAppOptions = {}) {
  const app: App = createTestApp(options);
  const config = testConfig(overrides);
  const storage = storageStackOf(app, config);
  const catalog = new FixtureCatalogStack(app, 'Catalog', catalogOf(config));
  const governance = new GovernanceStack(app, 'Governance', {
    governance: config.governance,
    storage,
    catalog,
  });
  return { app, config, storage, catalog, governance };
}
