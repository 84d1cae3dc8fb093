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
  /** The Athena workgroup name that analysts query in. */
  readonly workgroupName: string;
  /**
   * The Glue crawlers, for governance to switch them to Lake Formation credentials.
   * @default - no crawlers are exposed
   */
  readonly crawlers?: glue.CfnCrawler[];
}
