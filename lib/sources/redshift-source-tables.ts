import * as path from 'node:path';
import { ArnFormat, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import { acknowledge } from '../shared/nag';
import { SharedProvider } from '../shared/shared-provider';
import type { RedshiftSourceTablesProperties } from './handler/redshift-source-tables-properties';
import { REDSHIFT_SOURCE_TABLES_RESOURCE_TYPE } from './handler/redshift-source-tables-properties';
import { GENERATED_PASSWORD_EXCLUDED_CHARACTERS } from './database-access';
import { readerProperties, tableDefinitions } from './source-tables';

/** Characters that Redshift does not accept in a password (CREATE USER, PASSWORD). */
export const REDSHIFT_REFUSED_PASSWORD_CHARACTERS = `"'\\/@ `;

/** The Redshift cluster that {@link RedshiftSourceTables} works in. */
export interface RedshiftTablesTarget {
  /** The cluster identifier; a reference to the cluster, when the app creates it. */
  readonly clusterIdentifier: string;
  readonly databaseName: string;
  readonly endpointAddress: string;
  readonly port: number;
  /** The admin secret the Data API signs in with. */
  readonly secret: secretsmanager.ISecret;
}

/** Properties of {@link RedshiftSourceTables}. */
export interface RedshiftSourceTablesProps {
  readonly cluster: RedshiftTablesTarget;
  /** Every dataset: their tables are created when `createTables` is set. */
  readonly datasets: readonly DatasetConfig[];
  /** Whether to create the datasets' tables: the app created the cluster. */
  readonly createTables: boolean;
  /** Whether to load the built-in samples into empty tables. */
  readonly loadSample: boolean;
  /**
   * The user Amazon ML reads as and the datasets whose tables it reads.
   * @default - no reader user
   */
  readonly reader?: { readonly username: string; readonly datasets: readonly DatasetConfig[] };
}

/** Longest run of one event: under Lambda's 15 minutes and the provider framework's wait. */
const HANDLER_TIMEOUT = Duration.minutes(14);

/**
 * The tables of the datasets in a Redshift cluster, their samples, and the user Amazon ML reads
 * them as (`Custom::RedshiftSourceTables`), through the Redshift Data API with the admin
 * secret: no network path to the cluster is needed. The provider does not poll: its function
 * runs each statement and waits for it in the same invocation, since the Data API describes a
 * statement only to the identity that ran it (see `handler/redshift-statements.ts`).
 */
export class RedshiftSourceTables extends Construct {
  /** Complete once the tables, their samples and the reader user exist. */
  readonly resource: CustomResource;
  /** The reader's secret, when there is a reader. */
  readonly readerSecret?: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: RedshiftSourceTablesProps) {
    super(scope, id);
    const { cluster, reader } = props;
    const stack = Stack.of(this);

    if (reader) {
      this.readerSecret = new secretsmanager.Secret(this, 'ReaderSecret', {
        description: `Redshift user ${reader.username} that Amazon ML reads the cluster as`,
        generateSecretString: {
          secretStringTemplate: stack.toJsonString({
            engine: 'redshift',
            host: cluster.endpointAddress,
            port: cluster.port,
            dbname: cluster.databaseName,
            dbClusterIdentifier: cluster.clusterIdentifier,
            username: reader.username,
          }),
          generateStringKey: 'password',
          passwordLength: 32,
          excludeCharacters: `${REDSHIFT_REFUSED_PASSWORD_CHARACTERS}${GENERATED_PASSWORD_EXCLUDED_CHARACTERS}`,
          requireEachIncludedType: true,
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

    const provider = SharedProvider.of(this, 'RedshiftSourceTablesProvider', {
      entry: path.join(__dirname, 'handler', 'redshift-source-tables.ts'),
      description: 'Creates the dataset tables, their samples and the Amazon ML reader in Redshift',
      handlerTimeout: HANDLER_TIMEOUT,
    });
    const clusterArn = stack.formatArn({
      service: 'redshift',
      resource: 'cluster',
      resourceName: cluster.clusterIdentifier,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    provider.grant(
      {
        actions: ['redshift-data:BatchExecuteStatement', 'redshift-data:ExecuteStatement'],
        resources: [clusterArn],
      },
      {
        // Statement ids exist only once a statement runs; the condition limits these actions
        // to the statements this role session ran.
        actions: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' },
        },
      },
    );
    for (const role of provider.roles) {
      cluster.secret.grantRead(role);
      this.readerSecret?.grantRead(role);
      acknowledge(
        role,
        'AwsSolutions-IAM5',
        'Resource::*',
        'Data API statement ids are generated when a statement runs; the policy lets the role describe and read only the statements its own session ran (redshift-data:statement-owner-iam-userid).',
      );
    }

    const properties: RedshiftSourceTablesProperties = {
      ClusterIdentifier: cluster.clusterIdentifier,
      Database: cluster.databaseName,
      AdminSecretArn: cluster.secret.secretArn,
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
      resourceType: REDSHIFT_SOURCE_TABLES_RESOURCE_TYPE,
      properties: { ...properties },
    });
  }
}
