import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { CatalogResources } from '../catalog/catalog-resources';
import type { StorageResources } from '../storage/storage-resources';
import type { GovernanceConfig } from './config';
import { CrawlerAccess } from './crawler-access';
import { DataLakeLocation } from './data-lake-location';
import { DataLakeSettings } from './data-lake-settings';
import { DependencyChain } from './dependency-chain';
import { lakeFormationProvider } from './lake-formation-provider';
import { LakeFormationHandover } from './lake-formation-handover';
import { LfTags } from './lf-tags';
import { Personas } from './personas';
import { TagGrants } from './tag-grants';

/** Properties of the {@link GovernanceStack}. */
export interface GovernanceStackProps extends StackProps {
  /** The personas, LF-Tags, their associations and grants, and the deployment role. */
  readonly governance: GovernanceConfig;
  /** The data lake bucket, the query results bucket and their key. */
  readonly storage: StorageResources;
  /** The Glue database and declared tables to govern, and the crawlers that write to them. */
  readonly catalog: CatalogResources;
}

/**
 * Lake Formation governance of the catalog: data lake admins and Lake Formation-only defaults,
 * the data lake bucket registered, the crawlers' grants, the personas, LF-Tags on the
 * database, tables and columns, and tag-expression grants to the personas. Everything deploys
 * in one chain, in that order, then the declared database and tables are taken from IAM-only
 * control.
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

    this.personas = new Personas(this, 'Personas', {
      personas: governance.personas,
      databaseName,
      workgroupName: catalog.workgroupName,
      athenaResultsBucket: storage.athenaResultsBucket,
      dataKey: storage.dataKey,
    });

    const provider = lakeFormationProvider(this, databaseName);
    const settings = new DataLakeSettings(this, 'DataLakeSettings', {
      provider,
      admins: [
        {
          id: 'DeploymentRoleAdmin',
          principalArn: this.deploymentRoleArn(governance.deploymentRoleArn),
        },
        { id: 'DataLakeAdminPersonaAdmin', principalArn: this.personas.dataLakeAdmin.roleArn },
        // Revoking IAM_ALLOWED_PRINCIPALS on tables it did not create takes an admin.
        { id: 'HandlerAdmin', principalArn: provider.onEventHandler.role.roleArn },
      ],
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
    this.chain.add('database-permissions', ...crawlers.grants);

    const tags = new LfTags(this, 'LfTags', {
      tags: governance.tags,
      associations: governance.associations,
      catalog,
    });
    this.chain.add('tags', ...tags.tags.values());
    this.chain.add('associations', ...tags.associations);

    const grants = new TagGrants(this, 'TagGrants', {
      tags: tags.tags,
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
    this.chain.add('grants', ...grants.grants);

    const handover = new LakeFormationHandover(this, 'Handover', {
      provider,
      database: { name: databaseName, resource: catalog.database },
      tables: catalog.tables,
    });
    this.chain.add('handover', ...handover.resources);

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

  /**
   * The role CloudFormation deploys this stack with, which must be a data lake admin for any
   * Lake Formation resource to deploy: the configured one, else the bootstrap's execution role.
   */
  private deploymentRoleArn(configured: string | undefined): string {
    if (configured) return configured;
    if (this.synthesizer instanceof DefaultStackSynthesizer) {
      return Fn.sub(this.synthesizer.cloudFormationExecutionRoleArn);
    }
    this.node.addValidation({
      validate: () => [
        `governance.deploymentRoleArn is required: the stack synthesizer (${this.synthesizer.constructor.name}) names no CloudFormation execution role, and the role that deploys this stack must be a data lake admin.`,
      ],
    });
    return Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/unknown-deployment-role');
  }
}
