import type * as glue from 'aws-cdk-lib/aws-glue';
import type * as iam from 'aws-cdk-lib/aws-iam';

/** What the catalog declares, for governance to attach tags and grants to. */
export interface CatalogResources {
  /** The Glue database that holds the replicated tables. */
  readonly databaseName: string;
  /** The Glue database resource, for dependencies. */
  readonly database: glue.CfnDatabase;
  /** The declared Glue tables, by table name. */
  readonly tables: ReadonlyMap<string, glue.CfnTable>;
  /** The roles of the Glue crawlers, which need Lake Formation grants. */
  readonly crawlerRoles: iam.IRole[];
  /** The Athena workgroup of each query persona, by the persona's name (`analyst`). */
  readonly queryWorkgroups: ReadonlyMap<string, string>;
  /**
   * The truncation marks table, which every as-of query reads.
   * @default - none
   */
  readonly truncationMarks?: { readonly tableName: string; readonly table: glue.CfnTable };
  /**
   * The Glue crawlers, which under governance run on a schedule that governance sets once
   * their Lake Formation grants are in place.
   * @default - no crawlers
   */
  readonly crawlers?: readonly glue.CfnCrawler[];
  /**
   * When the crawlers run, as a Glue cron expression.
   * @default - never on a schedule
   */
  readonly crawlerSchedule?: string;
}
