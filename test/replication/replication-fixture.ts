import { Stack } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DependencyGroup } from 'constructs';
import type { CatalogStack } from '../../lib/catalog/catalog-stack';
import type { AppConfig } from '../../lib/config/schema';
import { ReplicationStack } from '../../lib/replication/replication-stack';
import type { DatabaseSource } from '../../lib/sources/database-source';
import type { StorageStack } from '../../lib/storage/storage-stack';
import { catalogStackOf, replicatedDatasetsOf, storageStackOf } from '../support/stacks';
import type { TestAppOptions } from '../support/test-app';
import { createTestApp, testConfig } from '../support/test-app';

/** The MySQL source of the fixture: an imported database, as another stack would hand it over. */
export const FIXTURE_MYSQL = {
  endpointAddress: 'ml-foundation-mysql.abcdefghijkl.us-east-1.rds.amazonaws.com',
  port: 3306,
  securityGroupId: 'sg-0123456789abcdef0',
  secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ml-foundation-mysql-AbCdEf',
} as const;

/** The stacks of the fixture app. */
export interface ReplicationFixture {
  readonly app: App;
  readonly config: AppConfig;
  readonly storage: StorageStack;
  readonly sources: Stack;
  readonly replication: ReplicationStack;
  readonly catalog: CatalogStack;
}

/**
 * The storage stack, a stand-in for the sources stack (a new VPC and an imported MySQL
 * database), and the replication and catalog stacks, from the default configuration with
 * `overrides` merged over it.
 */
export function buildReplicationFixture(
  overrides: unknown = {},
  options: TestAppOptions = {},
): ReplicationFixture {
  const app = createTestApp(options);
  const config = testConfig(overrides);
  const storage = storageStackOf(app, config);
  const sources = new Stack(app, 'SourcesFixture');
  const vpc = new ec2.Vpc(sources, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const mysql: DatabaseSource = {
    identifier: 'ml-foundation-mysql',
    databaseName: 'banking',
    endpointAddress: FIXTURE_MYSQL.endpointAddress,
    port: FIXTURE_MYSQL.port,
    securityGroup: ec2.SecurityGroup.fromSecurityGroupId(
      sources,
      'MysqlSecurityGroup',
      FIXTURE_MYSQL.securityGroupId,
    ),
    secret: secretsmanager.Secret.fromSecretCompleteArn(
      sources,
      'MysqlSecret',
      FIXTURE_MYSQL.secretArn,
    ),
    get readerSecret() {
      return this.secret;
    },
    tablesReady: new DependencyGroup(),
  };
  const replication = new ReplicationStack(app, 'Replication', {
    projectName: config.projectName,
    replication: config.replication,
    datasets: replicatedDatasetsOf(config),
    storage,
    vpc,
    mysql,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  });
  const catalog = catalogStackOf(app, config, storage);
  return { app, config, storage, sources, replication, catalog };
}
