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
import type {
  CdkCustomResourceEvent,
  CdkCustomResourceIsCompleteEvent,
  CdkCustomResourceIsCompleteResponse,
  CdkCustomResourceResponse,
} from 'aws-lambda';
import {
  errorName,
  isAccessDenied,
  isError,
  serviceRefusedMessage,
} from '../../shared/handler/aws-errors';
import { withRetry } from '../../shared/handler/retry';
import type { ModelPackagingData, ModelPackagingProperties } from './model-packaging-properties';

const lookoutVision = new LookoutVisionClient({});
const greengrass = new GreengrassV2Client({});

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

function propertiesOf(raw: Record<string, unknown> | undefined): ModelPackagingProperties {
  const missing = REQUIRED.filter((key) => typeof raw?.[key] !== 'string' || raw[key] === '');
  if (missing.length > 0) throw new Error(`Missing resource properties: ${missing.join(', ')}`);
  return raw as unknown as ModelPackagingProperties;
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
  const code = (error as { code?: unknown } | null)?.code;
  return (
    isError(error, 'UnknownEndpoint', 'ENOTFOUND', 'EAI_AGAIN') ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN'
  );
}

/** Replaces an error of an unavailable service with a plain explanation. */
function explained(error: unknown): unknown {
  if (isAccessDenied(error)) {
    return new Error(
      `${serviceRefusedMessage(SERVICE, 'features.edge', error)} ${USE_EXISTING_HINT}`,
    );
  }
  if (isUnreachable(error)) {
    const said = error instanceof Error ? ` (${errorName(error)}: ${error.message})` : '';
    return new Error(
      `${SERVICE} could not be reached from this Region${said}: it is not offered here, or no longer offered at all. ` +
        `Set features.edge to false to deploy without it. ${USE_EXISTING_HINT}`,
    );
  }
  return error;
}

async function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(operation);
  } catch (error) {
    throw explained(error);
  }
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

async function describeJob(props: ModelPackagingProperties): Promise<ModelPackagingDescription> {
  const response = await call(() =>
    lookoutVision.send(
      new DescribeModelPackagingJobCommand({
        ProjectName: props.ProjectName,
        JobName: props.JobName,
      }),
    ),
  );
  return response.ModelPackagingDescription ?? {};
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
    throw new Error(
      `A model packaging job named "${props.JobName}" exists in project "${props.ProjectName}" for another model or component. ${newVersionHint}`,
    );
  }
  if (job.Status === 'FAILED') {
    throw new Error(
      `Model packaging job "${props.JobName}" ran before and failed: ${job.StatusMessage ?? 'the service gave no reason'}. ${newVersionHint}`,
    );
  }
}

async function startPackaging(
  props: ModelPackagingProperties,
  requestId: string,
): Promise<CdkCustomResourceResponse<ModelPackagingData>> {
  try {
    await withRetry(() =>
      lookoutVision.send(
        new StartModelPackagingJobCommand({
          ProjectName: props.ProjectName,
          ModelVersion: props.ModelVersion,
          JobName: props.JobName,
          Description: `Greengrass component ${props.ComponentName} ${props.ComponentVersion}`,
          ClientToken: requestId.replace(/[^a-zA-Z0-9-]/g, '').slice(0, 64),
          Configuration: { Greengrass: greengrassConfiguration(props) },
        }),
      ),
    );
  } catch (error) {
    if (!isError(error, 'ConflictException')) throw explained(error);
    await adoptExistingJob(props);
  }
  return { PhysicalResourceId: props.ComponentVersionArn, Data: dataOf(props) };
}

function changedInputs(old: ModelPackagingProperties, next: ModelPackagingProperties): string[] {
  return PACKAGING_INPUTS.filter((key) => JSON.stringify(old[key]) !== JSON.stringify(next[key]));
}

/**
 * Whether the job that made the component version was run with these inputs: true when a failed
 * update rolls back to the inputs the version was packaged with.
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
  const { deployments = [] } = await withRetry(() =>
    greengrass.send(
      new ListDeploymentsCommand({ targetArn: props.TargetArn, historyFilter: 'LATEST_ONLY' }),
    ),
  );
  for (const summary of deployments) {
    const { deploymentId, deploymentStatus } = summary;
    if (!deploymentId || deploymentStatus === 'CANCELED' || deploymentStatus === 'INACTIVE') {
      continue;
    }
    try {
      const deployment = await withRetry(() =>
        greengrass.send(new GetDeploymentCommand({ deploymentId })),
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
    await withRetry(() => greengrass.send(new DeleteComponentCommand({ arn: physicalId })));
  } catch (error) {
    if (isError(error, 'ResourceNotFoundException')) return;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not delete Greengrass component version ${physicalId}: ${message}`);
  }
}

/** Whether an update keeps the component version, which then needs no new packaging job. */
function keepsComponentVersion(event: {
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties: Record<string, unknown>;
}): boolean {
  return (
    propertiesOf(event.OldResourceProperties).ComponentVersionArn ===
    propertiesOf(event.ResourceProperties).ComponentVersionArn
  );
}

/**
 * Starts the model packaging job that creates the model's Greengrass component version, and
 * deletes that component version when the resource is deleted or replaced.
 */
export async function onEvent(
  event: CdkCustomResourceEvent,
): Promise<CdkCustomResourceResponse<ModelPackagingData>> {
  if (event.RequestType === 'Delete') {
    await deleteComponentVersion(
      event.PhysicalResourceId,
      event.ResourceProperties as Partial<ModelPackagingProperties>,
    );
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const props = propertiesOf(event.ResourceProperties);
  if (event.RequestType === 'Update' && keepsComponentVersion(event)) {
    const changed = changedInputs(propertiesOf(event.OldResourceProperties), props);
    if (changed.length > 0 && !(await packagedWith(props))) {
      throw new Error(
        `Component ${props.ComponentName} ${props.ComponentVersion} was packaged already and component versions are immutable, ` +
          `but ${changed.join(', ')} changed: raise edge.modelComponent.version to package the model again.`,
      );
    }
    return { PhysicalResourceId: event.PhysicalResourceId, Data: dataOf(props) };
  }
  return startPackaging(props, event.RequestId);
}

/** Completes when the packaging job has succeeded; fails with the service's message when it failed. */
export async function isComplete(
  event: CdkCustomResourceIsCompleteEvent,
): Promise<CdkCustomResourceIsCompleteResponse<ModelPackagingData>> {
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
      throw new Error(
        `Lookout for Vision model packaging job "${props.JobName}" failed: ${job.StatusMessage ?? 'the service gave no reason'}`,
      );
    default:
      return { IsComplete: false };
  }
}
