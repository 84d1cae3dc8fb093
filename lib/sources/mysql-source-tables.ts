import * as path from 'node:path';
import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import { acknowledge } from '../shared/nag';
import { SharedProvider } from '../shared/shared-provider';
import { GENERATED_PASSWORD_EXCLUDED_CHARACTERS } from './database-access';
import type { MySqlSourceTablesProperties } from './handler/mysql-source-tables-properties';
import { MYSQL_SOURCE_TABLES_RESOURCE_TYPE } from './handler/mysql-source-tables-properties';
import { readerProperties, tableDefinitions } from './source-tables';

/** The MySQL instance that {@link MySqlSourceTables} works in. */
export interface MySqlTablesTarget {
  readonly identifier: string;
  readonly databaseName: string;
  readonly endpointAddress: string;
  readonly port: number;
  readonly securityGroup: ec2.ISecurityGroup;
  /** The admin secret the setup signs in with. */
  readonly secret: secretsmanager.ISecret;
}

/** Properties of {@link MySqlSourceTables}. */
export interface MySqlSourceTablesProps {
  /** The VPC of the instance; the setup function runs in it. */
  readonly vpc: ec2.IVpc;
  /** Subnets of the setup function; they need a route to Secrets Manager. */
  readonly subnets: ec2.SubnetSelection;
  readonly database: MySqlTablesTarget;
  /** Every dataset: their tables are created when `createTables` is set. */
  readonly datasets: readonly DatasetConfig[];
  /** Whether to create the datasets' tables: the app created the instance. */
  readonly createTables: boolean;
  /** Whether to load the built-in samples into empty tables. */
  readonly loadSample: boolean;
  /**
   * The user Amazon ML reads as and the datasets whose tables it reads.
   * @default - no reader user
   */
  readonly reader?: { readonly username: string; readonly datasets: readonly DatasetConfig[] };
}

/**
 * The tables of the datasets in a MySQL instance, their samples, and the user Amazon ML reads
 * them as (`Custom::MySqlSourceTables`), set up by a function inside the VPC that signs in with
 * the admin secret over TLS. The reader authenticates with `mysql_native_password` and TLS only
 * (`REQUIRE SSL`): AWS Data Pipeline's JDBC connection, which Amazon ML's RDS datasources use,
 * documents neither its driver nor its TLS settings (`RDSDataSpec` has none to set); the older
 * plugin is the one every MySQL driver speaks, and the instance refuses plain connections anyway.
 */
export class MySqlSourceTables extends Construct {
  /** Complete once the tables, their samples and the reader user exist. */
  readonly resource: CustomResource;
  /** The reader's secret, when there is a reader. */
  readonly readerSecret?: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: MySqlSourceTablesProps) {
    super(scope, id);
    const { database, reader } = props;

    if (reader) {
      this.readerSecret = new secretsmanager.Secret(this, 'ReaderSecret', {
        description: `MySQL user ${reader.username} that Amazon ML reads instance ${database.identifier} as`,
        generateSecretString: {
          secretStringTemplate: Stack.of(this).toJsonString({
            engine: 'mysql',
            host: database.endpointAddress,
            port: database.port,
            dbname: database.databaseName,
            username: reader.username,
            ssl: true,
          }),
          generateStringKey: 'password',
          passwordLength: 32,
          excludeCharacters: GENERATED_PASSWORD_EXCLUDED_CHARACTERS,
        },
        // The setup drops the user when the resource goes; the credentials go with it.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      acknowledge(
        this.readerSecret,
        'AwsSolutions-SMG4',
        undefined,
        'Amazon ML copies these credentials into each datasource when it creates it and never reads the secret again, so a rotation would reach no datasource; the user may only read the dataset tables, and only the setup function and the Amazon ML handler may read the secret.',
      );
    }

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Creates the dataset tables and the reader user in MySQL instance ${database.identifier}`,
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'Secrets Manager over HTTPS',
    );
    securityGroup.connections.allowTo(
      database.securityGroup,
      ec2.Port.tcp(database.port),
      'Creates the dataset tables and the reader user',
    );

    const provider = SharedProvider.of(this, 'MySqlSourceTablesProvider', {
      entry: path.join(__dirname, 'handler', 'mysql-source-tables.ts'),
      description: 'Creates the dataset tables, their samples and the Amazon ML reader in MySQL',
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [securityGroup],
      handlerTimeout: Duration.minutes(5),
    });
    for (const role of provider.roles) {
      database.secret.grantRead(role);
      this.readerSecret?.grantRead(role);
    }

    const properties: MySqlSourceTablesProperties = {
      Host: database.endpointAddress,
      Port: database.port,
      AdminSecretArn: database.secret.secretArn,
      Datasets: tableDefinitions(props.datasets),
      CreateTables: props.createTables,
      LoadSample: props.loadSample,
      Reader:
        reader && this.readerSecret
          ? readerProperties(this.readerSecret, reader.datasets)
          : undefined,
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: MYSQL_SOURCE_TABLES_RESOURCE_TYPE,
      properties: { ...properties },
    });
    // Deleted before the rules it connects through, so that its delete can drop the reader.
    this.resource.node.addDependency(securityGroup, database.securityGroup);
  }
}
