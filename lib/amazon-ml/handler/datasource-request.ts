import { createHash } from 'node:crypto';
import type {
  CreateDataSourceFromRDSInput,
  CreateDataSourceFromRedshiftInput,
  CreateDataSourceFromS3Input,
} from '@aws-sdk/client-machine-learning';
import { canonicalJson } from '../../shared/handler/canonical-json';
import type {
  ComplementDataSourceProperties,
  DatabaseDataSourceProperties,
  DataSourceProperties,
} from './datasource-properties';

/** The database credentials that Amazon ML connects with. */
export interface DatabaseCredentials {
  readonly Username: string;
  readonly Password: string;
}

/** A request to create a datasource, for one of the three sources. */
export type CreateDataSourceRequest =
  | { readonly engine: 'redshift'; readonly input: CreateDataSourceFromRedshiftInput }
  | { readonly engine: 'rds'; readonly input: CreateDataSourceFromRDSInput }
  | { readonly engine: 's3'; readonly input: CreateDataSourceFromS3Input };

/** `ComputeStatistics`, which CloudFormation passes as a string. */
export function computeStatistics(properties: {
  readonly ComputeStatistics: boolean | 'true' | 'false';
}): boolean {
  return properties.ComputeStatistics === true || properties.ComputeStatistics === 'true';
}

/**
 * A digest of everything that defines the datasource. Two property sets with the same digest
 * describe the same datasource; the service token (which handler serves it) does not count.
 */
export function contentDigest(
  properties: DataSourceProperties & { ServiceToken?: string },
): string {
  const normalised: Record<string, unknown> = {
    ...properties,
    ComputeStatistics: computeStatistics(properties),
  };
  delete normalised.ServiceToken;
  return createHash('sha256').update(canonicalJson(normalised)).digest('hex');
}

/** Where the datasource with `id` stages its rows: its own folder under the configured prefix. */
export function stagingLocationOf(properties: DatabaseDataSourceProperties, id: string): string {
  const base = properties.S3StagingLocation.endsWith('/')
    ? properties.S3StagingLocation
    : `${properties.S3StagingLocation}/`;
  return `${base}${id}/`;
}

function commonInput(properties: DataSourceProperties, id: string) {
  return {
    DataSourceId: id,
    ...(properties.DataSourceName ? { DataSourceName: properties.DataSourceName } : {}),
  };
}

function rearrangement(properties: DataSourceProperties) {
  return properties.DataRearrangement ? { DataRearrangement: properties.DataRearrangement } : {};
}

/**
 * The `CreateDataSourceFromS3` request of a complement: the staged data of its origin
 * (`dataLocation`, as `GetDataSource` reports it), with the origin's schema and splitting.
 */
export function createComplementRequest(
  properties: ComplementDataSourceProperties,
  id: string,
  dataLocation: string,
): CreateDataSourceRequest {
  return {
    engine: 's3',
    input: {
      ...commonInput(properties, id),
      DataSpec: {
        DataLocationS3: dataLocation,
        DataSchema: properties.DataSchema,
        ...rearrangement(properties),
      },
      ComputeStatistics: computeStatistics(properties),
    },
  };
}

/** The `CreateDataSourceFromRedshift` or `…FromRDS` request for `properties`. */
export function createDataSourceRequest(
  properties: DatabaseDataSourceProperties,
  id: string,
  credentials: DatabaseCredentials,
): CreateDataSourceRequest {
  const common = commonInput(properties, id);
  const staging = stagingLocationOf(properties, id);
  if (properties.Engine === 'redshift') {
    return {
      engine: 'redshift',
      input: {
        ...common,
        DataSpec: {
          DatabaseInformation: {
            DatabaseName: properties.DatabaseName,
            ClusterIdentifier: properties.ClusterIdentifier,
          },
          SelectSqlQuery: properties.SelectSqlQuery,
          DatabaseCredentials: { Username: credentials.Username, Password: credentials.Password },
          S3StagingLocation: staging,
          DataSchema: properties.DataSchema,
          ...rearrangement(properties),
        },
        RoleARN: properties.RoleArn,
        ComputeStatistics: computeStatistics(properties),
      },
    };
  }
  return {
    engine: 'rds',
    input: {
      ...common,
      RDSData: {
        DatabaseInformation: {
          InstanceIdentifier: properties.InstanceIdentifier,
          DatabaseName: properties.DatabaseName,
        },
        SelectSqlQuery: properties.SelectSqlQuery,
        DatabaseCredentials: { Username: credentials.Username, Password: credentials.Password },
        S3StagingLocation: staging,
        DataSchema: properties.DataSchema,
        ResourceRole: properties.ResourceRole,
        ServiceRole: properties.ServiceRole,
        SubnetId: properties.SubnetId,
        SecurityGroupIds: [...properties.SecurityGroupIds],
        ...rearrangement(properties),
      },
      RoleARN: properties.RoleArn,
      ComputeStatistics: computeStatistics(properties),
    },
  };
}

/** The request with the password replaced, for logs. */
export function redacted(request: CreateDataSourceRequest): unknown {
  return JSON.parse(
    JSON.stringify(request.input, (key, value) => (key === 'Password' ? '*****' : value)),
  );
}
