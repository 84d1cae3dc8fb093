import { createHash } from 'node:crypto';
import { DeleteDataSourceCommand, GetDataSourceCommand } from '@aws-sdk/client-machine-learning';
import type { GetDataSourceOutput, MachineLearningClient } from '@aws-sdk/client-machine-learning';
import { isError } from '../../shared/handler/aws-errors';
import type * as cfn from '../../shared/handler/custom-resource';
import { plainError } from '../../shared/handler/plain-error';
import { requireProperties } from '../../shared/handler/required';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import type { DataSourceAttributes } from './datasource-properties';
import { ID_SUFFIX_LENGTH } from './datasource-properties';

/**
 * The life of an Amazon ML datasource behind a custom resource: its id, create, replacement,
 * delete and the wait for Amazon ML. Each kind of datasource resource says how it is defined,
 * how it is created and what it logs and checks besides.
 */

/** What Amazon ML accepts as a datasource id. */
export const DATASOURCE_ID = /^[a-zA-Z0-9_.-]{1,64}$/;

/** Statuses of a datasource that is, or will be, usable. */
const LIVE = new Set(['PENDING', 'INPROGRESS', 'COMPLETED']);

/**
 * The id of a datasource: the configured prefix and `digest` (of its definition), so that every
 * change of the definition makes a new datasource, and the same definition finds its datasource
 * again (a retried request, a rollback). Amazon ML never reuses the id of a datasource, not even
 * of one that failed or was deleted; `salt` (the CloudFormation request id) then makes a fresh
 * id that is still the same for every retry of that request.
 */
export function versionedDataSourceId(prefix: string, digest: string, salt?: string): string {
  const versioned = salt ? createHash('sha256').update(`${digest}:${salt}`).digest('hex') : digest;
  return `${prefix}-${versioned.slice(0, ID_SUFFIX_LENGTH - 1)}`;
}

/** The call that creates a datasource, once what it needs has been read. */
export type CreateCall = () => Promise<unknown>;

/** What the lifecycle logs besides what every kind logs. */
export interface DataSourceLogs {
  /** After Amazon ML accepted the delete of datasource `id`. */
  readonly deleted: (id: string) => string;
  /**
   * When the physical id to delete is no datasource id.
   * @default - nothing is logged
   */
  readonly notADataSource?: (id: string) => string;
  /**
   * When the datasource to delete was already gone.
   * @default - nothing is logged
   */
  readonly alreadyGone?: (id: string) => string;
  /**
   * When the datasource is not completed yet.
   * @default - nothing is logged
   */
  readonly pending?: (id: string, status: string | undefined) => string;
}

/** One kind of datasource resource: what the lifecycle does in its own way for it. */
export interface DataSourceKind<P extends { readonly DataSourceIdPrefix: string }> {
  readonly ml: MachineLearningClient;
  /**
   * How throttling and server errors are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
  /**
   * The properties that must be non-empty strings before a create.
   * @default - none
   */
  readonly required?: ReadonlyArray<keyof P & string>;
  /** A digest of what defines the datasource; the service token does not count. */
  readonly contentDigest: (properties: P & { ServiceToken?: string }) => string;
  /**
   * Reads what the create of datasource `id` needs, logs it, and returns the call that creates
   * it, which the lifecycle retries.
   */
  readonly prepareCreate: (properties: P, id: string) => Promise<CreateCall>;
  /** Turns what Amazon ML answered about datasource `id` into an error a person can act on. */
  readonly explain: (error: unknown, id: string) => unknown;
  readonly logs: DataSourceLogs;
  /**
   * Checks a COMPLETED datasource before the deployment goes on; throws to fail it.
   * @default - no check
   */
  readonly checkCompleted?: (
    properties: P,
    id: string,
    dataSource: GetDataSourceOutput,
  ) => Promise<void>;
  /**
   * Cleans up after the datasource is gone.
   * @default - nothing
   */
  readonly afterGone?: (properties: P, id: string) => Promise<void>;
  /**
   * What the message of a FAILED datasource suggests, appended to the error.
   * @default - nothing
   */
  readonly failureHint?: (message: string) => string;
}

/** The onEvent and isComplete handlers of a kind of datasource, and its `GetDataSource`. */
export function dataSourceLifecycle<P extends { readonly DataSourceIdPrefix: string }>(
  kind: DataSourceKind<P>,
) {
  const idFor = (properties: P, salt?: string) =>
    versionedDataSourceId(properties.DataSourceIdPrefix, kind.contentDigest(properties), salt);

  /** The datasource `id`, or undefined when Amazon ML has none. */
  async function describe(id: string): Promise<GetDataSourceOutput | undefined> {
    try {
      return await withRetry(
        () => kind.ml.send(new GetDataSourceCommand({ DataSourceId: id })),
        kind.retry,
      );
    } catch (error) {
      if (isError(error, 'ResourceNotFoundException')) return undefined;
      throw kind.explain(error, id);
    }
  }

  async function create(
    properties: P,
    requestId: string,
  ): Promise<cfn.OnEventResponse<DataSourceAttributes>> {
    requireProperties(properties, kind.required ?? []);
    let id = idFor(properties);
    const existing = await describe(id);
    if (existing?.Status && LIVE.has(existing.Status)) {
      // This definition's datasource exists: a retried request, or a rollback to it.
      console.log(`datasource ${id} exists (${existing.Status}); using it`);
      return { PhysicalResourceId: id, Data: { DataSourceId: id } };
    }
    if (existing) id = idFor(properties, requestId);

    const createCall = await kind.prepareCreate(properties, id);
    try {
      await withRetry(createCall, kind.retry);
    } catch (error) {
      throw kind.explain(error, id);
    }
    return { PhysicalResourceId: id, Data: { DataSourceId: id } };
  }

  async function remove(id: string): Promise<cfn.OnEventResponse<DataSourceAttributes>> {
    if (!DATASOURCE_ID.test(id)) {
      if (kind.logs.notADataSource) console.log(kind.logs.notADataSource(id));
      return { PhysicalResourceId: id };
    }
    try {
      await withRetry(
        () => kind.ml.send(new DeleteDataSourceCommand({ DataSourceId: id })),
        kind.retry,
      );
      console.log(kind.logs.deleted(id));
    } catch (error) {
      if (!isError(error, 'ResourceNotFoundException')) throw kind.explain(error, id);
      if (kind.logs.alreadyGone) console.log(kind.logs.alreadyGone(id));
    }
    return { PhysicalResourceId: id };
  }

  async function onEvent(
    event: cfn.OnEvent<P>,
  ): Promise<cfn.OnEventResponse<DataSourceAttributes>> {
    switch (event.RequestType) {
      case 'Create':
        return create(event.ResourceProperties, event.RequestId);
      case 'Update': {
        const unchanged =
          kind.contentDigest(event.OldResourceProperties) ===
          kind.contentDigest(event.ResourceProperties);
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
    event: cfn.IsCompleteEvent<P>,
  ): Promise<cfn.IsCompleteResponse<DataSourceAttributes>> {
    const id = event.PhysicalResourceId!;
    const properties = event.ResourceProperties;
    if (event.RequestType === 'Delete') {
      if (!DATASOURCE_ID.test(id)) return { IsComplete: true };
      const dataSource = await describe(id);
      const gone = !dataSource || dataSource.Status === 'DELETED';
      if (gone && kind.afterGone) await kind.afterGone(properties, id);
      return { IsComplete: gone };
    }

    const dataSource = await describe(id);
    if (!dataSource) throw plainError(`Amazon ML has no datasource "${id}"`);
    switch (dataSource.Status) {
      case 'COMPLETED':
        if (kind.checkCompleted) await kind.checkCompleted(properties, id, dataSource);
        return { IsComplete: true, Data: { DataSourceId: id, Status: dataSource.Status } };
      case 'FAILED': {
        const message = dataSource.Message ?? 'it gave no reason';
        throw plainError(
          `Amazon ML could not create datasource "${id}": ${message}` +
            (dataSource.LogUri ? ` (log: ${dataSource.LogUri})` : '') +
            (kind.failureHint?.(message) ?? ''),
        );
      }
      case 'DELETED':
        throw plainError(`Datasource "${id}" was deleted before Amazon ML completed it`);
      default:
        if (kind.logs.pending) console.log(kind.logs.pending(id, dataSource.Status));
        return { IsComplete: false };
    }
  }

  return { describe, onEvent, isComplete };
}
