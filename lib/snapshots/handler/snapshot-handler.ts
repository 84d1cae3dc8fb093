import { createHash } from 'node:crypto';
import { AthenaClient } from '@aws-sdk/client-athena';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { S3Client } from '@aws-sdk/client-s3';
import type * as cfn from '../../shared/handler/custom-resource';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { plainError } from '../../shared/handler/plain-error';
import { requireProperties } from '../../shared/handler/required';
import type { RetryOptions } from '../../shared/handler/retry';
import { AthenaRows } from './athena-rows';
import { RedshiftRows } from './redshift-rows';
import type { RowSource } from './row-source';
import { SnapshotObjects } from './snapshot-objects';
import { advance, existingSnapshot } from './snapshot-production';
import type {
  RedshiftSnapshotProperties,
  SnapshotAttributes,
  SnapshotDefinition,
  SnapshotProperties,
} from './snapshot-properties';
import { definitionDigest, snapshotLayout, stagingLayout } from './snapshot-properties';

/** The clients and limits of the handler; tests replace them. */
export interface SnapshotHandlerDependencies {
  readonly s3: S3Client;
  readonly athena: AthenaClient;
  readonly redshiftData: RedshiftDataClient;
  /**
   * How throttling and server errors are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
  /**
   * How long one isComplete call works before it hands on to the next, in milliseconds.
   * @default 360000 (6 minutes, of a 10-minute function timeout)
   */
  readonly budgetMs?: number;
  /**
   * The longest an attempt may take, in milliseconds; the provider gives up at 55 minutes.
   * @default 3000000 (50 minutes)
   */
  readonly deadlineMs?: number;
  /**
   * The clock, in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

export type SnapshotEvent = cfn.OnEvent<SnapshotProperties>;
export type SnapshotIsCompleteEvent = cfn.IsCompleteEvent<SnapshotProperties, SnapshotAttributes>;

const REQUIRED = [
  'Name',
  'Definition',
  'SelectSql',
  'Bucket',
  'KmsKeyArn',
  'RemovalPolicy',
  'AppVersion',
] as const;

function definitionOf(properties: SnapshotProperties): SnapshotDefinition {
  requireProperties(properties, [...REQUIRED]);
  try {
    return JSON.parse(properties.Definition) as SnapshotDefinition;
  } catch {
    throw plainError('The resource property Definition is not JSON.');
  }
}

function locationOf(properties: SnapshotProperties): string {
  return `s3://${properties.Bucket}/${snapshotLayout(properties.Name).prefix}`;
}

function attributes(properties: SnapshotProperties, rows?: number): SnapshotAttributes {
  return {
    Location: locationOf(properties),
    CsvLocation: `s3://${properties.Bucket}/${snapshotLayout(properties.Name).csvKey}`,
    ...(rows === undefined ? {} : { Rows: String(rows) }),
  };
}

/** One attempt per CloudFormation request: its retries get the same staging and tokens. */
export function attemptOf(event: {
  StackId: string;
  LogicalResourceId: string;
  RequestId: string;
}): string {
  return createHash('sha256')
    .update(`${event.StackId}|${event.LogicalResourceId}|${event.RequestId}`)
    .digest('hex')
    .slice(0, 32);
}

/** The onEvent and isComplete handlers of `Custom::TrainingSnapshot`. */
export function snapshotHandlers(deps: SnapshotHandlerDependencies) {
  const objectsOf = (properties: SnapshotProperties) =>
    new SnapshotObjects(deps.s3, properties.Bucket, properties.KmsKeyArn, deps.retry);

  function rowSource(properties: SnapshotProperties, attempt: string): RowSource {
    const definition = definitionOf(properties);
    const objects = objectsOf(properties);
    const staging = stagingLayout(properties.Name, attempt);
    const common = {
      objects,
      select: properties.SelectSql,
      columns: definition.columns.map((column) => column.name),
      primaryKey: definition.primaryKey,
      attempt,
      retry: deps.retry,
    };
    if (properties.Source !== definition.source) {
      throw plainError(
        `The resource property Source is ${properties.Source}, and the Definition's ${definition.source}.`,
      );
    }
    if (properties.Source === 'history' && definition.source === 'history') {
      requireProperties(properties, ['Workgroup']);
      return new AthenaRows({
        ...common,
        athena: deps.athena,
        workgroup: properties.Workgroup,
        database: definition.database,
        unloadPrefix: staging.unloadPrefix,
        tables: [`${definition.database}.${definition.dataset}`],
      });
    }
    const redshift = properties as RedshiftSnapshotProperties;
    requireProperties(redshift, [
      'ClusterIdentifier',
      'Database',
      'SecretArn',
      'UnloadRoleArn',
      'KmsKeyId',
    ]);
    return new RedshiftRows({
      ...common,
      redshiftData: deps.redshiftData,
      clusterIdentifier: redshift.ClusterIdentifier,
      database: redshift.Database,
      secretArn: redshift.SecretArn,
      unload: { roleArn: redshift.UnloadRoleArn, kmsKeyId: redshift.KmsKeyId },
      prefixes: { parquet: staging.redshiftParquetPrefix, csv: staging.redshiftCsvPrefix },
    });
  }

  /** Create, or an update that changes nothing the snapshot is: the snapshot, if complete, is checked. */
  async function begin(
    properties: SnapshotProperties,
  ): Promise<cfn.OnEventResponse<SnapshotAttributes>> {
    const definition = definitionOf(properties);
    const manifest = await existingSnapshot(objectsOf(properties), properties.Name, definition);
    console.log(
      manifest
        ? `snapshot ${properties.Name} is complete (${manifest.rows} rows); nothing to write`
        : `writing snapshot ${properties.Name}`,
    );
    return {
      PhysicalResourceId: locationOf(properties),
      Data: attributes(properties, manifest?.rows),
    };
  }

  async function remove(
    physicalId: string,
    properties: SnapshotProperties,
  ): Promise<cfn.OnEventResponse<SnapshotAttributes>> {
    // A create that failed before it named the snapshot has nothing to remove.
    if (physicalId !== locationOf(properties)) {
      console.log(
        `"${physicalId}" is not the snapshot ${locationOf(properties)}; nothing to delete`,
      );
      return { PhysicalResourceId: physicalId };
    }
    const objects = objectsOf(properties);
    const { prefix, manifestKey } = snapshotLayout(properties.Name);
    const manifest = await objects.text(manifestKey);
    if (manifest === undefined) {
      const removed = await objects.deleteAll(prefix);
      console.log(
        `snapshot ${properties.Name} was never complete; removed ${removed} objects it left`,
      );
    } else if (properties.RemovalPolicy !== 'destroy') {
      console.log(
        `snapshot ${properties.Name} is kept at ${physicalId} (removal policy ${properties.RemovalPolicy})`,
      );
    } else {
      // Only this definition's snapshot: one made under the name by another definition stays.
      const digest = (JSON.parse(manifest) as { definitionDigest?: string }).definitionDigest;
      if (digest !== definitionDigest(definitionOf(properties))) {
        console.log(`the snapshot at ${physicalId} has another definition; it is kept`);
      } else {
        const removed = await objects.deleteAll(prefix);
        console.log(`deleted snapshot ${properties.Name}: ${removed} objects`);
      }
    }
    return { PhysicalResourceId: physicalId };
  }

  async function onEvent(event: SnapshotEvent): Promise<cfn.OnEventResponse<SnapshotAttributes>> {
    switch (event.RequestType) {
      case 'Create':
        return begin(event.ResourceProperties);
      case 'Update': {
        const before = definitionDigest(definitionOf(event.OldResourceProperties));
        const after = definitionDigest(definitionOf(event.ResourceProperties));
        const sameName = event.OldResourceProperties.Name === event.ResourceProperties.Name;
        if (sameName && before !== after) {
          throw plainError(
            `Snapshot "${event.ResourceProperties.Name}" cannot change: a snapshot is written once. Declare the new definition under a new name.`,
          );
        }
        return begin(event.ResourceProperties);
      }
      case 'Delete':
        return remove(event.PhysicalResourceId, event.ResourceProperties);
    }
  }

  async function isComplete(
    event: SnapshotIsCompleteEvent,
  ): Promise<cfn.IsCompleteResponse<SnapshotAttributes>> {
    if (event.RequestType === 'Delete') return { IsComplete: true };
    const properties = event.ResourceProperties;
    const attempt = attemptOf(event);
    const result = await advance(
      {
        name: properties.Name,
        definition: definitionOf(properties),
        select: properties.SelectSql,
        allowEmpty: properties.AllowEmpty === true || properties.AllowEmpty === 'true',
        appVersion: properties.AppVersion,
        attempt,
        objects: objectsOf(properties),
        source: rowSource(properties, attempt),
        deadlineMs: deps.deadlineMs ?? 50 * 60_000,
        now: deps.now,
      },
      deps.budgetMs ?? 6 * 60_000,
    );
    if (!result.done) {
      console.log(`snapshot ${properties.Name}: ${result.detail}`);
      return { IsComplete: false };
    }
    return { IsComplete: true, Data: attributes(properties, result.manifest.rows) };
  }

  return { onEvent, isComplete };
}

/** The Lambda entry points. */
export const { onEvent, isComplete } = deployedHandlers(() =>
  snapshotHandlers({
    s3: new S3Client({}),
    athena: new AthenaClient({}),
    redshiftData: new RedshiftDataClient({}),
  }),
);
