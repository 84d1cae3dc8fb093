import * as path from 'node:path';
import { ArnFormat, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../shared/nag';
import { SharedProvider } from '../shared/shared-provider';
import type { RedshiftSourceTablesProperties } from './handler/redshift-source-tables-properties';
import { REDSHIFT_SOURCE_TABLES_RESOURCE_TYPE } from './handler/redshift-source-tables-properties';
import { GENERATED_PASSWORD_EXCLUDED_CHARACTERS } from './database-access';
import type { SourceTablesOptions } from './source-tables';
import { createReaderSecret, sourceTablesProperties } from './source-tables';

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
export interface RedshiftSourceTablesProps extends SourceTablesOptions {
  readonly cluster: RedshiftTablesTarget;
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
      this.readerSecret = createReaderSecret(this, {
        description: `Redshift user ${reader.username} that Amazon ML reads the cluster as`,
        secretStringTemplate: stack.toJsonString({
          engine: 'redshift',
          host: cluster.endpointAddress,
          port: cluster.port,
          dbname: cluster.databaseName,
          dbClusterIdentifier: cluster.clusterIdentifier,
          username: reader.username,
        }),
        excludeCharacters: `${REDSHIFT_REFUSED_PASSWORD_CHARACTERS}${GENERATED_PASSWORD_EXCLUDED_CHARACTERS}`,
        requireEachIncludedType: true,
      });
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
      ...sourceTablesProperties(props, cluster.secret, this.readerSecret),
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: REDSHIFT_SOURCE_TABLES_RESOURCE_TYPE,
      properties: { ...properties },
    });
  }
}
