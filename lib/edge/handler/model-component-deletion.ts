import type { GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import {
  DeleteComponentCommand,
  GetDeploymentCommand,
  ListComponentVersionsCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-greengrassv2';
import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { isError } from '../../shared/handler/aws-errors';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import { artifactUris, recipeOf } from './greengrass-components';
import type { ModelPackagingProperties } from './model-packaging-properties';

/**
 * How the model packaging resource deletes the component version it created: not while the
 * latest deployment to the stack's target still runs it, and with the artifacts that the
 * packaging job wrote for it under the configured prefix. The bucket is versioned, so deleting
 * an artifact leaves a noncurrent version that the bucket's lifecycle rule expires; a current
 * object under the prefix is never expired by age, since devices that join the group later
 * download the artifacts of the version they run.
 */

/** The clients and retry behaviour of the deletion. */
export interface ModelComponentDeletionDependencies {
  readonly greengrass: GreengrassV2Client;
  readonly s3: S3Client;
  /**
   * How throttling and server errors are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

/** The ARN of a component (all its versions) from the ARN of one of its versions. */
function componentArnOf(versionArn: string): string {
  return versionArn.replace(/:versions:[^:]+$/, '');
}

/** The keys of the artifacts in `uris` that lie in `bucket` under `prefix`. */
function keysUnder(uris: string[], bucket: string, prefix: string): string[] {
  const bucketUri = `s3://${bucket}/`;
  return uris
    .filter((uri) => uri.startsWith(`${bucketUri}${prefix}`))
    .map((uri) => uri.slice(bucketUri.length));
}

/** Deletes a model component version and its artifacts, as this module's comment says. */
export function modelComponentDeletion(deps: ModelComponentDeletionDependencies) {
  const send = <T>(operation: () => Promise<T>) => withRetry(operation, deps.retry);

  /** The latest deployment to the stack's target that still runs this component version, if any. */
  async function deploymentRunning(
    props: Partial<ModelPackagingProperties>,
  ): Promise<string | undefined> {
    if (!props.TargetArn || !props.ComponentName || !props.ComponentVersion) return undefined;
    const { deployments = [] } = await send(() =>
      deps.greengrass.send(
        new ListDeploymentsCommand({ targetArn: props.TargetArn, historyFilter: 'LATEST_ONLY' }),
      ),
    );
    for (const summary of deployments) {
      const { deploymentId, deploymentStatus } = summary;
      if (!deploymentId || deploymentStatus === 'CANCELED' || deploymentStatus === 'INACTIVE') {
        continue;
      }
      try {
        const deployment = await send(() =>
          deps.greengrass.send(new GetDeploymentCommand({ deploymentId })),
        );
        const deployed = deployment.components?.[props.ComponentName]?.componentVersion;
        if (deployed === props.ComponentVersion) return deploymentId;
      } catch (error) {
        // A deployment deleted since it was listed runs nothing.
        if (!isError(error, 'ResourceNotFoundException')) throw error;
      }
    }
    return undefined;
  }

  /** The artifact URIs of every other version of the component, which must stay. */
  async function urisOfOtherVersions(versionArn: string): Promise<Set<string>> {
    const uris = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await send(() =>
        deps.greengrass.send(
          new ListComponentVersionsCommand({ arn: componentArnOf(versionArn), nextToken }),
        ),
      );
      for (const { arn } of page.componentVersions ?? []) {
        if (!arn || arn === versionArn) continue;
        const recipe = await recipeOf(deps.greengrass, arn, deps.retry);
        for (const uri of recipe ? artifactUris(recipe) : []) uris.add(uri);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return uris;
  }

  /** Deletes the objects `keys` of `bucket`; returns those that S3 did not delete, and why. */
  async function deleteObjects(bucket: string, keys: string[]): Promise<string[]> {
    const { Errors = [] } = await send(() =>
      deps.s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      ),
    );
    console.log(`Deleted the artifacts ${keys.join(', ')} of bucket ${bucket}.`);
    return Errors.map((error) => `s3://${bucket}/${error.Key} (${error.Code}: ${error.Message})`);
  }

  /** Deletes the artifacts in `uris` under the prefix that no other version of the component uses. */
  async function deleteArtifacts(
    versionArn: string,
    uris: string[],
    props: Partial<ModelPackagingProperties>,
  ): Promise<void> {
    if (!props.Bucket || !props.Prefix) return;
    const bucket = props.Bucket;
    const owned = keysUnder(uris, bucket, props.Prefix);
    if (owned.length === 0) return;
    let problems: string[];
    try {
      const shared = await urisOfOtherVersions(versionArn);
      const keys = owned.filter((key) => !shared.has(`s3://${bucket}/${key}`));
      problems = keys.length === 0 ? [] : await deleteObjects(bucket, keys);
    } catch (error) {
      const where = owned.map((key) => `s3://${bucket}/${key}`).join(', ');
      problems = [`${where} (${messageOf(error)})`];
    }
    if (problems.length > 0) {
      throw plainError(
        `Deleted Greengrass component version ${versionArn}, but not its artifacts ${problems.join(', ')}: delete them by hand.`,
      );
    }
  }

  /**
   * Deletes the component version this resource created, then its artifacts, unless the latest
   * deployment to the stack's target still runs it, as after a switch to deploying it as an
   * existing component.
   */
  async function deleteComponentVersion(
    physicalId: string,
    props: Partial<ModelPackagingProperties>,
  ): Promise<void> {
    let uris: string[];
    try {
      const runningIn = await deploymentRunning(props);
      if (runningIn) {
        console.log(`Keeping ${physicalId}: deployment ${runningIn} still runs it.`);
        return;
      }
      const recipe = await recipeOf(deps.greengrass, physicalId, deps.retry);
      if (!recipe) return;
      uris = artifactUris(recipe);
      await send(() => deps.greengrass.send(new DeleteComponentCommand({ arn: physicalId })));
    } catch (error) {
      if (isError(error, 'ResourceNotFoundException')) return;
      throw plainError(
        `Could not delete Greengrass component version ${physicalId}: ${messageOf(error)}`,
      );
    }
    await deleteArtifacts(physicalId, uris, props);
  }

  return { deleteComponentVersion };
}
