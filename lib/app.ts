import type { App, Environment, Stack } from 'aws-cdk-lib';
import { Tags } from 'aws-cdk-lib';
import type { AppConfig } from './config/schema';
import { AmazonMlStack } from './amazon-ml/amazon-ml-stack';
import { CatalogStack } from './catalog/catalog-stack';
import { EdgeStack } from './edge/edge-stack';
import { GovernanceStack } from './governance/governance-stack';
import { ReplicationStack } from './replication/replication-stack';
import { SourcesStack } from './sources/sources-stack';
import { StorageStack } from './storage/storage-stack';

/** The stacks of the app, as composed for one configuration. */
export interface FoundationStacks {
  readonly storage: StorageStack;
  /** The network and source databases, when `features.amazonMl` or `features.replication` is on. */
  readonly sources?: SourcesStack;
  /** The Amazon ML datasources, when `features.amazonMl` is on. */
  readonly amazonMl?: AmazonMlStack;
  /** DMS change capture into the data lake, when `features.replication` is on. */
  readonly replication?: ReplicationStack;
  /** The Glue catalog and Athena workgroup over the change history, with replication. */
  readonly catalog?: CatalogStack;
  /** Lake Formation governance of the catalog, when `features.governance` is on. */
  readonly governance?: GovernanceStack;
  /** The Lookout for Vision edge deployment, when `features.edge` is on. */
  readonly edge?: EdgeStack;
  /** Every stack, in deployment order. */
  readonly all: Stack[];
}

/**
 * The CDK environment from the CLI: both account and region when the CLI knows them,
 * otherwise none, which makes the stacks environment-agnostic.
 */
export function environmentFromCli(env: NodeJS.ProcessEnv = process.env): Environment | undefined {
  const account = env.CDK_DEFAULT_ACCOUNT;
  const region = env.CDK_DEFAULT_REGION;
  return account && region ? { account, region } : undefined;
}

/** Adds the app's stacks for `config` to `app`. */
export function buildFoundation(app: App, config: AppConfig, env?: Environment): FoundationStacks {
  const stackName = (suffix: string) => `${config.projectName}-${suffix}`;
  const common = { env, config };

  const storage = new StorageStack(app, 'Storage', {
    ...common,
    stackName: stackName('storage'),
    description: 'ML data foundation: KMS key and S3 buckets shared by every other stack',
  });
  const all: Stack[] = [storage];

  let sources: SourcesStack | undefined;
  if (config.features.amazonMl || config.features.replication) {
    sources = new SourcesStack(app, 'Sources', {
      ...common,
      stackName: stackName('sources'),
      description: 'ML data foundation: VPC, Redshift cluster and RDS for MySQL instance',
    });
    all.push(sources);
  }

  let amazonMl: AmazonMlStack | undefined;
  if (config.features.amazonMl && sources) {
    amazonMl = new AmazonMlStack(app, 'AmazonMl', {
      ...common,
      stackName: stackName('amazon-ml'),
      description: 'ML data foundation: Amazon ML datasources read from Redshift and RDS for MySQL',
      storage,
      sources,
    });
    all.push(amazonMl);
  }

  let replication: ReplicationStack | undefined;
  let catalog: CatalogStack | undefined;
  if (config.features.replication && sources) {
    replication = new ReplicationStack(app, 'Replication', {
      ...common,
      stackName: stackName('replication'),
      description: 'ML data foundation: DMS change capture from MySQL into the data lake',
      storage,
      vpc: sources.vpc,
      subnets: sources.workloadSubnets,
      mysql: sources.mysql,
    });
    catalog = new CatalogStack(app, 'Catalog', {
      ...common,
      stackName: stackName('catalog'),
      description:
        'ML data foundation: Glue catalog of the change history and the Athena workgroup',
      storage,
    });
    all.push(replication, catalog);
  }

  let governance: GovernanceStack | undefined;
  if (config.features.governance && catalog) {
    governance = new GovernanceStack(app, 'Governance', {
      ...common,
      stackName: stackName('governance'),
      description:
        'ML data foundation: Lake Formation admins, registered data lake, personas, LF-Tags and tag-based grants',
      storage,
      catalog,
    });
    all.push(governance);
  }

  let edge: EdgeStack | undefined;
  if (config.features.edge) {
    edge = new EdgeStack(app, 'Edge', {
      ...common,
      stackName: stackName('edge'),
      description: 'ML data foundation: Lookout for Vision model deployed to Greengrass devices',
      storage,
    });
    all.push(edge);
  }

  for (const [key, value] of Object.entries(config.tags)) Tags.of(app).add(key, value);
  return { storage, sources, amazonMl, replication, catalog, governance, edge, all };
}
