import {
  DeleteComponentCommand,
  GetDeploymentCommand,
  GreengrassV2Client,
  ListDeploymentsCommand,
} from '@aws-sdk/client-greengrassv2';
import type {
  GreengrassConfiguration,
  ModelPackagingDescription,
} from '@aws-sdk/client-lookoutvision';
import {
  DescribeModelPackagingJobCommand,
  LookoutVisionClient,
  StartModelPackagingJobCommand,
} from '@aws-sdk/client-lookoutvision';
import { errorCode, errorName, explainRefusal, isError } from '../../shared/handler/aws-errors';
import type * as cfn from '../../shared/handler/custom-resource';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import { requireProperties } from '../../shared/handler/required';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import type { ModelPackagingData, ModelPackagingProperties } from './model-packaging-properties';

/**
 * `Custom::LookoutVisionModelPackaging`: starts the Lookout for Vision model packaging job that
 * creates the model's Greengrass component version, and deletes that component version when
 * the resource is deleted or replaced. The provider framework calls `isComplete` until the job
 * has succeeded or failed.
 */

/** The clients and retry behaviour of the handlers; tests replace them. */
export interface ModelPackagingHandlerDependencies {
  readonly lookoutVision: LookoutVisionClient;
  readonly greengrass: GreengrassV2Client;
  /**
   * How throttling and server errors are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

const SERVICE = 'Amazon Lookout for Vision';
const USE_EXISTING_HINT =
  'To deploy a model component that was packaged earlier without calling the service, set edge.modelComponent.source to "existing" with its name and version.';

const REQUIRED: ReadonlyArray<keyof ModelPackagingProperties> = [
  'ProjectName',
  'ModelVersion',
  'JobName',
  'ComponentName',
  'ComponentVersion',
  'ComponentVersionArn',
  'Bucket',
  'Prefix',
];

/** The properties that decide what a packaging job produces. */
const PACKAGING_INPUTS: ReadonlyArray<keyof ModelPackagingProperties> = [
  'ProjectName',
  'ModelVersion',
  'ComponentDescription',
  'Bucket',
  'Prefix',
  'TargetDevice',
  'TargetPlatform',
  'CompilerOptions',
];

function propertiesOf(properties: ModelPackagingProperties): ModelPackagingProperties {
  requireProperties(properties, REQUIRED);
  return properties;
}

function dataOf(
  props: ModelPackagingProperties,
  job?: ModelPackagingDescription,
): ModelPackagingData {
  const output = job?.ModelPackagingOutputDetails?.Greengrass;
  return {
    ComponentName: output?.ComponentName ?? props.ComponentName,
    ComponentVersion: output?.ComponentVersion ?? props.ComponentVersion,
    ComponentVersionArn: output?.ComponentVersionArn ?? props.ComponentVersionArn,
    JobName: props.JobName,
  };
}

/** Whether the service's endpoint could not be reached at all, as in a Region without it. */
function isUnreachable(error: unknown): boolean {
  return (
    isError(error, 'UnknownEndpoint', 'ENOTFOUND', 'EAI_AGAIN') ||
    ['ENOTFOUND', 'EAI_AGAIN'].includes(errorCode(error) ?? '')
  );
}

/** Replaces an error of an unavailable service with a plain explanation. */
function explain(error: unknown): unknown {
  const refusal = explainRefusal(error, {
    service: SERVICE,
    configSwitch: 'features.edge',
    hint: USE_EXISTING_HINT,
  });
  if (refusal) return refusal;
  if (isUnreachable(error)) {
    const said = error instanceof Error ? ` (${errorName(error)}: ${error.message})` : '';
    return plainError(
      `${SERVICE} could not be reached from this Region${said}: it is not offered here, or no longer offered at all. ` +
        `Set features.edge to false to deploy without it. ${USE_EXISTING_HINT}`,
    );
  }
  return error;
}

function greengrassConfiguration(props: ModelPackagingProperties): GreengrassConfiguration {
  return {
    ComponentName: props.ComponentName,
    ComponentVersion: props.ComponentVersion,
    ComponentDescription: props.ComponentDescription || undefined,
    S3OutputLocation: { Bucket: props.Bucket, Prefix: props.Prefix },
    TargetDevice: props.TargetDevice as GreengrassConfiguration['TargetDevice'],
    TargetPlatform: props.TargetPlatform as GreengrassConfiguration['TargetPlatform'],
    CompilerOptions: props.CompilerOptions || undefined,
  };
}

function changedInputs(old: ModelPackagingProperties, next: ModelPackagingProperties): string[] {
  return PACKAGING_INPUTS.filter((key) => JSON.stringify(old[key]) !== JSON.stringify(next[key]));
}

/** Whether an update keeps the component version, which then needs no new packaging job. */
function keepsComponentVersion(
  event: Extract<ModelPackagingEvent, { RequestType: 'Update' }>,
): boolean {
  return (
    propertiesOf(event.OldResourceProperties).ComponentVersionArn ===
    propertiesOf(event.ResourceProperties).ComponentVersionArn
  );
}

export type ModelPackagingEvent = cfn.OnEvent<ModelPackagingProperties>;
export type ModelPackagingIsCompleteEvent = cfn.IsCompleteEvent<ModelPackagingProperties>;

/** The onEvent and isComplete handlers of `Custom::LookoutVisionModelPackaging`. */
export function modelPackagingHandlers(deps: ModelPackagingHandlerDependencies) {
  async function describeJob(props: ModelPackagingProperties): Promise<ModelPackagingDescription> {
    try {
      const response = await withRetry(
        () =>
          deps.lookoutVision.send(
            new DescribeModelPackagingJobCommand({
              ProjectName: props.ProjectName,
              JobName: props.JobName,
            }),
          ),
        deps.retry,
      );
      return response.ModelPackagingDescription ?? {};
    } catch (error) {
      throw explain(error);
    }
  }

  /** A job with this name exists already: carry on with it when it is this one and has not failed. */
  async function adoptExistingJob(props: ModelPackagingProperties): Promise<void> {
    const job = await describeJob(props);
    const output = job.ModelPackagingConfiguration?.Greengrass;
    const sameJob =
      job.ModelVersion === props.ModelVersion &&
      output?.ComponentName === props.ComponentName &&
      output?.ComponentVersion === props.ComponentVersion;
    const newVersionHint =
      'Job names follow the component name and version: raise edge.modelComponent.version to package again.';
    if (!sameJob) {
      throw plainError(
        `A model packaging job named "${props.JobName}" exists in project "${props.ProjectName}" for another model or component. ${newVersionHint}`,
      );
    }
    if (job.Status === 'FAILED') {
      throw plainError(
        `Model packaging job "${props.JobName}" ran before and failed: ${job.StatusMessage ?? 'the service gave no reason'}. ${newVersionHint}`,
      );
    }
  }

  async function startPackaging(
    props: ModelPackagingProperties,
    requestId: string,
  ): Promise<cfn.OnEventResponse<ModelPackagingData>> {
    try {
      await withRetry(
        () =>
          deps.lookoutVision.send(
            new StartModelPackagingJobCommand({
              ProjectName: props.ProjectName,
              ModelVersion: props.ModelVersion,
              JobName: props.JobName,
              Description: `Greengrass component ${props.ComponentName} ${props.ComponentVersion}`,
              ClientToken: requestId.replace(/[^a-zA-Z0-9-]/g, '').slice(0, 64),
              Configuration: { Greengrass: greengrassConfiguration(props) },
            }),
          ),
        deps.retry,
      );
    } catch (error) {
      if (!isError(error, 'ConflictException')) throw explain(error);
      await adoptExistingJob(props);
    }
    return { PhysicalResourceId: props.ComponentVersionArn, Data: dataOf(props) };
  }

  /**
   * Whether the job that made the component version was run with these inputs: true when a
   * failed update rolls back to the inputs the version was packaged with.
   */
  async function packagedWith(props: ModelPackagingProperties): Promise<boolean> {
    let job: ModelPackagingDescription;
    try {
      job = await describeJob(props);
    } catch (error) {
      if (isError(error, 'ResourceNotFoundException')) return false;
      throw error;
    }
    const greengrassConfig = job.ModelPackagingConfiguration?.Greengrass;
    const platform = greengrassConfig?.TargetPlatform;
    const same = (a: unknown, b: unknown) => (a || undefined) === (b || undefined);
    return (
      same(job.ModelVersion, props.ModelVersion) &&
      same(greengrassConfig?.ComponentDescription, props.ComponentDescription) &&
      same(greengrassConfig?.S3OutputLocation?.Bucket, props.Bucket) &&
      same(greengrassConfig?.S3OutputLocation?.Prefix, props.Prefix) &&
      same(greengrassConfig?.TargetDevice, props.TargetDevice) &&
      same(platform?.Os, props.TargetPlatform?.Os) &&
      same(platform?.Arch, props.TargetPlatform?.Arch) &&
      same(platform?.Accelerator, props.TargetPlatform?.Accelerator) &&
      same(greengrassConfig?.CompilerOptions, props.CompilerOptions)
    );
  }

  /** The latest deployment to the stack's target that still runs this component version, if any. */
  async function deploymentRunning(
    props: Partial<ModelPackagingProperties>,
  ): Promise<string | undefined> {
    if (!props.TargetArn || !props.ComponentName || !props.ComponentVersion) return undefined;
    const { deployments = [] } = await withRetry(
      () =>
        deps.greengrass.send(
          new ListDeploymentsCommand({ targetArn: props.TargetArn, historyFilter: 'LATEST_ONLY' }),
        ),
      deps.retry,
    );
    for (const summary of deployments) {
      const { deploymentId, deploymentStatus } = summary;
      if (!deploymentId || deploymentStatus === 'CANCELED' || deploymentStatus === 'INACTIVE') {
        continue;
      }
      try {
        const deployment = await withRetry(
          () => deps.greengrass.send(new GetDeploymentCommand({ deploymentId })),
          deps.retry,
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

  /**
   * Deletes the component version this resource created, unless the latest deployment to the
   * stack's target still runs it, as after a switch to deploying it as an existing component.
   */
  async function deleteComponentVersion(
    physicalId: string,
    props: Partial<ModelPackagingProperties>,
  ): Promise<void> {
    // A create that failed before a job started has no component version to delete.
    if (!physicalId.startsWith('arn:')) return;
    try {
      const runningIn = await deploymentRunning(props);
      if (runningIn) {
        console.log(`Keeping ${physicalId}: deployment ${runningIn} still runs it.`);
        return;
      }
      await withRetry(
        () => deps.greengrass.send(new DeleteComponentCommand({ arn: physicalId })),
        deps.retry,
      );
    } catch (error) {
      if (isError(error, 'ResourceNotFoundException')) return;
      throw plainError(
        `Could not delete Greengrass component version ${physicalId}: ${messageOf(error)}`,
      );
    }
  }

  /** Starts the packaging job, keeps the component version on update, deletes it on delete. */
  async function onEvent(
    event: ModelPackagingEvent,
  ): Promise<cfn.OnEventResponse<ModelPackagingData>> {
    if (event.RequestType === 'Delete') {
      await deleteComponentVersion(event.PhysicalResourceId, event.ResourceProperties);
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    const props = propertiesOf(event.ResourceProperties);
    if (event.RequestType === 'Update' && keepsComponentVersion(event)) {
      const changed = changedInputs(propertiesOf(event.OldResourceProperties), props);
      if (changed.length > 0 && !(await packagedWith(props))) {
        throw plainError(
          `Component ${props.ComponentName} ${props.ComponentVersion} was packaged already and component versions are immutable, ` +
            `but ${changed.join(', ')} changed: raise edge.modelComponent.version to package the model again.`,
        );
      }
      return { PhysicalResourceId: event.PhysicalResourceId, Data: dataOf(props) };
    }
    return startPackaging(props, event.RequestId);
  }

  /** Completes when the packaging job has succeeded; fails with the service's message when it failed. */
  async function isComplete(
    event: ModelPackagingIsCompleteEvent,
  ): Promise<cfn.IsCompleteResponse<ModelPackagingData>> {
    if (event.RequestType === 'Delete') return { IsComplete: true };
    const props = propertiesOf(event.ResourceProperties);
    if (event.RequestType === 'Update' && keepsComponentVersion(event)) {
      return { IsComplete: true, Data: dataOf(props) };
    }

    const job = await describeJob(props);
    switch (job.Status) {
      case 'SUCCEEDED':
        return { IsComplete: true, Data: dataOf(props, job) };
      case 'FAILED':
        throw plainError(
          `Lookout for Vision model packaging job "${props.JobName}" failed: ${job.StatusMessage ?? 'the service gave no reason'}`,
        );
      default:
        return { IsComplete: false };
    }
  }

  return { onEvent, isComplete };
}

/** The Lambda entry points. */
export const { onEvent, isComplete } = deployedHandlers(() =>
  modelPackagingHandlers({
    lookoutVision: new LookoutVisionClient({}),
    greengrass: new GreengrassV2Client({}),
  }),
);
