import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { CatalogResources } from '../catalog/catalog-resources';
import type { StorageResources } from '../storage/storage-resources';
import type { GovernanceConfig } from './config';
import { CrawlerAccess } from './crawler-access';
import { CrawlerSchedule } from './crawler-schedule';
import { DataLakeLocation } from './data-lake-location';
import { DataLakeSettings } from './data-lake-settings';
import { DependencyChain } from './dependency-chain';
import { GrantLedger } from './grant-ledger';
import { lakeFormationProvider } from './lake-formation-provider';
import { LakeFormationHandover } from './lake-formation-handover';
import { LfTags } from './lf-tags';
import { Personas } from './personas';
import { TagGrants } from './tag-grants';
import { personaSlug } from './tag-model';

/** Properties of the {@link GovernanceStack}. */
export interface GovernanceStackProps extends StackProps {
  /** The personas, LF-Tags, their associations and grants, and how settings are changed. */
  readonly governance: GovernanceConfig;
  /** The data lake bucket, the query results bucket and their key. */
  readonly storage: StorageResources;
  /** The Glue database and declared tables to govern, and the crawlers that write to them. */
  readonly catalog: CatalogResources;
  /**
   * The history columns of each declared table, which get `associations.historyColumns`.
   * @default - none
   */
  readonly historyColumns?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Lake Formation governance of the catalog: the data lake admin persona and the handler as
 * admins (and, when asked for, Lake Formation-only account defaults), the data lake bucket
 * registered, the ledger of grants, the crawlers' grants, LF-Tags on the database, tables and
 * columns, the personas' grants, the hand-over of the declared database and tables from
 * IAM-only control, and the crawlers' schedule. Everything deploys in one chain, in that order.
 * The deployment role is made an admin by the lake admin stack, which deploys first.
 */
export class GovernanceStack extends Stack {
  /** The persona roles. */
  readonly personas: Personas;
  /** Every Lake Formation resource of the stack, with its stage, in deployment order. */
  readonly chain = new DependencyChain();

  constructor(scope: Construct, id: string, props: GovernanceStackProps) {
    super(scope, id, props);
    const { governance, storage, catalog } = props;
    const databaseName = catalog.databaseName;

    const workgroup = (persona: 'analyst' | 'projectLeader') => {
      const name = catalog.queryWorkgroups.get(personaSlug(persona));
      if (name === undefined) {
        this.node.addValidation({
          validate: () => [`the catalog has no workgroup for the ${personaSlug(persona)}`],
        });
      }
      return name ?? personaSlug(persona);
    };
    this.personas = new Personas(this, 'Personas', {
      personas: governance.personas,
      databaseName,
      workgroups: { analyst: workgroup('analyst'), projectLeader: workgroup('projectLeader') },
      athenaResultsBucket: storage.athenaResultsBucket,
      dataKey: storage.dataKey,
    });

    const tableNames = [...catalog.tables.keys()];
    const provider = lakeFormationProvider(this, {
      admins: [this.personas.dataLakeAdmin.roleArn],
      ownRoleAdmin: true,
      databaseName,
      tableNames,
      defaultPermissions: governance.changeAccountDefaults,
    });
    const settings = new DataLakeSettings(this, 'DataLakeSettings', {
      provider,
      admins: [
        { id: 'DataLakeAdminPersonaAdmin', principalArn: this.personas.dataLakeAdmin.roleArn },
        // Revoking IAM_ALLOWED_PRINCIPALS on a database it did not create takes an admin.
        { id: 'HandlerAdmin', principalArn: provider.onEventHandler.role.roleArn },
      ],
      changeAccountDefaults: governance.changeAccountDefaults,
      deadPrincipals: governance.deadPrincipals,
    });
    this.chain.add('settings', ...settings.resources);

    const location = new DataLakeLocation(this, 'DataLakeLocation', {
      bucket: storage.dataLakeBucket,
      key: storage.dataKey,
    });
    this.chain.add('location', location.resource);

    const crawlers = new CrawlerAccess(this, 'CrawlerAccess', {
      roles: catalog.crawlerRoles,
      databaseName,
      locationArn: location.locationArn,
    });
    const tags = new LfTags(this, 'LfTags', {
      tags: governance.tags,
      associations: governance.associations,
      catalog,
      historyColumns: props.historyColumns,
    });
    const grants = new TagGrants(this, 'TagGrants', {
      tags: tags.tags,
      databaseName,
      personas: [
        {
          name: 'Analyst',
          principalArn: this.personas.analyst.roleArn,
          grants: governance.grants.analyst,
        },
        {
          name: 'ProjectLeader',
          principalArn: this.personas.projectLeader.roleArn,
          grants: governance.grants.projectLeader,
        },
      ],
    });
    const ledger = new GrantLedger(this, 'GrantLedger', {
      provider,
      grants: { ...crawlers.ledger, ...grants.ledger },
    });
    this.chain.add('ledger', ledger.resource);
    this.chain.add('database-permissions', ...crawlers.grants);
    this.chain.add('tags', ...tags.tags.values());
    this.chain.add('associations', ...tags.associations);
    this.chain.add('grants', ...grants.grants);

    const handover = new LakeFormationHandover(this, 'Handover', {
      provider,
      database: { name: databaseName, resource: catalog.database },
      tables: catalog.tables,
    });
    this.chain.add('handover', ...handover.resources);

    if (catalog.crawlers && catalog.crawlers.length > 0 && catalog.crawlerSchedule) {
      const schedule = new CrawlerSchedule(this, 'CrawlerSchedule', {
        crawlerNames: catalog.crawlers.map((crawler) => crawler.ref),
        schedule: catalog.crawlerSchedule,
      });
      this.chain.add('schedule', schedule.trigger);
    }

    const outputs: Array<[string, iam.IRole, string]> = [
      ['DataLakeAdminRoleArn', this.personas.dataLakeAdmin, 'the data lake admin'],
      ['AnalystRoleArn', this.personas.analyst, 'an analyst'],
      ['ProjectLeaderRoleArn', this.personas.projectLeader, 'a project leader'],
    ];
    for (const [name, role, persona] of outputs) {
      new CfnOutput(this, name, {
        value: role.roleArn,
        description: `Role to assume as ${persona}`,
      });
    }
  }
}
