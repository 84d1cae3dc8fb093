import type { RemovalPolicy } from 'aws-cdk-lib';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { restrictGrantsToAwsServices } from '../shared/key-policy';
import { acknowledge, acknowledgeWildcardResources } from '../shared/nag';

/** Properties of {@link CatalogCrawlers}. */
export interface CatalogCrawlersProps {
  /** Prefix of the crawler and security configuration names. */
  readonly namePrefix: string;
  /** The Glue database; pass its `ref` so that the crawlers are created after it. */
  readonly databaseName: string;
  /** The declared tables, by name, and the key prefix of each one's files now. */
  readonly tables: ReadonlyArray<{ readonly name: string; readonly keyPrefix: string }>;
  /**
   * What the discovery crawler skips, as Glue exclude patterns relative to `dataPrefix`: the
   * declared tables' folders in every generation, and the truncation marks.
   */
  readonly excludedPatterns: readonly string[];
  /** The data lake bucket. */
  readonly bucket: s3.IBucket;
  /** The key that encrypts the data lake. */
  readonly dataKey: kms.IKey;
  /** The prefix under which DMS writes every table, ending with a slash. */
  readonly dataPrefix: string;
  /** Name prefix of discovered tables. */
  readonly discoveredTablePrefix: string;
  /**
   * When the crawlers run, as a Glue cron expression.
   * @default - on demand only (a governed catalog's schedule is set by governance)
   */
  readonly schedule?: string;
  /** Whether the key that encrypts crawler logs is kept when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Whether the discovery crawler reads the data lake with Lake Formation credentials, for a
   * catalog governed by Lake Formation. (The declared-tables crawler keeps IAM credentials:
   * with Lake Formation credentials a crawler may target one catalog table only.)
   * @default false
   */
  readonly useLakeFormationCredentials?: boolean;
}

/**
 * Two crawlers. The first crawls the declared tables (catalog targets) and only logs what it
 * finds different, such as a column that appeared in the source: CloudFormation owns those
 * tables' schema, and every update of a table writes its whole definition again, dropping any
 * column a crawler merged in (Glue's UpdateTable replaces the table input, boto/boto3#1727); a
 * new column is added to the dataset's configuration instead. The second crawls the rest of the
 * change-data prefix and creates tables, under a prefix, for data that no table declares. Both
 * write KMS-encrypted logs, each with its own least-privilege role.
 */
export class CatalogCrawlers extends Construct {
  readonly declaredTablesCrawler: glue.CfnCrawler;
  readonly discoveryCrawler: glue.CfnCrawler;
  readonly roles: iam.Role[];
  readonly logsKey: kms.Key;

  constructor(scope: Construct, id: string, props: CatalogCrawlersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const securityConfigurationName = `${props.namePrefix}-crawlers`;

    this.logsKey = new kms.Key(this, 'LogsKey', {
      description: 'Encrypts the CloudWatch logs of the Glue crawlers',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(30),
    });
    restrictGrantsToAwsServices(this.logsKey);
    this.logsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt*',
          'kms:Decrypt*',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:Describe*',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': this.crawlerLogGroupArn() },
        },
      }),
    );

    const securityConfiguration = new glue.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      name: securityConfigurationName,
      encryptionConfiguration: {
        cloudWatchEncryption: {
          cloudWatchEncryptionMode: 'SSE-KMS',
          kmsKeyArn: this.logsKey.keyArn,
        },
        // Crawlers write nothing to S3 and keep no job bookmarks.
        s3Encryptions: [{ s3EncryptionMode: 'DISABLED' }],
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'DISABLED' },
      },
    });

    const declaredRole = this.crawlerRole('DeclaredTablesRole', props, {
      description: 'Glue crawler that keeps the declared change-history tables current',
      tableArns: props.tables.map((table) =>
        this.glueArn('table', `${props.databaseName}/${table.name}`),
      ),
      objectPrefixes: props.tables.map((table) => table.keyPrefix),
      createsTables: false,
    });
    this.declaredTablesCrawler = new glue.CfnCrawler(this, 'DeclaredTablesCrawler', {
      name: `${props.namePrefix}-replicated-tables`,
      description:
        'Logs how the files of the declared tables differ from their definitions, such as new source columns',
      role: declaredRole.roleArn,
      crawlerSecurityConfiguration: securityConfiguration.ref,
      schedule: props.schedule ? { scheduleExpression: props.schedule } : undefined,
      targets: {
        catalogTargets: [
          { databaseName: props.databaseName, tables: props.tables.map((table) => table.name) },
        ],
      },
      // The tables' one owner is CloudFormation: the crawl changes and drops nothing.
      schemaChangePolicy: { updateBehavior: 'LOG', deleteBehavior: 'LOG' },
      recrawlPolicy: { recrawlBehavior: 'CRAWL_EVERYTHING' },
      configuration: JSON.stringify({
        Version: 1.0,
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
      }),
    });

    const discoveryRole = this.crawlerRole('DiscoveryRole', props, {
      description: 'Glue crawler that catalogs change data no declared table covers',
      tableArns: [this.glueArn('table', `${props.databaseName}/${props.discoveredTablePrefix}*`)],
      objectPrefixes: [props.dataPrefix],
      createsTables: true,
    });
    // Levels count from the bucket (1): <prefix segments>/generation=<n>/<schema>/<table>.
    const tableLevel = 1 + props.dataPrefix.split('/').filter(Boolean).length + 3;
    this.discoveryCrawler = new glue.CfnCrawler(this, 'DiscoveryCrawler', {
      name: `${props.namePrefix}-discovery`,
      description: `Catalogs change data under ${props.dataPrefix} that no declared table covers, as ${props.discoveredTablePrefix}* tables`,
      role: discoveryRole.roleArn,
      databaseName: props.databaseName,
      tablePrefix: props.discoveredTablePrefix,
      crawlerSecurityConfiguration: securityConfiguration.ref,
      lakeFormationConfiguration: props.useLakeFormationCredentials
        ? { useLakeFormationCredentials: true }
        : undefined,
      schedule: props.schedule ? { scheduleExpression: props.schedule } : undefined,
      targets: {
        s3Targets: [
          {
            path: `s3://${props.bucket.bucketName}/${props.dataPrefix}`,
            exclusions: [...props.excludedPatterns],
          },
        ],
      },
      schemaChangePolicy: {
        updateBehavior: 'UPDATE_IN_DATABASE',
        deleteBehavior: 'DEPRECATE_IN_DATABASE',
      },
      recrawlPolicy: { recrawlBehavior: 'CRAWL_EVERYTHING' },
      configuration: JSON.stringify({
        Version: 1.0,
        Grouping: { TableLevelConfiguration: tableLevel },
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
      }),
    });

    this.roles = [declaredRole, discoveryRole];
  }

  private glueArn(resource: string, resourceName?: string): string {
    return Stack.of(this).formatArn({
      service: 'glue',
      resource,
      resourceName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /** The log groups Glue writes crawler logs to when a security configuration is attached. */
  private crawlerLogGroupArn(): string {
    return Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws-glue/crawlers*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  private crawlerRole(
    id: string,
    props: CatalogCrawlersProps,
    access: {
      description: string;
      tableArns: string[];
      objectPrefixes: string[];
      createsTables: boolean;
    },
  ): iam.Role {
    const role = new iam.Role(this, id, {
      description: access.description,
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetTables',
          // Only the discovery crawler writes table definitions.
          ...(access.createsTables ? ['glue:UpdateTable', 'glue:CreateTable'] : []),
          'glue:GetPartition',
          'glue:GetPartitions',
          'glue:BatchGetPartition',
          'glue:CreatePartition',
          'glue:BatchCreatePartition',
          'glue:UpdatePartition',
          'glue:BatchUpdatePartition',
        ],
        resources: [
          this.glueArn('catalog'),
          this.glueArn('database', props.databaseName),
          ...access.tableArns,
        ],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetSecurityConfiguration'],
        resources: ['*'],
      }),
    );
    const objects = access.objectPrefixes.map((prefix) => props.bucket.arnForObjects(`${prefix}*`));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.bucket.bucketArn],
        conditions: {
          StringLike: { 's3:prefix': access.objectPrefixes.map((prefix) => `${prefix}*`) },
        },
      }),
    );
    props.dataKey.grantDecrypt(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'logs:AssociateKmsKey',
        ],
        resources: [this.crawlerLogGroupArn(), `${this.crawlerLogGroupArn()}:*`],
      }),
    );
    this.logsKey.grant(role, 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt');

    acknowledge(
      role,
      'AwsSolutions-IAM5',
      'Resource::*',
      'glue:GetSecurityConfiguration takes no resource-level permissions; it only reads the encryption settings the crawler runs with.',
    );
    acknowledgeWildcardResources(
      role,
      objects,
      'A crawler reads every file DMS writes under the table folders it crawls; DMS names the files.',
    );
    acknowledgeWildcardResources(
      role,
      [this.crawlerLogGroupArn(), `${this.crawlerLogGroupArn()}:*`],
      'Glue names the crawler log group after the role and the security configuration, and its streams after the crawler run; the role may write only to /aws-glue/crawlers log groups.',
    );
    if (access.createsTables) {
      acknowledgeWildcardResources(
        role,
        access.tableArns,
        'The discovery crawler creates tables named after the folders it finds; it may create and update only tables with the discovered-table prefix.',
      );
    }
    return role;
  }
}
