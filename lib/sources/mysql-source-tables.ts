import * as path from 'node:path';
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SharedProvider } from '../shared/shared-provider';
import { GENERATED_PASSWORD_EXCLUDED_CHARACTERS } from './database-access';
import type { MySqlSourceTablesProperties } from './handler/mysql-source-tables-properties';
import { MYSQL_SOURCE_TABLES_RESOURCE_TYPE } from './handler/mysql-source-tables-properties';
import type { SourceTablesOptions } from './source-tables';
import { createReaderSecret, sourceTablesProperties } from './source-tables';

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
export interface MySqlSourceTablesProps extends SourceTablesOptions {
  /** The VPC of the instance; the setup function runs in it. */
  readonly vpc: ec2.IVpc;
  /** Subnets of the setup function; they need a route to Secrets Manager. */
  readonly subnets: ec2.SubnetSelection;
  readonly database: MySqlTablesTarget;
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
      this.readerSecret = createReaderSecret(this, {
        description: `MySQL user ${reader.username} that Amazon ML reads instance ${database.identifier} as`,
        secretStringTemplate: Stack.of(this).toJsonString({
          engine: 'mysql',
          host: database.endpointAddress,
          port: database.port,
          dbname: database.databaseName,
          username: reader.username,
          ssl: true,
        }),
        excludeCharacters: GENERATED_PASSWORD_EXCLUDED_CHARACTERS,
      });
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
      ...sourceTablesProperties(props, database.secret, this.readerSecret),
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
