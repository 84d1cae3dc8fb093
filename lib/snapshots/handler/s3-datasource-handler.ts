import { createHash } from 'node:crypto';
import type { GetDataSourceOutput } from '@aws-sdk/client-machine-learning';
import {
  CreateDataSourceFromS3Command,
  DeleteDataSourceCommand,
  GetDataSourceCommand,
  MachineLearningClient,
} from '@aws-sdk/client-machine-learning';
import { S3Client } from '@aws-sdk/client-s3';
import { ID_SUFFIX_LENGTH } from '../../amazon-ml/handler/datasource-properties';
import { DATASOURCE_ID } from '../../amazon-ml/handler/datasource-request';
import { explainRefusal, isError } from '../../shared/handler/aws-errors';
import type * as cfn from '../../shared/handler/custom-resource';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import { requireProperties } from '../../shared/handler/required';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import type { S3DataSourceAttributes, S3DataSourceProperties } from './s3-datasource-properties';
import { parseManifest } from './snapshot-manifest';
import { SnapshotObjects } from './snapshot-objects';
import { snapshotLayout } from './snapshot-properties';

/** Statuses of a datasource that is, or will be, usable. */
const LIVE = new Set(['PENDING', 'INPROGRESS', 'COMPLETED']);

/** The clients and retry behaviour of the handler; tests replace them. */
export interface S3DataSourceHandlerDependencies {
  readonly ml: MachineLearningClient;
  readonly s3: S3Client;
  /**
   * How throttling and server errors are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

export type S3DataSourceEvent = cfn.OnEvent<S3DataSourceProperties>;
export type S3DataSourceIsCompleteEvent = cfn.IsCompleteEvent<S3DataSourceProperties>;

function computeStatistics(properties: S3DataSourceProperties): boolean {
  return properties.ComputeStatistics === true || properties.ComputeStatistics === 'true';
}

/** A digest of what defines the datasource; the service token does not count. */
function contentDigest(properties: S3DataSourceProperties & { ServiceToken?: string }): string {
  const defining = {
    prefix: properties.DataSourceIdPrefix,
    name: properties.DataSourceName ?? null,
    computeStatistics: computeStatistics(properties),
    bucket: properties.Bucket,
    snapshot: properties.SnapshotName,
  };
  return createHash('sha256').update(JSON.stringify(defining)).digest('hex');
}

/**
 * The datasource id: the prefix and a digest of the definition, salted with the request id
 * when Amazon ML already had the unsalted one (it never reuses an id), as the datasources read
 * from databases are named (`lib/amazon-ml/handler/datasource-request.ts`).
 */
function dataSourceIdFor(properties: S3DataSourceProperties, salt?: string): string {
  const digest = contentDigest(properties);
  const versioned = salt ? createHash('sha256').update(`${digest}:${salt}`).digest('hex') : digest;
  return `${properties.DataSourceIdPrefix}-${versioned.slice(0, ID_SUFFIX_LENGTH - 1)}`;
}

function explain(error: unknown, id: string): unknown {
  const refusal = explainRefusal(error, {
    service: 'Amazon Machine Learning',
    configSwitch: 'features.amazonMl',
  });
  if (refusal) return refusal;
  if (isError(error, 'InvalidInputException')) {
    return plainError(`Amazon ML rejected datasource "${id}": ${messageOf(error)}`);
  }
  return error;
}

/** The onEvent and isComplete handlers of `Custom::AmazonMlSnapshotDataSource`. */
export function s3DataSourceHandlers(deps: S3DataSourceHandlerDependencies) {
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

  /** The snapshot's schema file, once its manifest says Amazon ML can read its CSV. */
  async function readableSchema(properties: S3DataSourceProperties): Promise<string> {
    const objects = new SnapshotObjects(deps.s3, properties.Bucket, undefined, deps.retry);
    const layout = snapshotLayout(properties.SnapshotName);
    const text = await objects.text(layout.manifestKey);
    if (text === undefined) {
      throw plainError(
        `Snapshot "${properties.SnapshotName}" is not complete: ${objects.uri(layout.manifestKey)} is missing`,
      );
    }
    const manifest = parseManifest(text, objects.uri(layout.manifestKey));
    if (!manifest.amazonMl.readable) {
      throw plainError(
        `Amazon ML cannot read snapshot "${properties.SnapshotName}": ${manifest.amazonMl.reason ?? 'its manifest says so'}`,
      );
    }
    const schema = await objects.text(layout.schemaKey);
    if (schema === undefined) throw plainError(`${objects.uri(layout.schemaKey)} is missing`);
    return schema;
  }

  async function create(
    properties: S3DataSourceProperties,
    requestId: string,
  ): Promise<cfn.OnEventResponse<S3DataSourceAttributes>> {
    requireProperties(properties, ['DataSourceIdPrefix', 'Bucket', 'SnapshotName']);
    let id = dataSourceIdFor(properties);
    const existing = await describe(id);
    if (existing?.Status && LIVE.has(existing.Status)) {
      console.log(`datasource ${id} exists (${existing.Status}); using it`);
      return { PhysicalResourceId: id, Data: { DataSourceId: id } };
    }
    if (existing) id = dataSourceIdFor(properties, requestId);

    const schema = await readableSchema(properties);
    const location = `s3://${properties.Bucket}/${snapshotLayout(properties.SnapshotName).csvKey}`;
    console.log(`creating datasource ${id} from ${location}`);
    try {
      await withRetry(
        () =>
          deps.ml.send(
            new CreateDataSourceFromS3Command({
              DataSourceId: id,
              ...(properties.DataSourceName ? { DataSourceName: properties.DataSourceName } : {}),
              // The CSV file itself, never the folder, which holds the schema and more.
              DataSpec: { DataLocationS3: location, DataSchema: schema },
              ComputeStatistics: computeStatistics(properties),
            }),
          ),
        deps.retry,
      );
    } catch (error) {
      throw explain(error, id);
    }
    return { PhysicalResourceId: id, Data: { DataSourceId: id } };
  }

  async function remove(id: string): Promise<cfn.OnEventResponse<S3DataSourceAttributes>> {
    if (!DATASOURCE_ID.test(id)) return { PhysicalResourceId: id };
    try {
      await withRetry(
        () => deps.ml.send(new DeleteDataSourceCommand({ DataSourceId: id })),
        deps.retry,
      );
      console.log(`deleted datasource ${id}; the snapshot stays`);
    } catch (error) {
      if (!isError(error, 'ResourceNotFoundException')) throw explain(error, id);
    }
    return { PhysicalResourceId: id };
  }

  async function onEvent(
    event: S3DataSourceEvent,
  ): Promise<cfn.OnEventResponse<S3DataSourceAttributes>> {
    switch (event.RequestType) {
      case 'Create':
        return create(event.ResourceProperties, event.RequestId);
      case 'Update':
        if (
          contentDigest(event.OldResourceProperties) === contentDigest(event.ResourceProperties)
        ) {
          return {
            PhysicalResourceId: event.PhysicalResourceId,
            Data: { DataSourceId: event.PhysicalResourceId },
          };
        }
        return create(event.ResourceProperties, event.RequestId);
      case 'Delete':
        return remove(event.PhysicalResourceId);
    }
  }

  async function isComplete(
    event: S3DataSourceIsCompleteEvent,
  ): Promise<cfn.IsCompleteResponse<S3DataSourceAttributes>> {
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
        return { IsComplete: false };
    }
  }

  return { onEvent, isComplete };
}

/** The Lambda entry points. */
export const { onEvent, isComplete } = deployedHandlers(() =>
  s3DataSourceHandlers({ ml: new MachineLearningClient({}), s3: new S3Client({}) }),
);
