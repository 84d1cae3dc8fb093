import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AsOfSnapshots } from '../../lib/catalog/as-of-snapshots';
import { ReplicatedTable } from '../../lib/catalog/replicated-table';
import { BANKING_DATASET, datasetSchema } from '../../lib/config/dataset';
import { BANKING_PERSONAL_COLUMNS } from '../../lib/governance/config';
import { LENDING_DATASET } from '../support/datasets';
import { catalogStackOf, storageStackOf } from '../support/stacks';
import { stableTemplate } from '../support/stable-template';
import type { TestAppOptions } from '../support/test-app';
import { createTestApp, describeFindings, nagFindings, testConfig } from '../support/test-app';
import type { TemplateResource } from '../support/template-resources';
import { resourcesOf } from '../support/template-resources';

function buildCatalog(overrides: unknown = {}, options: TestAppOptions = {}) {
  const app = createTestApp(options);
  const config = testConfig(overrides);
  const storage = storageStackOf(app, config);
  const catalog = catalogStackOf(app, config, storage);
  return { app, config, storage, catalog, template: Template.fromStack(catalog) };
}

const dataLakeBucket = {
  'Fn::ImportValue': Match.stringLikeRegexp('^Storage:ExportsOutputRefDataLakeBucket'),
};

describe('CatalogStack', () => {
  const { app, catalog, template } = buildCatalog(
    {
      features: { governance: false },
      datasets: [BANKING_DATASET, LENDING_DATASET],
      replication: { tables: ['banking', 'loans'] },
    },
    { nag: true },
  );

  test('has the configured Glue database over the change-data prefix', () => {
    template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseInput: {
        Name: 'ml_foundation',
        LocationUri: { 'Fn::Join': ['', ['s3://', dataLakeBucket, '/cdc/']] },
      },
    });
    expect(catalog.databaseName).toBe('ml_foundation');
  });

  describe('declared tables', () => {
    const tables = resourcesOf(template, 'AWS::Glue::Table');
    const loans = tables.find((table) => table.Properties.TableInput.Name === 'loans')!;

    test('one per replicated dataset, exposed by name for governance', () => {
      expect(tables.map((table) => table.Properties.TableInput.Name).sort()).toEqual([
        'banking',
        'history_truncations',
        'loans',
      ]);
      expect([...catalog.tables.keys()]).toEqual(['banking', 'loans']);
      for (const table of tables) {
        expect(table.Properties.DatabaseName).toEqual({ Ref: 'Database' });
      }
    });

    test('columns: the DMS columns, the key before-image, then the dataset columns typed as the Parquet files hold them', () => {
      // DMS transformation rules, add-before-image-columns with column-filter pk-only: DMS
      // writes each primary key column's value before the change to bi_<key>, typed as the key.
      expect(
        loans.Properties.TableInput.StorageDescriptor.Columns.map(
          (column: { Name: string; Type: string }) => [column.Name, column.Type],
        ),
      ).toEqual([
        ['op', 'string'],
        ['commit_ts', 'string'],
        ['change_seq', 'string'],
        ['bi_loan_id', 'bigint'],
        ['bi_version', 'smallint'],
        ['loan_id', 'bigint'],
        ['version', 'smallint'],
        ['approved', 'boolean'],
        ['amount', 'decimal(12,2)'],
        ['currency', 'string'],
        ['rate', 'double'],
        ['signed_on', 'date'],
        ['updated_at', 'timestamp'],
        ['notes', 'string'],
      ]);
    });

    test('reads every generation folder of the table as Parquet, through a projected generation partition', () => {
      // Athena partition projection: an integer projection with a range and
      // storage.location.template, whose ${generation} Athena fills in; the generation folder
      // sits above the schema and table folders (data-lake-layout.ts), so one location without
      // projection could not read every generation.
      expect(loans.Properties.TableInput).toMatchObject({
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'generation', Type: 'int' }],
        Parameters: {
          classification: 'parquet',
          'primary.key': 'loan_id,version',
          'projection.enabled': 'true',
          'projection.generation.type': 'integer',
          'projection.generation.range': '1,1',
          'storage.location.template': {
            'Fn::Join': [
              '',
              [
                's3://',
                expect.objectContaining({}),
                '/cdc/generation=${generation}/lending/loans/',
              ],
            ],
          },
        },
        StorageDescriptor: {
          Location: {
            'Fn::Join': [
              '',
              ['s3://', expect.objectContaining({}), '/cdc/generation=1/lending/loans/'],
            ],
          },
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          SerdeInfo: {
            SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
          },
        },
      });
    });
  });

  describe('truncation marks', () => {
    const tables = resourcesOf(template, 'AWS::Glue::Table');
    const marks = tables.find(
      (table) => table.Properties.TableInput.Name === 'history_truncations',
    );

    test('a comma-separated text table next to the generation folders, which Athena INSERT INTO writes', () => {
      // Athena INSERT INTO supports text (LazySimpleSerDe) tables; DMS writes only under the
      // generation folders, so nothing else writes the marks' folder.
      expect(marks).toBeDefined();
      expect(marks!.Properties.DatabaseName).toEqual({ Ref: 'Database' });
      expect(marks!.Properties.TableInput).toMatchObject({
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [],
        StorageDescriptor: {
          Columns: [
            expect.objectContaining({ Name: 'table_name', Type: 'string' }),
            expect.objectContaining({ Name: 'truncated_at', Type: 'timestamp' }),
          ],
          Location: {
            'Fn::Join': ['', ['s3://', expect.objectContaining({}), '/cdc/truncations/']],
          },
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          SerdeInfo: {
            SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
            Parameters: { 'field.delim': ',' },
          },
        },
      });
      expect(catalog.truncationMarks.tableName).toBe('history_truncations');
      expect([...catalog.tables.keys()]).not.toContain('history_truncations');
    });

    test('the as-of statements are prepared after the tables they read', () => {
      for (const statement of resourcesOf(template, 'AWS::Athena::PreparedStatement')) {
        expect(statement.DependsOn).toEqual(
          expect.arrayContaining([
            marks!.id,
            ...tables.filter((table) => table !== marks).map((table) => table.id),
          ]),
        );
      }
    });
  });

  describe('crawlers', () => {
    const crawlers = resourcesOf(template, 'AWS::Glue::Crawler');
    const declared = crawlers.find((crawler) => crawler.Properties.Targets.CatalogTargets)!;
    const discovery = crawlers.find((crawler) => crawler.Properties.Targets.S3Targets)!;

    // Glue's UpdateTable replaces the whole table input (boto/boto3#1727), and CloudFormation
    // sends the template's on every update of a table: columns a crawler merged into a declared
    // table would be dropped by the next deployment. CloudFormation is the one owner of those
    // tables' schema; the crawler only logs what differs.
    test('the declared-tables crawler crawls the declared tables on the schedule, and changes none of them', () => {
      expect(crawlers).toHaveLength(2);
      expect(declared.Properties).toMatchObject({
        Name: 'ml-foundation-replicated-tables',
        Schedule: { ScheduleExpression: 'cron(0 3 * * ? *)' },
        Targets: {
          CatalogTargets: [{ DatabaseName: { Ref: 'Database' }, Tables: ['banking', 'loans'] }],
        },
        SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
      });
      expect(JSON.parse(declared.Properties.Configuration)).toEqual({
        Version: 1,
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
      });
      const declaredTables = resourcesOf(template, 'AWS::Glue::Table').filter(
        (table) => table.Properties.TableInput.Name !== 'history_truncations',
      );
      expect(declared.DependsOn).toEqual(
        expect.arrayContaining(declaredTables.map((table) => table.id)),
      );
    });

    test('the discovery crawler catalogs the rest of the prefix under a table prefix', () => {
      expect(discovery.Properties).toMatchObject({
        Name: 'ml-foundation-discovery',
        DatabaseName: { Ref: 'Database' },
        TablePrefix: 'discovered_',
        Schedule: { ScheduleExpression: 'cron(0 3 * * ? *)' },
        Targets: {
          S3Targets: [
            {
              Path: { 'Fn::Join': ['', ['s3://', expect.objectContaining({}), '/cdc/']] },
              Exclusions: [
                'generation=*/banking/banking/**',
                'generation=*/lending/loans/**',
                'truncations/**',
              ],
            },
          ],
        },
      });
      // Levels count from the bucket: cdc (2), generation=<n> (3), schema (4), table (5).
      expect(JSON.parse(discovery.Properties.Configuration).Grouping).toEqual({
        TableLevelConfiguration: 5,
      });
    });

    test('both write KMS-encrypted logs through a security configuration', () => {
      const [securityConfiguration] = resourcesOf(template, 'AWS::Glue::SecurityConfiguration');
      expect(securityConfiguration.Properties.EncryptionConfiguration.CloudWatchEncryption).toEqual(
        {
          CloudWatchEncryptionMode: 'SSE-KMS',
          KmsKeyArn: { 'Fn::GetAtt': [expect.stringMatching(/^CrawlersLogsKey/), 'Arn'] },
        },
      );
      for (const crawler of crawlers) {
        expect(crawler.Properties.CrawlerSecurityConfiguration).toEqual({
          Ref: securityConfiguration.id,
        });
      }
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: {
                Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
              },
            }),
          ]),
        },
      });
    });

    test('each crawler has its own role; only discovery may create tables, and only prefixed ones', () => {
      expect(catalog.crawlerRoles).toHaveLength(2);
      const policyOf = (crawler: TemplateResource) => {
        const roleId = crawler.Properties.Role['Fn::GetAtt'][0];
        return resourcesOf(template, 'AWS::IAM::Policy').find(
          (policy) => policy.Properties.Roles[0].Ref === roleId,
        )!.Properties.PolicyDocument.Statement as Array<{
          Action: string[] | string;
          Resource: unknown;
        }>;
      };
      const glueStatement = (statements: ReturnType<typeof policyOf>) =>
        statements.find((statement) => [statement.Action].flat().includes('glue:GetTable'))!;

      const declaredGlue = glueStatement(policyOf(declared));
      expect(declaredGlue.Action).not.toContain('glue:CreateTable');
      expect(declaredGlue.Action).not.toContain('glue:UpdateTable');
      expect(JSON.stringify(declaredGlue.Resource)).toContain(
        ':table/",{"Ref":"Database"},"/banking"',
      );
      expect(JSON.stringify(declaredGlue.Resource)).toContain(
        ':table/",{"Ref":"Database"},"/loans"',
      );

      const discoveryGlue = glueStatement(policyOf(discovery));
      expect(discoveryGlue.Action).toContain('glue:CreateTable');
      expect(JSON.stringify(discoveryGlue.Resource)).toContain(
        ':table/",{"Ref":"Database"},"/discovered_*"',
      );

      const declaredReads = policyOf(declared).find(
        (statement) => statement.Action === 's3:GetObject',
      )!;
      expect(JSON.stringify(declaredReads.Resource)).toContain(
        '/cdc/generation=1/banking/banking/*',
      );
      expect(JSON.stringify(declaredReads.Resource)).not.toContain('"/cdc/*"');
    });
  });

  describe('Athena workgroup', () => {
    const [workgroup] = resourcesOf(template, 'AWS::Athena::WorkGroup');
    const configuration = workgroup.Properties.WorkGroupConfiguration;

    test('enforces its configuration and publishes CloudWatch metrics', () => {
      expect(workgroup.Properties.Name).toBe('ml-foundation');
      expect(catalog.workgroupName).toBe('ml-foundation');
      expect(configuration.EnforceWorkGroupConfiguration).toBe(true);
      expect(configuration.PublishCloudWatchMetricsEnabled).toBe(true);
      expect(configuration.EngineVersion).toEqual({
        SelectedEngineVersion: 'Athena engine version 3',
      });
    });

    test('cancels queries that would scan more than the configured limit', () => {
      expect(configuration.BytesScannedCutoffPerQuery).toBe(10 * 1024 ** 3);
    });

    test('writes results KMS-encrypted to the results bucket, whose lifecycle expires them', () => {
      expect(configuration.ResultConfiguration).toEqual({
        OutputLocation: {
          'Fn::Join': [
            '',
            [
              's3://',
              { 'Fn::ImportValue': expect.stringMatching(/AthenaResultsBucket/) },
              '/ml-foundation/',
            ],
          ],
        },
        EncryptionConfiguration: {
          EncryptionOption: 'SSE_KMS',
          KmsKey: { 'Fn::ImportValue': expect.stringMatching(/DataKey.*Arn/) },
        },
        ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
      });
    });
  });

  describe('as-of snapshots', () => {
    test('a prepared statement per table, with one TIMESTAMP parameter', () => {
      const statements = resourcesOf(template, 'AWS::Athena::PreparedStatement');
      expect(statements.map((statement) => statement.Properties.StatementName).sort()).toEqual([
        'banking_as_of',
        'loans_as_of',
      ]);
      const loans = statements.find(
        (statement) => statement.Properties.StatementName === 'loans_as_of',
      )!;
      const sql: string = loans.Properties.QueryStatement;
      expect(loans.Properties.WorkGroup).toEqual({
        Ref: expect.stringMatching(/^WorkgroupWorkGroup/),
      });
      expect(sql.match(/\?/g)).toHaveLength(1);
      expect(sql).toContain('FROM "ml_foundation"."loans"');
      expect(sql).toContain('WHERE "as_of_event_time" <= ?');
      expect(sql).toContain('FROM "ml_foundation"."history_truncations"');
      expect(sql).toContain('PARTITION BY "loan_id", "version"');
      expect(loans.Properties.Description).toContain(
        "EXECUTE loans_as_of USING TIMESTAMP '2024-05-01 00:00:00'",
      );
    });

    test('a saved query per table with the same SQL, in the workgroup and database', () => {
      const queries = resourcesOf(template, 'AWS::Athena::NamedQuery');
      const statements = resourcesOf(template, 'AWS::Athena::PreparedStatement');
      expect(queries).toHaveLength(2);
      for (const query of queries) {
        expect(query.Properties.Database).toEqual({ Ref: 'Database' });
        expect(query.Properties.WorkGroup).toEqual({
          Ref: expect.stringMatching(/^WorkgroupWorkGroup/),
        });
        expect(statements.map((statement) => statement.Properties.QueryStatement)).toContain(
          query.Properties.QueryString,
        );
      }
    });
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(app, catalog))).toBe('');
  });

  test('matches the reviewed snapshot', () => {
    expect(stableTemplate(catalog)).toMatchSnapshot();
  });
});

describe('CatalogStack configuration', () => {
  test('under governance, new tables get no IAM-only default and the discovery crawler uses Lake Formation credentials', () => {
    const { template } = buildCatalog();
    template.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: Match.objectLike({ CreateTableDefaultPermissions: [] }),
    });
    const crawlers = resourcesOf(template, 'AWS::Glue::Crawler');
    const byName = (name: string) => crawlers.find((crawler) => crawler.Properties.Name === name);
    expect(byName('ml-foundation-discovery')?.Properties.LakeFormationConfiguration).toEqual({
      UseLakeFormationCredentials: true,
    });
    const declared = byName('ml-foundation-replicated-tables');
    expect(declared).toBeDefined();
    expect(declared?.Properties.LakeFormationConfiguration).toBeUndefined();
  });

  // Glue, "Crawler errors when the crawler is using Lake Formation permissions": a crawl fails
  // with "The S3 location ... is not registered" or "Insufficient Lake Formation permission(s)"
  // until its location is registered and its grants exist, which the governance stack does: the
  // crawlers have no schedule here, and governance's trigger starts them (see its tests).
  test('under governance, the crawlers have no schedule of their own', () => {
    const { catalog, template } = buildCatalog();
    for (const crawler of resourcesOf(template, 'AWS::Glue::Crawler')) {
      expect(crawler.Properties.Schedule).toBeUndefined();
    }
    expect(catalog.crawlerSchedule).toBe('cron(0 3 * * ? *)');
    expect(catalog.crawlers).toHaveLength(2);
  });

  describe('under governance, each query persona', () => {
    const { catalog, template } = buildCatalog({
      datasets: [BANKING_DATASET, LENDING_DATASET],
      replication: { tables: ['banking', 'loans'] },
    });
    const workgroups = resourcesOf(template, 'AWS::Athena::WorkGroup');
    const statements = resourcesOf(template, 'AWS::Athena::PreparedStatement');
    const queries = resourcesOf(template, 'AWS::Athena::NamedQuery');
    const workgroupIdOf = (name: string) => workgroups.find((w) => w.Properties.Name === name)!.id;

    // Athena, "Considerations and limitations" of Lake Formation: results and query history
    // are not governed by Lake Formation; use a workgroup and results location per audience.
    test('has a workgroup of its own, writing under its own prefix', () => {
      expect(workgroups.map((w) => w.Properties.Name)).toEqual([
        'ml-foundation-analyst',
        'ml-foundation-project-leader',
      ]);
      for (const workgroup of workgroups) {
        expect(
          workgroup.Properties.WorkGroupConfiguration.ResultConfiguration.OutputLocation,
        ).toEqual({
          'Fn::Join': [
            '',
            [
              's3://',
              { 'Fn::ImportValue': expect.stringMatching(/AthenaResultsBucket/) },
              `/${workgroup.Properties.Name}/`,
            ],
          ],
        });
        expect(workgroup.Properties.WorkGroupConfiguration.EnforceWorkGroupConfiguration).toBe(
          true,
        );
      }
      expect([...catalog.queryWorkgroups]).toEqual([
        ['analyst', 'ml-foundation-analyst'],
        ['project-leader', 'ml-foundation-project-leader'],
      ]);
      expect(catalog.workgroupName).toBeUndefined();
    });

    test('gets an as-of statement and saved query per table it may read, in its workgroup, naming only its columns', () => {
      const inWorkgroup = (resources: typeof statements, name: string) =>
        resources.filter(
          (resource) =>
            JSON.stringify(resource.Properties.WorkGroup) ===
            JSON.stringify({ Ref: workgroupIdOf(name) }),
        );
      const analystSql = inWorkgroup(statements, 'ml-foundation-analyst').map(
        (statement) => statement.Properties.QueryStatement as string,
      );
      // The default configuration tags only banking: loans is nobody's yet.
      expect(analystSql).toHaveLength(1);
      expect(analystSql[0]).toContain('FROM "ml_foundation"."banking"');
      for (const personal of BANKING_PERSONAL_COLUMNS) {
        expect(analystSql[0]).not.toContain(`"${personal}"`);
      }
      expect(inWorkgroup(queries, 'ml-foundation-analyst')[0].Properties.QueryString).toBe(
        analystSql[0],
      );
      const leaderSql = inWorkgroup(statements, 'ml-foundation-project-leader').map(
        (statement) => statement.Properties.QueryStatement as string,
      );
      expect(leaderSql).toHaveLength(1);
      for (const personal of BANKING_PERSONAL_COLUMNS) {
        expect(leaderSql[0]).toContain(`"${personal}"`);
      }
      expect(statements.map((statement) => statement.Properties.StatementName)).toEqual([
        'banking_as_of',
        'banking_as_of',
      ]);
    });

    test('matches the reviewed snapshot', () => {
      expect(stableTemplate(catalog)).toMatchSnapshot();
    });
  });

  // Athena DeleteWorkGroup: RecursiveDeleteOption deletes "even if the workgroup contains any
  // named queries, query executions, or notebooks"; without it the stack delete fails with
  // "WorkGroup ... is not empty" (aws-samples/coast-grafana-cost-intelligence-dashboards#9).
  test("the workgroups' deletion follows the removal policy", () => {
    const destroyed = buildCatalog({ storage: { removalPolicy: 'destroy' } }).template;
    for (const workgroup of resourcesOf(destroyed, 'AWS::Athena::WorkGroup')) {
      expect(workgroup.Properties.RecursiveDeleteOption).toBe(true);
      expect(workgroup.DeletionPolicy).toBe('Delete');
    }
    const kept = buildCatalog().template;
    for (const workgroup of resourcesOf(kept, 'AWS::Athena::WorkGroup')) {
      expect(workgroup.Properties.RecursiveDeleteOption).toBe(false);
      expect(workgroup.DeletionPolicy).toBe('RetainExceptOnCreate');
    }
  });

  test('without governance, the catalog keeps Glue defaults and IAM credentials', () => {
    const { template } = buildCatalog({ features: { governance: false } });
    const [database] = resourcesOf(template, 'AWS::Glue::Database');
    expect(database.Properties.DatabaseInput.CreateTableDefaultPermissions).toBeUndefined();
    for (const crawler of resourcesOf(template, 'AWS::Glue::Crawler')) {
      expect(crawler.Properties.LakeFormationConfiguration).toBeUndefined();
    }
  });

  test('the schedule, the discovered-table prefix and the scan limit come from the configuration', () => {
    const { template } = buildCatalog({
      features: { governance: false },
      catalog: {
        crawlerSchedule: 'cron(30 1 ? * MON *)',
        discoveredTablePrefix: 'found_',
        athena: { bytesScannedCutoffPerQuery: 50_000_000 },
      },
    });
    for (const crawler of resourcesOf(template, 'AWS::Glue::Crawler')) {
      expect(crawler.Properties.Schedule).toEqual({ ScheduleExpression: 'cron(30 1 ? * MON *)' });
    }
    template.hasResourceProperties('AWS::Glue::Crawler', { TablePrefix: 'found_' });
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 50_000_000 }),
    });
  });

  test('a bucket folder two levels deep moves table locations and the discovery level', () => {
    const { template } = buildCatalog({ replication: { bucketFolder: 'history/mysql/' } });
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        StorageDescriptor: Match.objectLike({
          Location: {
            'Fn::Join': [
              '',
              ['s3://', dataLakeBucket, '/history/mysql/generation=1/banking/banking/'],
            ],
          },
        }),
      }),
    });
    const discovery = resourcesOf(template, 'AWS::Glue::Crawler').find(
      (crawler) => crawler.Properties.Targets.S3Targets,
    )!;
    expect(JSON.parse(discovery.Properties.Configuration).Grouping.TableLevelConfiguration).toBe(6);
  });

  test('a dataset column named like a DMS column is a configuration error with its path', () => {
    expect(() =>
      testConfig({
        datasets: [
          {
            ...BANKING_DATASET,
            columns: [...BANKING_DATASET.columns, { name: 'commit_ts', type: 'timestamp' }],
          },
        ],
      }),
    ).toThrow(
      'datasets[0].columns[22].name: "commit_ts" is a column DMS adds to every replicated row; rename the column',
    );
  });

  test('a later generation: every table reads generations 1 to it, and is located in it', () => {
    const { template } = buildCatalog({ replication: { generation: 3 } });
    const banking = resourcesOf(template, 'AWS::Glue::Table').find(
      (table) => table.Properties.TableInput.Name === 'banking',
    )!;
    expect(banking.Properties.TableInput.Parameters['projection.generation.range']).toBe('1,3');
    expect(banking.Properties.TableInput.StorageDescriptor.Location).toEqual({
      'Fn::Join': [
        '',
        ['s3://', expect.objectContaining({}), '/cdc/generation=3/banking/banking/'],
      ],
    });
    const discovery = resourcesOf(template, 'AWS::Glue::Crawler').find(
      (crawler) => crawler.Properties.Targets.S3Targets,
    )!;
    expect(discovery.Properties.Targets.S3Targets[0].Exclusions).toEqual([
      'generation=*/banking/banking/**',
      'truncations/**',
    ]);
  });

  test('the scan limit below what Athena accepts is a configuration error', () => {
    expect(() =>
      testConfig({ catalog: { athena: { bytesScannedCutoffPerQuery: 1_000 } } }),
    ).toThrow('catalog.athena.bytesScannedCutoffPerQuery: Athena requires at least 10000000 bytes');
  });
});

describe('catalog constructs', () => {
  test('a dataset whose columns clash with the change columns fails synth with every problem', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'Direct');
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'data-lake');
    const dataset = datasetSchema.parse({
      name: 'events',
      mysqlDatabase: 'audit',
      primaryKey: ['id'],
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 'op', type: 'varchar(8)' },
      ],
    });
    new ReplicatedTable(stack, 'Table', {
      databaseName: 'db',
      dataset,
      bucket,
      bucketFolder: 'cdc/',
      generation: 1,
    });
    new AsOfSnapshots(stack, 'Snapshots', {
      databaseName: 'db',
      databaseRef: 'db',
      workgroups: [{ id: '', workgroupName: 'wg' }],
      datasets: [dataset],
    });
    expect(() => app.synth()).toThrow(
      /dataset "events": column "op" clashes with a column DMS adds to every row[\s\S]*dataset "events": column "op" clashes with a column of the change table/,
    );
  });
});
