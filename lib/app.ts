import type { App, Environment, Stack } from 'aws-cdk-lib';
import { Tags } from 'aws-cdk-lib';
import type { DatasetConfig } from './config/dataset';
import { datasetNamed } from './config/dataset';
import type { AppConfig } from './config/schema';
import { AmazonMlStack } from './amazon-ml/amazon-ml-stack';
import type { CatalogAccess } from './catalog/catalog-stack';
import { CatalogStack } from './catalog/catalog-stack';
import { EdgeStack } from './edge/edge-stack';
import { GovernanceStack } from './governance/governance-stack';
import { LakeAdminStack } from './governance/lake-admin-stack';
import {
  historyColumnsOf,
  personaSlug,
  QUERY_PERSONAS,
  selectableColumns,
} from './governance/tag-model';
import { ReplicationStack } from './replication/replication-stack';
import { removalPolicyOf } from './shared/removal-policy';
import { redshiftPubliclyAccessible } from './sources/config';
import type { AmazonMlReads } from './sources/sources-stack';
import { snapshotWorkgroupName } from './config/checks/snapshots';
import { SnapshotsStack } from './snapshots/snapshots-stack';
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
  /**
   * The deployment role as a Lake Formation admin, before anything writes to the Glue catalog,
   * when `features.governance` is on.
   */
  readonly lakeAdmin?: LakeAdminStack;
  /** The Glue catalog and Athena workgroups over the change history, with replication. */
  readonly catalog?: CatalogStack;
  /** Lake Formation governance of the catalog, when `features.governance` is on. */
  readonly governance?: GovernanceStack;
  /** The Lookout for Vision edge deployment, when `features.edge` is on. */
  readonly edge?: EdgeStack;
  /** The training snapshots, when `snapshots.declared` names any. */
  readonly snapshots?: SnapshotsStack;
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

/** The datasets that the Amazon ML datasources read from each source database. */
function amazonMlReadsOf(config: AppConfig): AmazonMlReads {
  const readFrom = (source: 'redshift' | 'mysql') => {
    if (!config.features.amazonMl) return [];
    const names = new Set(
      config.amazonMl.datasources
        .filter((datasource) => datasource.source === source)
        .map((datasource) => datasource.dataset),
    );
    return [...names].map((name) => datasetNamed(config.datasets, name));
  };
  return { redshift: readFrom('redshift'), mysql: readFrom('mysql') };
}

/**
 * How the catalog's queries are governed under `config`: by IAM alone, or by Lake Formation
 * with a workgroup per query persona and the columns of each table that its grants cover.
 */
export function catalogAccessOf(
  config: AppConfig,
  datasets: readonly DatasetConfig[],
): CatalogAccess {
  if (!config.features.governance) return { mode: 'iam' };
  return {
    mode: 'lake-formation',
    audiences: QUERY_PERSONAS.map((persona) => ({
      name: personaSlug(persona),
      columns: new Map(
        datasets.map((dataset) => [
          dataset.name,
          selectableColumns(config.governance, persona, dataset),
        ]),
      ),
    })),
  };
}

/**
 * Adds the app's stacks for `config` to `app`. This is the one place that reads the whole
 * configuration: each stack gets the values it uses and the resources of the stacks it
 * depends on.
 */
export function buildFoundation(app: App, config: AppConfig, env?: Environment): FoundationStacks {
  const { projectName, features } = config;
  const stackName = (suffix: string) => `${projectName}-${suffix}`;
  const removalPolicy = removalPolicyOf(config.storage.removalPolicy);

  const storage = new StorageStack(app, 'Storage', {
    env,
    stackName: stackName('storage'),
    description: 'ML data foundation: KMS key and S3 buckets shared by every other stack',
    projectName,
    removalPolicy,
    storage: config.storage,
    amazonMlStagingPrefixes: features.amazonMl
      ? config.amazonMl.datasources.map((datasource) => ({
          prefix: datasource.stagingPrefix,
          writtenByAmazonMl: datasource.source === 'redshift',
        }))
      : [],
  });
  const all: Stack[] = [storage];

  let sources: SourcesStack | undefined;
  if (features.amazonMl || features.replication) {
    const amazonMlReads = amazonMlReadsOf(config);
    sources = new SourcesStack(app, 'Sources', {
      env,
      stackName: stackName('sources'),
      description: 'ML data foundation: VPC, Redshift cluster and RDS for MySQL instance',
      projectName,
      removalPolicy,
      network: config.network,
      sources: config.sources,
      datasets: config.datasets,
      amazonMlReads,
      redshiftPubliclyAccessible: redshiftPubliclyAccessible(
        config.sources.redshift,
        amazonMlReads.redshift.length > 0,
      ),
    });
    all.push(sources);
  }

  let amazonMl: AmazonMlStack | undefined;
  if (features.amazonMl && sources) {
    amazonMl = new AmazonMlStack(app, 'AmazonMl', {
      env,
      stackName: stackName('amazon-ml'),
      description: 'ML data foundation: Amazon ML datasources read from Redshift and RDS for MySQL',
      amazonMl: config.amazonMl,
      datasets: config.datasets,
      storage,
      sources,
    });
    all.push(amazonMl);
  }

  let replication: ReplicationStack | undefined;
  let lakeAdmin: LakeAdminStack | undefined;
  let catalog: CatalogStack | undefined;
  let governance: GovernanceStack | undefined;
  if (features.replication && sources) {
    const replicated = config.replication.tables.map((table) =>
      datasetNamed(config.datasets, table),
    );
    replication = new ReplicationStack(app, 'Replication', {
      env,
      stackName: stackName('replication'),
      description: 'ML data foundation: DMS change capture from MySQL into the data lake',
      projectName,
      replication: config.replication,
      datasets: replicated,
      storage,
      vpc: sources.vpc,
      subnets: sources.workloadSubnets,
      mysql: sources.mysql,
    });
    all.push(replication);
    if (features.governance) {
      lakeAdmin = new LakeAdminStack(app, 'LakeAdmin', {
        env,
        stackName: stackName('lake-admin'),
        description:
          'ML data foundation: the deployment role as a Lake Formation admin, before any Glue resource',
        deploymentRoleArn: config.governance.deploymentRoleArn,
        deadPrincipals: config.governance.deadPrincipals,
      });
      all.push(lakeAdmin);
    }
    catalog = new CatalogStack(app, 'Catalog', {
      env,
      stackName: stackName('catalog'),
      description:
        'ML data foundation: Glue catalog of the change history and the Athena workgroups',
      projectName,
      catalog: config.catalog,
      datasets: replicated,
      changeDataPrefix: config.replication.bucketFolder,
      replicationGeneration: config.replication.generation,
      access: catalogAccessOf(config, replicated),
      removalPolicy,
      storage,
    });
    all.push(catalog);
    if (lakeAdmin) {
      catalog.addStackDependency(lakeAdmin, 'the deployment role must be a data lake admin first');
      governance = new GovernanceStack(app, 'Governance', {
        env,
        stackName: stackName('governance'),
        description:
          'ML data foundation: Lake Formation admins, registered data lake, personas, LF-Tags and tag-based grants',
        governance: config.governance,
        storage,
        catalog,
        historyColumns: new Map(
          replicated.map((dataset) => [dataset.name, historyColumnsOf(dataset)]),
        ),
      });
      governance.addStackDependency(
        lakeAdmin,
        'the deployment role must be a data lake admin first',
      );
      all.push(governance);
    }
  }

  let snapshots: SnapshotsStack | undefined;
  const declared = config.snapshots.declared;
  if (declared.length > 0) {
    const named = [...new Set(declared.map((snapshot) => snapshot.dataset))];
    const wantsRedshift = declared.some((snapshot) => snapshot.source === 'redshift');
    snapshots = new SnapshotsStack(app, 'Snapshots', {
      env,
      stackName: stackName('snapshots'),
      description:
        'ML data foundation: training snapshots written once to S3, from the change history or Redshift',
      projectName,
      removalPolicy,
      snapshots: { ...config.snapshots, workgroupName: snapshotWorkgroupName(config) },
      datasets: named.map((name) => datasetNamed(config.datasets, name)),
      accessLogsBucket: storage.accessLogsBucket,
      noncurrentVersionExpirationDays: config.storage.noncurrentVersionExpirationDays,
      history: catalog && {
        databaseName: catalog.databaseName,
        governed: governance !== undefined,
        dataLakeBucket: storage.dataLakeBucket,
        changeDataPrefix: config.replication.bucketFolder,
        dataKey: storage.dataKey,
      },
      redshift:
        sources && wantsRedshift
          ? {
              clusterIdentifier: sources.redshift.identifier,
              databaseName: sources.redshift.databaseName,
              secret: sources.redshift.secret,
              unloadRole: sources.redshift.unloadRole() ?? config.snapshots.redshiftUnloadRoleArn!,
            }
          : undefined,
      readers: governance && {
        governance: config.governance,
        roles: {
          analyst: governance.personas.analyst,
          projectLeader: governance.personas.projectLeader,
        },
      },
      amazonMl: features.amazonMl,
    });
    // The tables, their Lake Formation handover and the cluster exist before a snapshot reads them.
    for (const stack of [sources, catalog, governance])
      if (stack) snapshots.addStackDependency(stack);
    all.push(snapshots);
  }

  let edge: EdgeStack | undefined;
  if (features.edge) {
    edge = new EdgeStack(app, 'Edge', {
      env,
      stackName: stackName('edge'),
      description: 'ML data foundation: Lookout for Vision model deployed to Greengrass devices',
      projectName,
      edge: config.edge,
      storage,
    });
    all.push(edge);
  }

  for (const [key, value] of Object.entries(config.tags)) Tags.of(app).add(key, value);
  return {
    storage,
    sources,
    amazonMl,
    replication,
    lakeAdmin,
    catalog,
    governance,
    edge,
    snapshots,
    all,
  };
}
