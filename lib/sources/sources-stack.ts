import type { StackProps } from 'aws-cdk-lib';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { DataKey } from '../storage/data-key';
import { databaseProtection } from './database-protection';
import { addOutputs } from '../shared/outputs';
import type { StackOutput } from '../shared/outputs';
import type { NetworkConfig, SourcesConfig } from './config';
import type { DatabaseSource, DatabaseSources } from './database-source';
import { MysqlSource } from './mysql-source';
import { RedshiftSource } from './redshift-source';
import { SourceNetwork } from './source-network';

/** Properties of the {@link SourcesStack}. */
export interface SourcesStackProps extends StackProps {
  /** Prefix of the database key's alias, `<projectName>/sources`. */
  readonly projectName: string;
  /**
   * `DESTROY` lets the stack delete the databases, each after a final snapshot; anything else
   * retains them and protects them from deletion.
   */
  readonly removalPolicy: RemovalPolicy;
  /** The VPC to create or import. */
  readonly network: NetworkConfig;
  /** The Redshift cluster and the MySQL instance to create or import. */
  readonly sources: SourcesConfig;
}

/** The network and the two source databases (Redshift and RDS for MySQL), created or imported. */
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

    // Always retained: a final snapshot taken when a database is deleted stays readable.
    const encryptionKey = new DataKey(this, 'DatabaseKey', {
      aliasName: `${props.projectName}/sources`,
      description: 'Encrypts the source databases of the ML data foundation and their snapshots',
      removalPolicy: RemovalPolicy.RETAIN,
    }).key;
    const protection = databaseProtection(props.removalPolicy);

    this.redshift = new RedshiftSource(this, 'Redshift', {
      redshift: props.sources.redshift,
      vpc: this.vpc,
      subnets: network.databaseSubnets,
      encryptionKey,
      protection,
    });
    this.mysql = new MysqlSource(this, 'Mysql', {
      mysql: props.sources.mysql,
      vpc: this.vpc,
      subnets: network.databaseSubnets,
      encryptionKey,
      protection,
    });

    addOutputs(this, [
      { id: 'VpcId', value: this.vpc.vpcId, description: 'VPC of the source databases' },
      ...databaseOutputs('Redshift', 'Redshift cluster', this.redshift),
      ...databaseOutputs('Mysql', 'MySQL instance', this.mysql),
    ]);
  }
}

function databaseOutputs(id: string, what: string, database: DatabaseSource): StackOutput[] {
  return [
    {
      id: `${id}Endpoint`,
      value: database.endpointAddress,
      description: `Endpoint address of the ${what}`,
    },
    { id: `${id}Port`, value: String(database.port), description: `Port of the ${what}` },
    {
      id: `${id}SecretArn`,
      value: database.secret.secretArn,
      description: `Secret with the admin credentials of the ${what}`,
    },
  ];
}
