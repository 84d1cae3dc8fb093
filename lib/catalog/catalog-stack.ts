import type { StackProps } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import {
  GENERATION_COLUMN,
  tableKeyPrefix,
  truncationsKeyPrefix,
} from '../replication/data-lake-layout';
import { addOutputs } from '../shared/outputs';
import type { StorageResources } from '../storage/storage-resources';
import { AsOfSnapshots } from './as-of-snapshots';
import { CatalogCrawlers } from './catalog-crawlers';
import type { CatalogConfig } from './config';
import type { CatalogResources } from './catalog-resources';
import type { AsOfWorkgroup } from './as-of-snapshots';
import { audienceWorkgroupName, QueryWorkgroup } from './query-workgroup';
import { ReplicatedTable } from './replicated-table';
import { TruncationMarksTable } from './truncation-marks-table';

/** One query persona of a governed catalog: its name and the columns it may read. */
export interface QueryAudience {
  /** Its name in resource names (`analyst`, `project-leader`). */
  readonly name: string;
  /** The columns of each table that it may select, in the dataset's order. */
  readonly columns: ReadonlyMap<string, readonly string[]>;
}

/**
 * Who decides what a query reads: IAM alone, with one workgroup for everyone; or Lake
 * Formation, with a workgroup per query persona, since Lake Formation does not govern Athena's
 * query results and history (Athena, "Considerations and limitations" of Lake Formation:
 * "use workgroups ... and align workgroup membership with Lake Formation permissions").
 */
export type CatalogAccess =
  | { readonly mode: 'iam' }
  | { readonly mode: 'lake-formation'; readonly audiences: readonly QueryAudience[] };

/** Properties of the {@link CatalogStack}. */
export interface CatalogStackProps extends StackProps {
  /** Prefix of the crawler names. */
  readonly projectName: string;
  /** The Glue database, the crawlers' schedule and the Athena workgroup. */
  readonly catalog: CatalogConfig;
  /** The replicated datasets, each declared as a table of the change history. */
  readonly datasets: readonly DatasetConfig[];
  /** The prefix of the data lake bucket that DMS writes the change history under. */
  readonly changeDataPrefix: string;
  /** The current replication generation: the tables read generations 1 to this one. */
  readonly replicationGeneration: number;
  /**
   * How queries are governed. Under Lake Formation, tables get no IAM-only default
   * permissions, the discovery crawler reads with Lake Formation credentials, the crawlers run
   * on the schedule that governance sets, and each query persona gets a workgroup and as-of
   * queries of the columns it may read.
   */
  readonly access: CatalogAccess;
  /** Whether the key of the crawlers' logs and the workgroups are kept when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** The data lake, the Athena results bucket and the key that encrypts both. */
  readonly storage: StorageResources;
}

/**
 * The Glue catalog of the change history and the Athena workgroups to query it: one declared
 * table per replicated source table, crawlers that report on them and catalog what nobody
 * declared, and per table and workgroup a prepared "as of" query.
 */
export class CatalogStack extends Stack implements CatalogResources {
  readonly databaseName: string;
  readonly database: glue.CfnDatabase;
  readonly tables: ReadonlyMap<string, glue.CfnTable>;
  readonly crawlerRoles: iam.IRole[];
  /** The workgroup of an ungoverned catalog; undefined under Lake Formation. */
  readonly workgroupName?: string;
  readonly queryWorkgroups: ReadonlyMap<string, string>;
  readonly crawlers: glue.CfnCrawler[];
  readonly crawlerSchedule?: string;
  readonly asOfSnapshots: AsOfSnapshots;
  /** The truncation marks that the as-of queries read (`history_truncations`). */
  readonly truncationMarks: TruncationMarksTable;

  constructor(scope: Construct, id: string, props: CatalogStackProps) {
    super(scope, id, props);
    const { catalog, datasets, access, storage } = props;
    const governed = access.mode === 'lake-formation';
    const dataPrefix = props.changeDataPrefix;

    this.databaseName = catalog.databaseName;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: this.account,
      databaseInput: {
        name: catalog.databaseName,
        description: 'Change history of the replicated source tables, written by DMS',
        locationUri: `s3://${storage.dataLakeBucket.bucketName}/${dataPrefix}`,
        // Under Lake Formation, tables created later (by the crawlers) get no IAM-only default.
        createTableDefaultPermissions: governed ? [] : undefined,
      },
    });

    const tables = new Map<string, glue.CfnTable>();
    const declared = datasets.map((dataset) => {
      const table = new ReplicatedTable(this, `${dataset.name}Table`, {
        databaseName: this.database.ref,
        dataset,
        bucket: storage.dataLakeBucket,
        bucketFolder: dataPrefix,
        generation: props.replicationGeneration,
      });
      tables.set(dataset.name, table.table);
      return { name: dataset.name, keyPrefix: table.keyPrefix };
    });
    this.tables = tables;
    this.truncationMarks = new TruncationMarksTable(this, 'TruncationMarks', {
      databaseName: this.database.ref,
      bucket: storage.dataLakeBucket,
      bucketFolder: dataPrefix,
    });

    const crawlers = new CatalogCrawlers(this, 'Crawlers', {
      namePrefix: props.projectName,
      databaseName: this.database.ref,
      tables: declared,
      excludedPatterns: [
        ...datasets.map((dataset) => `${tableKeyPrefix(`${GENERATION_COLUMN}=*`, dataset)}**`),
        `${truncationsKeyPrefix(dataPrefix).slice(dataPrefix.length)}**`,
      ],
      bucket: storage.dataLakeBucket,
      dataKey: storage.dataKey,
      dataPrefix,
      discoveredTablePrefix: catalog.discoveredTablePrefix,
      schedule: governed ? undefined : catalog.crawlerSchedule,
      useLakeFormationCredentials: governed,
      removalPolicy: props.removalPolicy,
    });
    // The declared-tables crawler names its tables; they must exist before it.
    for (const table of tables.values()) crawlers.declaredTablesCrawler.node.addDependency(table);
    this.crawlers = [crawlers.declaredTablesCrawler, crawlers.discoveryCrawler];
    this.crawlerRoles = crawlers.roles;
    this.crawlerSchedule = governed ? catalog.crawlerSchedule : undefined;

    const workgroup = (id: string, name: string, audience?: string) =>
      new QueryWorkgroup(this, id, {
        name,
        audience,
        bytesScannedCutoffPerQuery: catalog.athena.bytesScannedCutoffPerQuery,
        resultsBucket: storage.athenaResultsBucket,
        encryptionKey: storage.dataKey,
        removalPolicy: props.removalPolicy,
      });
    const workgroups: AsOfWorkgroup[] = [];
    const queryWorkgroups = new Map<string, string>();
    const outputs = [
      {
        id: 'GlueDatabaseName',
        value: this.database.ref,
        description: 'Glue database of the change history',
      },
    ];
    if (access.mode === 'iam') {
      const shared = workgroup('Workgroup', catalog.athena.workgroupName);
      this.workgroupName = catalog.athena.workgroupName;
      workgroups.push({ id: '', workgroupName: shared.workgroupName });
      outputs.push({
        id: 'WorkgroupName',
        value: this.workgroupName,
        description: 'Athena workgroup to query the change history in',
      });
    } else {
      for (const audience of access.audiences) {
        const name = audienceWorkgroupName(catalog.athena.workgroupName, audience.name);
        const id = audience.name.replace(/(^|-)([a-z])/g, (_match, _dash, letter: string) =>
          letter.toUpperCase(),
        );
        const own = workgroup(`${id}Workgroup`, name, audience.name.replace(/-/g, ' '));
        queryWorkgroups.set(audience.name, name);
        workgroups.push({ id, workgroupName: own.workgroupName, columns: audience.columns });
        outputs.push({
          id: `${id}WorkgroupName`,
          value: name,
          description: `Athena workgroup in which the ${audience.name.replace(/-/g, ' ')} queries the change history`,
        });
      }
    }
    this.queryWorkgroups = queryWorkgroups;

    this.asOfSnapshots = new AsOfSnapshots(this, 'AsOfSnapshots', {
      databaseName: catalog.databaseName,
      databaseRef: this.database.ref,
      workgroups,
      datasets,
    });
    // The queries read the change tables and the marks; Athena prepares a statement against
    // the catalog as it is.
    for (const statement of this.asOfSnapshots.preparedStatements.values()) {
      for (const table of [...tables.values(), this.truncationMarks.table]) {
        statement.node.addDependency(table);
      }
    }

    addOutputs(this, outputs);
  }
}
