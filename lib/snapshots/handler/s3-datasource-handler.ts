import { createHash } from 'node:crypto';
import {
  CreateDataSourceFromS3Command,
  MachineLearningClient,
} from '@aws-sdk/client-machine-learning';
import { S3Client } from '@aws-sdk/client-s3';
import type { CreateCall } from '../../amazon-ml/handler/datasource-lifecycle';
import { dataSourceLifecycle } from '../../amazon-ml/handler/datasource-lifecycle';
import { computeStatistics } from '../../amazon-ml/handler/datasource-request';
import { explainRefusal, isError } from '../../shared/handler/aws-errors';
import type * as cfn from '../../shared/handler/custom-resource';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import type { RetryOptions } from '../../shared/handler/retry';
import type { S3DataSourceProperties } from './s3-datasource-properties';
import { parseManifest } from './snapshot-manifest';
import { SnapshotObjects } from './snapshot-objects';
import { snapshotLayout } from './snapshot-properties';

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

/**
 * A digest of what defines the datasource; the service token does not count. It versions the
 * datasource id as the datasources read from databases are versioned
 * (`lib/amazon-ml/handler/datasource-lifecycle.ts`).
 */
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

  async function prepareCreate(
    properties: S3DataSourceProperties,
    id: string,
  ): Promise<CreateCall> {
    const schema = await readableSchema(properties);
    const location = `s3://${properties.Bucket}/${snapshotLayout(properties.SnapshotName).csvKey}`;
    console.log(`creating datasource ${id} from ${location}`);
    return () =>
      deps.ml.send(
        new CreateDataSourceFromS3Command({
          DataSourceId: id,
          ...(properties.DataSourceName ? { DataSourceName: properties.DataSourceName } : {}),
          // The CSV file itself, never the folder, which holds the schema and more.
          DataSpec: { DataLocationS3: location, DataSchema: schema },
          ComputeStatistics: computeStatistics(properties),
        }),
      );
  }

  const { onEvent, isComplete } = dataSourceLifecycle<S3DataSourceProperties>({
    ml: deps.ml,
    retry: deps.retry,
    required: ['DataSourceIdPrefix', 'Bucket', 'SnapshotName'],
    contentDigest,
    prepareCreate,
    explain,
    logs: { deleted: (id) => `deleted datasource ${id}; the snapshot stays` },
  });

  return { onEvent, isComplete };
}

/** The Lambda entry points. */
export const { onEvent, isComplete } = deployedHandlers(() =>
  s3DataSourceHandlers({ ml: new MachineLearningClient({}), s3: new S3Client({}) }),
);
