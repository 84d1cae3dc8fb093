import {
  CreateDataSourceFromRDSCommand,
  CreateDataSourceFromRedshiftCommand,
  DeleteDataSourceCommand,
  GetDataSourceCommand,
  MachineLearningClient,
} from '@aws-sdk/client-machine-learning';
import type { GetDataSourceOutput } from '@aws-sdk/client-machine-learning';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type {
  CdkCustomResourceEvent,
  CdkCustomResourceIsCompleteEvent,
  CdkCustomResourceIsCompleteResponse,
  CdkCustomResourceResponse,
} from 'aws-lambda';
import { isAccessDenied, isError, serviceRefusedMessage } from '../../shared/handler/aws-errors';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import type { DataSourceAttributes, DataSourceProperties } from './datasource-properties';
import type { CreateDataSourceRequest, DatabaseCredentials } from './datasource-request';
import {
  DATASOURCE_ID,
  contentDigest,
  createDataSourceRequest,
  dataSourceIdFor,
  redacted,
} from './datasource-request';

type Properties = DataSourceProperties & { ServiceToken: string };
export type DataSourceEvent = CdkCustomResourceEvent<Properties>;
export type DataSourceIsCompleteEvent = CdkCustomResourceIsCompleteEvent<Properties>;

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

/**
 * An error that CloudFormation shows as it is: one sentence, no stack trace (the provider
 * framework appends the handler's trace lines after the first to the reason it reports).
 */
function plainError(message: string): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}`;
  return error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns what Amazon ML answered into an error a person can act on. */
function explain(error: unknown, dataSourceId: string): unknown {
  if (isAccessDenied(error)) {
    return plainError(serviceRefusedMessage('Amazon Machine Learning', 'features.amazonMl', error));
  }
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

/** The onEvent and isComplete handlers of `Custom::AmazonMlDataSource`. */
export function dataSourceHandlers(deps: DataSourceHandlerDependencies) {
  const retry = <T>(operation: () => Promise<T>) => withRetry(operation, deps.retry);

  async function readCredentials(secretArn: string): Promise<DatabaseCredentials> {
    let secretString: string | undefined;
    try {
      const secret = await retry(() =>
        deps.secrets.send(new GetSecretValueCommand({ SecretId: secretArn })),
      );
      secretString = secret.SecretString;
    } catch (error) {
      throw plainError(
        `Cannot read the database credentials from ${secretArn}: ${messageOf(error)}`,
      );
    }
    let parsed: { username?: unknown; password?: unknown } = {};
    try {
      parsed = JSON.parse(secretString ?? '{}');
    } catch {
      // reported below
    }
    if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string') {
      throw plainError(`The secret ${secretArn} does not hold a JSON "username" and "password"`);
    }
    return { Username: parsed.username, Password: parsed.password };
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
  ): Promise<CdkCustomResourceResponse<DataSourceAttributes>> {
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
      await retry(() => send(request));
    } catch (error) {
      throw explain(error, id);
    }
    return { PhysicalResourceId: id, Data: { DataSourceId: id } };
  }

  async function remove(id: string): Promise<CdkCustomResourceResponse<DataSourceAttributes>> {
    if (!DATASOURCE_ID.test(id)) {
      console.log(`"${id}" is not an Amazon ML datasource id; nothing to delete`);
      return { PhysicalResourceId: id };
    }
    try {
      await retry(() => deps.ml.send(new DeleteDataSourceCommand({ DataSourceId: id })));
      console.log(`deleted datasource ${id}`);
    } catch (error) {
      if (!isError(error, 'ResourceNotFoundException')) throw explain(error, id);
      console.log(`datasource ${id} is already gone`);
    }
    return { PhysicalResourceId: id };
  }

  async function describe(id: string): Promise<GetDataSourceOutput | undefined> {
    try {
      return await retry(() => deps.ml.send(new GetDataSourceCommand({ DataSourceId: id })));
    } catch (error) {
      if (isError(error, 'ResourceNotFoundException')) return undefined;
      throw explain(error, id);
    }
  }

  async function onEvent(
    event: DataSourceEvent,
  ): Promise<CdkCustomResourceResponse<DataSourceAttributes>> {
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
  ): Promise<CdkCustomResourceIsCompleteResponse<DataSourceAttributes>> {
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

let deployed: ReturnType<typeof dataSourceHandlers> | undefined;
const handlers = () =>
  (deployed ??= dataSourceHandlers({
    ml: new MachineLearningClient({}),
    secrets: new SecretsManagerClient({}),
  }));

/** Creates, replaces and deletes the datasource. */
export const onEvent = (event: DataSourceEvent) => handlers().onEvent(event);

/** Reports completion once Amazon ML has finished (or failed) the datasource. */
export const isComplete = (event: DataSourceIsCompleteEvent) => handlers().isComplete(event);
