import { GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import type {
  GreengrassConfiguration,
  ModelPackagingDescription,
} from '@aws-sdk/client-lookoutvision';
import {
  DescribeModelPackagingJobCommand,
  LookoutVisionClient,
  StartModelPackagingJobCommand,
} from '@aws-sdk/client-lookoutvision';
import { S3Client } from '@aws-sdk/client-s3';
import {
  errorName,
  explainRefusal,
  isError,
  isPermissionDenied,
  isUnreachableEndpoint,
} from '../../shared/handler/aws-errors';
import type * as cfn from '../../shared/handler/custom-resource';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { plainError } from '../../shared/handler/plain-error';
import { requireProperties } from '../../shared/handler/required';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import type { ComponentVersionState } from './greengrass-components';
import { componentVersionState } from './greengrass-components';
import { modelComponentDeletion } from './model-component-deletion';
import type { ModelPackagingData, ModelPackagingProperties } from './model-packaging-properties';

/**
 * `Custom::LookoutVisionModelPackaging`: starts the Lookout for Vision model packaging job that
 * creates the model's Greengrass component version, and deletes that component version (and its
 * artifacts) when the resource is deleted or replaced. The provider framework calls `isComplete`
 * until the job has succeeded and its component version can be deployed, or the job failed.
 */

/** The clients and retry behaviour of the handlers; tests replace them. */
export interface ModelPackagingHandlerDependencies {
  readonly lookoutVision: LookoutVisionClient;
  readonly greengrass: GreengrassV2Client;
  /** Deletes the artifacts of a deleted component version. */
  readonly s3: S3Client;
  /**
   * How throttling and server errors are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

const SERVICE = 'Amazon Lookout for Vision';
const USE_EXISTING_HINT =
  'To deploy a model component that was packaged earlier without calling the service, set edge.modelComponent.source to "existing" with its name and version.';
const NEW_VERSION_HINT =
  'Job names follow the component name and version: raise edge.modelComponent.version to package again.';

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

/** Job statuses of a job that has not finished. */
const UNFINISHED = new Set(['CREATED', 'RUNNING']);

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

/** The stack's name, from the stack id that CloudFormation sends (`arn:…:stack/<name>/<guid>`). */
function stackNameOf(stackId: string): string {
  return stackId.split('/')[1] ?? stackId;
}

/**
 * The packaging job's description: it names the stack, so that a second edge stack in the account
 * and Region with the same component name and version does not take over this stack's job (and
 * later delete the component version that this stack deploys). Lookout for Vision takes at most
 * 256 characters.
 */
function jobDescription(props: ModelPackagingProperties, stackName: string): string {
  return `stack ${stackName}; Greengrass component ${props.ComponentName} ${props.ComponentVersion}`.slice(
    0,
    256,
  );
}

/** The stack named in a job's description, when a stack of this app started the job. */
function stackOfJob(job: ModelPackagingDescription): string | undefined {
  return /^stack (\S+);/.exec(job.ModelPackagingJobDescription ?? '')?.[1];
}

/**
 * What the user does about a thing group left behind: a created group is kept when its stack is
 * deleted, and a create then fails on it (the IoT CreateHandler's CfnAlreadyExistsException).
 */
function thingGroupHint(props: Partial<ModelPackagingProperties>): string {
  const group = /:thinggroup\/(.+)$/.exec(props.TargetArn ?? '')?.[1];
  return group
    ? ` If an earlier stack left the thing group "${group}" behind, set edge.thingGroup to "existing" to target it.`
    : '';
}

/** Replaces an error of an unavailable service, or of a denied call, with a plain explanation. */
function explain(error: unknown, props: Partial<ModelPackagingProperties>): unknown {
  const hints = `${USE_EXISTING_HINT}${thingGroupHint(props)}`;
  const refusal = explainRefusal(error, {
    service: SERVICE,
    configSwitch: 'features.edge',
    hint: isPermissionDenied(error) ? undefined : hints,
  });
  if (refusal) return refusal;
  if (isUnreachableEndpoint(error)) {
    const said = error instanceof Error ? ` (${errorName(error)}: ${error.message})` : '';
    return plainError(
      `${SERVICE} could not be reached from this Region${said}: it is not offered here, or no longer offered at all. ` +
        `Set features.edge to false to deploy without it. ${hints}`,
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

/** The error for a component version that the job made but that cannot be deployed now. */
function undeployable(
  props: ModelPackagingProperties,
  version: Extract<ComponentVersionState, { state: 'missing' }>,
): Error {
  return plainError(
    `Component ${props.ComponentName} ${props.ComponentVersion} was packaged by job "${props.JobName}", but cannot be deployed: ${version.reason}. ` +
      'Component versions cannot be created again under the same name and version: raise edge.modelComponent.version to package the model again.',
  );
}

export type ModelPackagingEvent = cfn.OnEvent<ModelPackagingProperties>;
export type ModelPackagingIsCompleteEvent = cfn.IsCompleteEvent<ModelPackagingProperties>;

/** The onEvent and isComplete handlers of `Custom::LookoutVisionModelPackaging`. */
export function modelPackagingHandlers(deps: ModelPackagingHandlerDependencies) {
  const deletion = modelComponentDeletion(deps);

  async function describeJob(
    props: Pick<ModelPackagingProperties, 'ProjectName' | 'JobName' | 'TargetArn'>,
  ): Promise<ModelPackagingDescription> {
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
      throw explain(error, props);
    }
  }

  /**
   * A job with this name exists already: carry on with it when it is this one, started by this
   * stack, has not failed, and its component version, once made, still exists.
   */
  async function adoptExistingJob(
    props: ModelPackagingProperties,
    stackName: string,
  ): Promise<void> {
    const job = await describeJob(props);
    const output = job.ModelPackagingConfiguration?.Greengrass;
    const sameJob =
      job.ModelVersion === props.ModelVersion &&
      output?.ComponentName === props.ComponentName &&
      output?.ComponentVersion === props.ComponentVersion;
    if (!sameJob) {
      throw plainError(
        `A model packaging job named "${props.JobName}" exists in project "${props.ProjectName}" for another model or component. ${NEW_VERSION_HINT}`,
      );
    }
    const owner = stackOfJob(job);
    if (owner !== undefined && owner !== stackName) {
      throw plainError(
        `Component ${props.ComponentName} ${props.ComponentVersion} is packaged by stack ${owner} (job "${props.JobName}"): ` +
          'two edge stacks in one account and Region cannot share a model component version, as each deletes it with itself. Give this stack its own edge.modelComponent.name.',
      );
    }
    if (job.Status === 'FAILED') {
      throw plainError(
        `Model packaging job "${props.JobName}" ran before and failed: ${job.StatusMessage ?? 'the service gave no reason'}. ${NEW_VERSION_HINT}`,
      );
    }
    if (job.Status === 'SUCCEEDED') {
      const version = await componentVersionState(
        deps.greengrass,
        props.ComponentVersionArn,
        deps.retry,
      );
      if (version.state === 'missing') throw undeployable(props, version);
    }
  }

  async function startPackaging(
    props: ModelPackagingProperties,
    event: Pick<ModelPackagingEvent, 'RequestId' | 'StackId'>,
  ): Promise<cfn.OnEventResponse<ModelPackagingData>> {
    const stackName = stackNameOf(event.StackId);
    try {
      await withRetry(
        () =>
          deps.lookoutVision.send(
            new StartModelPackagingJobCommand({
              ProjectName: props.ProjectName,
              ModelVersion: props.ModelVersion,
              JobName: props.JobName,
              Description: jobDescription(props, stackName),
              ClientToken: event.RequestId.replace(/[^a-zA-Z0-9-]/g, '').slice(0, 64),
              Configuration: { Greengrass: greengrassConfiguration(props) },
            }),
          ),
        deps.retry,
      );
    } catch (error) {
      if (!isError(error, 'ConflictException')) throw explain(error, props);
      await adoptExistingJob(props, stackName);
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

  /**
   * Fails a delete while the job that makes the component version still runs: the version it
   * creates afterwards would belong to no stack. The delete of a job that cannot be read (gone,
   * or the service refuses it) goes on, as before a job ever started.
   */
  async function refuseWhileJobRuns(props: Partial<ModelPackagingProperties>): Promise<void> {
    if (!props.ProjectName || !props.JobName) return;
    let status: string | undefined;
    try {
      ({ Status: status } = await describeJob({
        ProjectName: props.ProjectName,
        JobName: props.JobName,
      }));
    } catch (error) {
      console.log(`Deleting without the job's status: ${(error as Error).message}`);
      return;
    }
    if (status && UNFINISHED.has(status)) {
      throw plainError(
        `Model packaging job "${props.JobName}" of project "${props.ProjectName}" is still ${status} and will create component ${props.ComponentName} ${props.ComponentVersion} afterwards. ` +
          `Wait until "aws lookoutvision describe-model-packaging-job --project-name ${props.ProjectName} --job-name ${props.JobName}" reports SUCCEEDED or FAILED, then retry the delete.`,
      );
    }
  }

  /** Starts the packaging job, keeps the component version on update, deletes it on delete. */
  async function onEvent(
    event: ModelPackagingEvent,
  ): Promise<cfn.OnEventResponse<ModelPackagingData>> {
    if (event.RequestType === 'Delete') {
      // A create that failed before a job started has no component version to delete.
      if (event.PhysicalResourceId.startsWith('arn:')) {
        await refuseWhileJobRuns(event.ResourceProperties);
        await deletion.deleteComponentVersion(event.PhysicalResourceId, event.ResourceProperties);
      }
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
    return startPackaging(props, event);
  }

  /**
   * Completes when the packaging job has succeeded and Greengrass can deploy its component
   * version; fails with the service's message when the job failed, and when the version is gone.
   */
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
      case 'SUCCEEDED': {
        const arn = dataOf(props, job).ComponentVersionArn;
        const version = await componentVersionState(deps.greengrass, arn, deps.retry);
        if (version.state === 'missing') throw undeployable(props, version);
        if (version.state === 'pending') return { IsComplete: false };
        return { IsComplete: true, Data: dataOf(props, job) };
      }
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
    s3: new S3Client({}),
  }),
);
