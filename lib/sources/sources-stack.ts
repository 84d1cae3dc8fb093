import type { StackProps } from 'aws-cdk-lib';
import { Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import { DataKey } from '../storage/data-key';
import { databaseProtection } from './database-protection';
import { addOutputs } from '../shared/outputs';
import type { StackOutput } from '../shared/outputs';
import type { NetworkConfig, SourcesConfig } from './config';
import type { DatabaseSources } from './database-source';
import { MysqlSource } from './mysql-source';
import { RedshiftSource } from './redshift-source';
import { SourceNetwork } from './source-network';

/** The datasets that Amazon ML reads from each source database. */
export interface AmazonMlReads {
  readonly redshift: readonly DatasetConfig[];
  readonly mysql: readonly DatasetConfig[];
}

/** Properties of the {@link SourcesStack}. */
export interface SourcesStackProps extends StackProps {
  /** Prefix of the database key's alias, `<projectName>/sources`. */
  readonly projectName: string;
  /**
   * `DESTROY` lets the stack delete the databases, each after a final snapshot; anything else
   * keeps them, with what they stand on, when the stack is deleted.
   */
  readonly removalPolicy: RemovalPolicy;
  /** The VPC to create or import. */
  readonly network: NetworkConfig;
  /** The Redshift cluster and the MySQL instance to create or import. */
  readonly sources: SourcesConfig;
  /** Every dataset: each created database gets their tables. */
  readonly datasets: readonly DatasetConfig[];
  /**
   * The datasets that Amazon ML reads from each database: a database with any gets a reader
   * user with SELECT on their tables.
   * @default - Amazon ML reads nothing
   */
  readonly amazonMlReads?: AmazonMlReads;
  /**
   * Whether a created Redshift cluster has a public endpoint (see `redshiftPubliclyAccessible`).
   * @default false
   */
  readonly redshiftPubliclyAccessible?: boolean;
}

/**
 * The network and the two source databases (Redshift and RDS for MySQL), created or imported,
 * with every dataset's table in the databases it creates, and a reader user for Amazon ML in
 * each database it reads.
 */
export class SourcesStack extends Stack implements DatabaseSources {
  readonly vpc: ec2.IVpc;
  readonly workloadSubnets: ec2.SubnetSelection;
  readonly redshift: RedshiftSource;
  readonly mysql: MysqlSource;

  constructor(scope: Construct, id: string, props: SourcesStackProps) {
    super(scope, id, props);
    const network = new SourceNetwork(this, 'Network', { network: props.network });
    this.vpc = network.vpc;
    this.workloadSubnets = network.workloadSubnets;
    const protection = databaseProtection(props.removalPolicy);
    const publiclyAccessible = props.redshiftPubliclyAccessible ?? false;

    // Always kept: a final snapshot taken when a database is deleted stays readable.
    const encryptionKey = new DataKey(this, 'DatabaseKey', {
      aliasName: `${props.projectName}/sources`,
      description: 'Encrypts the source databases of the ML data foundation and their snapshots',
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    }).key;

    this.redshift = new RedshiftSource(this, 'Redshift', {
      redshift: props.sources.redshift,
      vpc: this.vpc,
      subnets: network.databaseSubnets,
      publiclyAccessible,
      encryptionKey,
      protection,
      datasets: props.datasets,
      readerDatasets: props.amazonMlReads?.redshift,
    });
    this.mysql = new MysqlSource(this, 'Mysql', {
      mysql: props.sources.mysql,
      vpc: this.vpc,
      subnets: network.databaseSubnets,
      workloadSubnets: network.workloadSubnets,
      encryptionKey,
      protection,
      datasets: props.datasets,
      readerDatasets: props.amazonMlReads?.mysql,
    });

    const createsDatabase = [props.sources.redshift, props.sources.mysql].some(
      (source) => source.mode === 'create',
    );
    const keptSubnets = createsDatabase
      ? network.keepForDatabases(protection, {
          publicSubnets: publiclyAccessible && props.sources.redshift.mode === 'create',
        })
      : [];

    addOutputs(this, [
      { id: 'VpcId', value: this.vpc.vpcId, description: 'VPC of the source databases' },
      ...(keptSubnets.length > 0
        ? [
            {
              id: 'KeptSubnetIds',
              value: Fn.join(
                ',',
                keptSubnets.map((subnet) => subnet.subnetId),
              ),
              description: 'Subnets that the databases use, kept when the stack is deleted',
            },
          ]
        : []),
      ...databaseOutputs('Redshift', 'Redshift cluster', this.redshift),
      ...databaseOutputs('Mysql', 'MySQL instance', this.mysql),
    ]);
  }
}

function databaseOutputs(
  id: string,
  what: string,
  database: RedshiftSource | MysqlSource,
): StackOutput[] {
  const reader = database.tables?.readerSecret;
  return [
    { id: `${id}Identifier`, value: database.identifier, description: `Identifier of the ${what}` },
    {
      id: `${id}Endpoint`,
      value: database.endpointAddress,
      description: `Endpoint address of the ${what}`,
    },
    { id: `${id}Port`, value: String(database.port), description: `Port of the ${what}` },
    {
      id: `${id}SecurityGroupId`,
      value: database.securityGroup.securityGroupId,
      description: `Security group of the ${what}`,
    },
    {
      id: `${id}SecretArn`,
      value: database.secret.secretArn,
      description: `Secret with the admin credentials of the ${what}`,
    },
    ...(reader
      ? [
          {
            id: `${id}ReaderSecretArn`,
            value: reader.secretArn,
            description: `Secret of the user Amazon ML reads the ${what} as`,
          },
        ]
      : []),
  ];
}
