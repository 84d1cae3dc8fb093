import {
  CreateDataSourceFromRDSCommand,
  CreateDataSourceFromRedshiftCommand,
  DeleteDataSourceCommand,
  GetDataSourceCommand,
  MachineLearningClient,
} from '@aws-sdk/client-machine-learning';
import type { GetDataSourceOutput } from '@aws-sdk/client-machine-learning';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { explainRefusal, isError } from '../../shared/handler/aws-errors';
import type * as cfn from '../../shared/handler/custom-resource';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import { credentialsIn } from '../../shared/handler/secret-credentials';
import type { DataSourceAttributes, DataSourceProperties } from './datasource-properties';
import type { CreateDataSourceRequest, DatabaseCredentials } from './datasource-request';
import {
  DATASOURCE_ID,
  contentDigest,
  createDataSourceRequest,
  dataSourceIdFor,
  redacted,
} from './datasource-request';

/** Statuses of a datasource that is, or will be, usable. */
const LIVE = new Set(['PENDING', 'INPROGRESS', 'COMPLETED']);

/** The clients and retry behaviour of the handler; tests replace them. */
export interface DataSourceHandlerDependencies {
  readonly ml: MachineLearningClient;
  readonly secrets: SecretsManagerClient;
  /**
   * How throttling and server errors are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

/** Turns what Amazon ML answered into an error a person can act on. */
function explain(error: unknown, dataSourceId: string): unknown {
  const refusal = explainRefusal(error, {
    service: 'Amazon Machine Learning',
    configSwitch: 'features.amazonMl',
  });
  if (refusal) return refusal;
  if (isError(error, 'IdempotentParameterMismatchException')) {
    return plainError(
      `Amazon ML already has a datasource "${dataSourceId}" created from a different request: ${messageOf(error)}`,
    );
  }
  if (isError(error, 'InvalidInputException')) {
    return plainError(`Amazon ML rejected datasource "${dataSourceId}": ${messageOf(error)}`);
  }
  return error;
}

export type DataSourceEvent = cfn.OnEvent<DataSourceProperties>;
export type DataSourceIsCompleteEvent = cfn.IsCompleteEvent<DataSourceProperties>;

/** The onEvent and isComplete handlers of `Custom::AmazonMlDataSource`. */
export function dataSourceHandlers(deps: DataSourceHandlerDependencies) {
  async function readCredentials(secretArn: string): Promise<DatabaseCredentials> {
    let secretString: string | undefined;
    try {
      const secret = await withRetry(
        () => deps.secrets.send(new GetSecretValueCommand({ SecretId: secretArn })),
        deps.retry,
      );
      secretString = secret.SecretString;
    } catch (error) {
      throw plainError(
        `Cannot read the database credentials from ${secretArn}: ${messageOf(error)}`,
      );
    }
    const { username, password } = credentialsIn(secretArn, secretString);
    return { Username: username, Password: password };
  }

  async function send(request: CreateDataSourceRequest): Promise<void> {
    if (request.engine === 'redshift') {
      await deps.ml.send(new CreateDataSourceFromRedshiftCommand(request.input));
    } else {
      await deps.ml.send(new CreateDataSourceFromRDSCommand(request.input));
    }
  }

  async function create(
    properties: DataSourceProperties,
    requestId: string,
  ): Promise<cfn.OnEventResponse<DataSourceAttributes>> {
    let id = dataSourceIdFor(properties);
    const existing = await describe(id);
    if (existing?.Status && LIVE.has(existing.Status)) {
      // This definition's datasource exists: a retried request, or a rollback to it.
      console.log(`datasource ${id} exists (${existing.Status}); using it`);
      return { PhysicalResourceId: id, Data: { DataSourceId: id } };
    }
    if (existing) id = dataSourceIdFor(properties, requestId);

    const credentials = await readCredentials(properties.SecretArn);
    const request = createDataSourceRequest(properties, id, credentials);
    console.log('creating datasource', JSON.stringify(redacted(request)));
    try {
      await withRetry(() => send(request), deps.retry);
    } catch (error) {
      throw explain(error, id);
    }
    return { PhysicalResourceId: id, Data: { DataSourceId: id } };
  }

  async function remove(id: string): Promise<cfn.OnEventResponse<DataSourceAttributes>> {
    if (!DATASOURCE_ID.test(id)) {
      console.log(`"${id}" is not an Amazon ML datasource id; nothing to delete`);
      return { PhysicalResourceId: id };
    }
    try {
      await withRetry(
        () => deps.ml.send(new DeleteDataSourceCommand({ DataSourceId: id })),
        deps.retry,
      );
      console.log(`deleted datasource ${id}`);
    } catch (error) {
      if (!isError(error, 'ResourceNotFoundException')) throw explain(error, id);
      console.log(`datasource ${id} is already gone`);
    }
    return { PhysicalResourceId: id };
  }

  async function describe(id: string): Promise<GetDataSourceOutput | undefined> {
    try {
      return await withRetry(
        () => deps.ml.send(new GetDataSourceCommand({ DataSourceId: id })),
        deps.retry,
      );
    } catch (error) {
      if (isError(error, 'ResourceNotFoundException')) return undefined;
      throw explain(error, id);
    }
  }

  async function onEvent(
    event: DataSourceEvent,
  ): Promise<cfn.OnEventResponse<DataSourceAttributes>> {
    switch (event.RequestType) {
      case 'Create':
        return create(event.ResourceProperties, event.RequestId);
      case 'Update': {
        const unchanged =
          contentDigest(event.OldResourceProperties) === contentDigest(event.ResourceProperties);
        if (unchanged) {
          return {
            PhysicalResourceId: event.PhysicalResourceId,
            Data: { DataSourceId: event.PhysicalResourceId },
          };
        }
        // A datasource cannot be changed: a new one replaces it, and CloudFormation deletes
        // the old one once the whole update has succeeded.
        return create(event.ResourceProperties, event.RequestId);
      }
      case 'Delete':
        return remove(event.PhysicalResourceId);
    }
  }

  async function isComplete(
    event: DataSourceIsCompleteEvent,
  ): Promise<cfn.IsCompleteResponse<DataSourceAttributes>> {
    const id = event.PhysicalResourceId!;
    if (event.RequestType === 'Delete') {
      if (!DATASOURCE_ID.test(id)) return { IsComplete: true };
      const dataSource = await describe(id);
      return { IsComplete: !dataSource || dataSource.Status === 'DELETED' };
    }

    const dataSource = await describe(id);
    if (!dataSource) throw plainError(`Amazon ML has no datasource "${id}"`);
    switch (dataSource.Status) {
      case 'COMPLETED':
        return { IsComplete: true, Data: { DataSourceId: id, Status: dataSource.Status } };
      case 'FAILED':
        throw plainError(
          `Amazon ML could not create datasource "${id}": ${dataSource.Message ?? 'it gave no reason'}` +
            (dataSource.LogUri ? ` (log: ${dataSource.LogUri})` : ''),
        );
      case 'DELETED':
        throw plainError(`Datasource "${id}" was deleted before Amazon ML completed it`);
      default:
        console.log(`datasource ${id} is ${dataSource.Status}`);
        return { IsComplete: false };
    }
  }

  return { onEvent, isComplete };
}

/** The Lambda entry points. */
export const { onEvent, isComplete } = deployedHandlers(() =>
  dataSourceHandlers({ ml: new MachineLearningClient({}), secrets: new SecretsManagerClient({}) }),
);
