import type { CloudComponentState } from '@aws-sdk/client-greengrassv2';
import {
  DeleteComponentCommand,
  DescribeComponentCommand,
  GetComponentCommand,
  GetDeploymentCommand,
  GreengrassV2Client,
  ListComponentVersionsCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-greengrassv2';
import type {
  DescribeModelPackagingJobResponse,
  ModelPackagingJobStatus,
} from '@aws-sdk/client-lookoutvision';
import {
  DescribeModelPackagingJobCommand,
  LookoutVisionClient,
  StartModelPackagingJobCommand,
} from '@aws-sdk/client-lookoutvision';
import { DeleteObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type {
  ModelPackagingEvent,
  ModelPackagingIsCompleteEvent,
} from '../../../lib/edge/handler/model-packaging';
import { modelPackagingHandlers } from '../../../lib/edge/handler/model-packaging';
import type { ModelPackagingProperties } from '../../../lib/edge/handler/model-packaging-properties';
import { MODEL_PACKAGING_RESOURCE_TYPE } from '../../../lib/edge/handler/model-packaging-properties';

const lookoutVision = mockClient(LookoutVisionClient);
const greengrass = mockClient(GreengrassV2Client);
const s3 = mockClient(S3Client);
const { onEvent, isComplete } = modelPackagingHandlers({
  lookoutVision: new LookoutVisionClient({ region: 'us-east-1' }),
  greengrass: new GreengrassV2Client({ region: 'us-east-1' }),
  s3: new S3Client({ region: 'us-east-1' }),
  retry: { sleep: async () => undefined },
});

const ARN = 'arn:aws:greengrass:us-east-1:123456789012:components:part-model:versions:1.0.0';
const PROPS: ModelPackagingProperties = {
  ProjectName: 'part-inspection',
  ModelVersion: '3',
  JobName: 'part-model-1-0-0-abcdef12',
  ComponentName: 'part-model',
  ComponentVersion: '1.0.0',
  ComponentVersionArn: ARN,
  ComponentDescription: 'Lookout for Vision model 3 of project part-inspection',
  Bucket: 'edge-artifacts',
  Prefix: 'models/',
  TargetPlatform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' },
  CompilerOptions: '{"gpu-code":"sm_53","trt-ver":"7.1.3","cuda-ver":"10.2"}',
  TargetArn: 'arn:aws:iot:us-east-1:123456789012:thinggroup/part-inspection-line',
};

const STACK_NAME = 'ml-foundation-edge';
const common = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  ResponseURL: 'https://example.com/response',
  StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${STACK_NAME}/guid`,
  RequestId: '9b2f7c64-1c7e-4b8f-9d5c-3a1e2f4b6c8d',
  LogicalResourceId: 'ModelPackaging',
  ResourceType: MODEL_PACKAGING_RESOURCE_TYPE,
};

function create(props: ModelPackagingProperties = PROPS): ModelPackagingEvent {
  return {
    ...common,
    RequestType: 'Create',
    ResourceProperties: { ServiceToken: common.ServiceToken, ...props },
  };
}

function update(
  props: ModelPackagingProperties,
  old: ModelPackagingProperties = PROPS,
): ModelPackagingEvent {
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: old.ComponentVersionArn,
    ResourceProperties: { ServiceToken: common.ServiceToken, ...props },
    OldResourceProperties: { ServiceToken: common.ServiceToken, ...old },
  };
}

function remove(
  physicalResourceId = ARN,
  props: ModelPackagingProperties = PROPS,
): ModelPackagingEvent {
  return {
    ...common,
    RequestType: 'Delete',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: { ServiceToken: common.ServiceToken, ...props },
  };
}

/** The latest deployment to the thing group, running `modelVersion` of the model component. */
function latestDeployment(
  modelVersion: string,
  deploymentStatus: 'ACTIVE' | 'CANCELED' = 'ACTIVE',
) {
  greengrass.on(ListDeploymentsCommand).resolves({
    deployments: [{ deploymentId: 'deployment-7', deploymentStatus, isLatestForTarget: true }],
  });
  greengrass.on(GetDeploymentCommand).resolves({
    deploymentId: 'deployment-7',
    components: {
      'part-model': { componentVersion: modelVersion },
      'aws.iot.lookoutvision.EdgeAgent': { componentVersion: '1.1.1' },
    },
  });
}

function polled(event: ModelPackagingEvent): ModelPackagingIsCompleteEvent {
  return { ...event, PhysicalResourceId: ARN } as ModelPackagingIsCompleteEvent;
}

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/** The state DescribeComponent reports for the component version. */
function componentState(componentState: CloudComponentState, message?: string) {
  greengrass
    .on(DescribeComponentCommand)
    .resolves({ arn: ARN, status: { componentState, message } });
}

/** A recipe whose one manifest downloads `uris`, as GetComponent returns it. */
function recipeWith(uris: string[]) {
  const recipe = {
    RecipeFormatVersion: '2020-01-25',
    ComponentName: PROPS.ComponentName,
    ComponentVersion: PROPS.ComponentVersion,
    ComponentDependencies: {
      'aws.iot.lookoutvision.EdgeAgent': { VersionRequirement: '>=1.0.0 <2.0.0' },
    },
    Manifests: [{ Platform: { os: 'linux' }, Artifacts: uris.map((Uri) => ({ Uri })) }],
  };
  return {
    recipeOutputFormat: 'JSON' as const,
    recipe: new TextEncoder().encode(JSON.stringify(recipe)),
  };
}

function jobStatus(
  Status: ModelPackagingJobStatus,
  StatusMessage?: string,
): DescribeModelPackagingJobResponse & {
  ModelPackagingDescription: NonNullable<
    DescribeModelPackagingJobResponse['ModelPackagingDescription']
  >;
} {
  return {
    ModelPackagingDescription: {
      JobName: PROPS.JobName,
      ProjectName: PROPS.ProjectName,
      ModelVersion: PROPS.ModelVersion,
      Status,
      StatusMessage,
      ModelPackagingJobDescription: `stack ${STACK_NAME}; Greengrass component part-model 1.0.0`,
      ModelPackagingConfiguration: {
        Greengrass: {
          ComponentName: PROPS.ComponentName,
          ComponentVersion: PROPS.ComponentVersion,
          ComponentDescription: PROPS.ComponentDescription,
          S3OutputLocation: { Bucket: PROPS.Bucket, Prefix: PROPS.Prefix },
          TargetPlatform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' },
          CompilerOptions: PROPS.CompilerOptions,
        },
      },
      ModelPackagingOutputDetails:
        Status === 'SUCCEEDED'
          ? {
              Greengrass: {
                ComponentName: PROPS.ComponentName,
                ComponentVersion: PROPS.ComponentVersion,
                ComponentVersionArn: ARN,
              },
            }
          : undefined,
    },
  };
}

beforeEach(() => {
  lookoutVision.reset();
  greengrass.reset();
  s3.reset();
});

describe('create', () => {
  test('starts the packaging job into the artifacts bucket and names the component version', async () => {
    lookoutVision.on(StartModelPackagingJobCommand).resolves({ JobName: PROPS.JobName });

    const response = await onEvent(create());

    expect(response).toEqual({
      PhysicalResourceId: ARN,
      Data: {
        ComponentName: 'part-model',
        ComponentVersion: '1.0.0',
        ComponentVersionArn: ARN,
        JobName: PROPS.JobName,
      },
    });
    const calls = lookoutVision.commandCalls(StartModelPackagingJobCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      ProjectName: 'part-inspection',
      ModelVersion: '3',
      JobName: PROPS.JobName,
      Description: `stack ${STACK_NAME}; Greengrass component part-model 1.0.0`,
      ClientToken: common.RequestId,
      Configuration: {
        Greengrass: {
          ComponentName: 'part-model',
          ComponentVersion: '1.0.0',
          ComponentDescription: PROPS.ComponentDescription,
          S3OutputLocation: { Bucket: 'edge-artifacts', Prefix: 'models/' },
          TargetPlatform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' },
          CompilerOptions: PROPS.CompilerOptions,
        },
      },
    });
  });

  test('a target device is sent without a platform or compiler options', async () => {
    lookoutVision.on(StartModelPackagingJobCommand).resolves({});
    await onEvent(
      create({
        ...PROPS,
        TargetDevice: 'jetson_xavier',
        TargetPlatform: undefined,
        CompilerOptions: undefined,
      }),
    );
    const greengrassConfig = lookoutVision.commandCalls(StartModelPackagingJobCommand)[0].args[0]
      .input.Configuration?.Greengrass;
    expect(greengrassConfig?.TargetDevice).toBe('jetson_xavier');
    expect(greengrassConfig?.TargetPlatform).toBeUndefined();
    expect(greengrassConfig?.CompilerOptions).toBeUndefined();
  });

  test('missing properties are reported by name', async () => {
    const incomplete = { ...PROPS, JobName: '', Bucket: undefined };
    await expect(
      onEvent(create(incomplete as unknown as ModelPackagingProperties)),
    ).rejects.toThrow('The resource properties JobName, Bucket must be non-empty strings.');
  });

  test('a job started earlier for the same component is carried on', async () => {
    lookoutVision
      .on(StartModelPackagingJobCommand)
      .rejects(awsError('ConflictException', 'job exists'));
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(jobStatus('RUNNING'));
    await expect(onEvent(create())).resolves.toMatchObject({ PhysicalResourceId: ARN });
  });

  test('a job that failed earlier under the same name asks for a new version', async () => {
    lookoutVision
      .on(StartModelPackagingJobCommand)
      .rejects(awsError('ConflictException', 'job exists'));
    lookoutVision
      .on(DescribeModelPackagingJobCommand)
      .resolves(jobStatus('FAILED', 'Model version 3 is not trained'));
    await expect(onEvent(create())).rejects.toThrow(
      /ran before and failed: Model version 3 is not trained\. .*raise edge\.modelComponent\.version/,
    );
  });

  // Nucleus ComponentServiceHelper: a deployment naming a deleted version fails on the devices
  // with NoAvailableComponentVersionException; API_DeleteComponent: "deployments that refer to
  // this component version will fail". LFV DG package-settings.md: a name and version cannot be
  // created again. API_CloudComponentStatus does not say which state a version deleted by its
  // owner has, so every answer but DEPLOYABLE asks for a new version.
  test.each([
    [
      'is gone',
      () =>
        greengrass
          .on(DescribeComponentCommand)
          .rejects(awsError('ResourceNotFoundException', 'Component not found', 404)),
      /cannot be deployed: it does not exist \(ResourceNotFoundException: Component not found\)/,
    ],
    [
      'is DEPRECATED',
      () => componentState('DEPRECATED'),
      /cannot be deployed: its state is DEPRECATED/,
    ],
    [
      'is FAILED',
      () => componentState('FAILED', 'artifact hash mismatch'),
      /its state is FAILED: artifact hash mismatch/,
    ],
    [
      'was deleted by its publisher',
      () =>
        greengrass.on(DescribeComponentCommand).resolves({
          status: { componentState: 'DEPLOYABLE', vendorGuidance: 'DELETED' },
        }),
      /its publisher deleted it/,
    ],
  ])(
    'adopting a job whose component version %s asks for a new version',
    async (_, arrange, reason) => {
      lookoutVision
        .on(StartModelPackagingJobCommand)
        .rejects(awsError('ConflictException', 'job exists'));
      lookoutVision.on(DescribeModelPackagingJobCommand).resolves(jobStatus('SUCCEEDED'));
      arrange();
      const error = (await onEvent(create()).catch((caught: Error) => caught)) as Error;
      expect(error.message).toMatch(reason);
      expect(error.message).toMatch(
        /^Component part-model 1\.0\.0 was packaged by job "part-model-1-0-0-abcdef12", but cannot be deployed: .*raise edge\.modelComponent\.version to package the model again\.$/,
      );
      expect(greengrass.commandCalls(DescribeComponentCommand)[0].args[0].input).toEqual({
        arn: ARN,
      });
    },
  );

  test('adopting a job whose component version is deployable carries on', async () => {
    lookoutVision
      .on(StartModelPackagingJobCommand)
      .rejects(awsError('ConflictException', 'job exists'));
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(jobStatus('SUCCEEDED'));
    componentState('DEPLOYABLE');
    await expect(onEvent(create())).resolves.toMatchObject({ PhysicalResourceId: ARN });
  });

  // Two edge stacks in one account and Region derive the same job name from the same component
  // name and version: the second must not take the first's job over, as either stack's delete
  // would then delete the version the other deploys.
  test("another stack's job for the same component is not taken over", async () => {
    lookoutVision
      .on(StartModelPackagingJobCommand)
      .rejects(awsError('ConflictException', 'job exists'));
    const other = jobStatus('SUCCEEDED');
    other.ModelPackagingDescription.ModelPackagingJobDescription =
      'stack acme-edge; Greengrass component part-model 1.0.0';
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(other);
    await expect(onEvent(create())).rejects.toThrow(
      'Component part-model 1.0.0 is packaged by stack acme-edge (job "part-model-1-0-0-abcdef12"): two edge stacks in one account and Region cannot share a model component version, as each deletes it with itself. Give this stack its own edge.modelComponent.name.',
    );
    expect(greengrass.calls()).toHaveLength(0);
  });

  test('a job started before jobs named their stack is carried on', async () => {
    lookoutVision
      .on(StartModelPackagingJobCommand)
      .rejects(awsError('ConflictException', 'job exists'));
    const earlier = jobStatus('RUNNING');
    earlier.ModelPackagingDescription.ModelPackagingJobDescription =
      'Greengrass component part-model 1.0.0';
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(earlier);
    await expect(onEvent(create())).resolves.toMatchObject({ PhysicalResourceId: ARN });
  });

  test('a job of the same name for another model is not taken over', async () => {
    lookoutVision
      .on(StartModelPackagingJobCommand)
      .rejects(awsError('ConflictException', 'job exists'));
    const other = jobStatus('SUCCEEDED');
    other.ModelPackagingDescription.ModelVersion = '2';
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(other);
    await expect(onEvent(create())).rejects.toThrow(/for another model or component/);
  });
});

describe('the service unavailable', () => {
  // The first deploy of the default configuration creates the thing group and is then refused
  // here. CFN-IoT aws-iot-thinggroup CreateHandler.checkForThingGroup throws
  // CfnAlreadyExistsException for a group that exists, so a group kept from an earlier stack
  // fails the next create: the refusal says how to target it instead.
  test('a refused account is told plainly, with the switches to turn it off, use an existing component or an existing group', async () => {
    lookoutVision
      .on(StartModelPackagingJobCommand)
      .rejects(awsError('AccessDeniedException', 'The account is not allowlisted', 403));
    const error = await onEvent(create()).catch((caught: Error) => caught);
    expect((error as Error).message).toBe(
      'Amazon Lookout for Vision refused this account: it is closed to new AWS customers, or this account or role has no access to it. ' +
        'Set features.edge to false to deploy without it. The service said: The account is not allowlisted ' +
        'To deploy a model component that was packaged earlier without calling the service, set edge.modelComponent.source to "existing" with its name and version. ' +
        'If an earlier stack left the thing group "part-inspection-line" behind, set edge.thingGroup to "existing" to target it.',
    );
  });

  // The Amazon Machine Learning precedent (rebuy-de/aws-nuke#341): a closed service says so.
  test('a service that says it takes no new customers is reported as closed', async () => {
    lookoutVision
      .on(StartModelPackagingJobCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'Amazon Lookout for Vision is no longer available to new customers.',
          403,
        ),
      );
    await expect(onEvent(create())).rejects.toThrow(
      /^Amazon Lookout for Vision is closed to new AWS customers, and this account is not one of its existing customers\. Set features\.edge to false/,
    );
  });

  // Service Authorization Reference, list_lookoutvision.html (its table read from a generated
  // copy, as the live page's table did not load): StartModelPackagingJob is authorized on the
  // `model` resource, which the stack grants. Should the live table differ, IAM's denial of the
  // handler's own role ("User: <arn> is not authorized to perform: <action> on resource: <arn>",
  // IAM User Guide, troubleshoot_access-denied.html) is reported as what it is, never as the
  // service being closed.
  test("an IAM denial of the handler's role names the action and resource, not the service closing", async () => {
    const denial =
      'User: arn:aws:sts::123456789012:assumed-role/Edge-OnEventRole/fn is not authorized to perform: lookoutvision:StartModelPackagingJob ' +
      'on resource: arn:aws:lookoutvision:us-east-1:123456789012:project/part-inspection because no identity-based policy allows the lookoutvision:StartModelPackagingJob action';
    lookoutVision
      .on(StartModelPackagingJobCommand)
      .rejects(awsError('AccessDeniedException', denial, 403));
    const error = (await onEvent(create()).catch((caught: Error) => caught)) as Error;
    expect(error.message).toBe(
      "IAM denied the handler's role lookoutvision:StartModelPackagingJob on arn:aws:lookoutvision:us-east-1:123456789012:project/part-inspection: " +
        'its policy, a permissions boundary or a service control policy does not allow it; Amazon Lookout for Vision did not refuse the account, ' +
        `and features.edge need not be turned off. The service said: ${denial}`,
    );
    expect(error.message).not.toContain('closed to new AWS customers');
  });

  test('an endpoint that does not resolve is a service missing from the Region', async () => {
    lookoutVision.on(StartModelPackagingJobCommand).rejects(
      Object.assign(new Error('getaddrinfo ENOTFOUND lookoutvision.eu-west-3.amazonaws.com'), {
        code: 'ENOTFOUND',
      }),
    );
    await expect(onEvent(create())).rejects.toThrow(
      /^Amazon Lookout for Vision could not be reached from this Region \(Error: getaddrinfo ENOTFOUND .*\): it is not offered here.*edge\.modelComponent\.source to "existing"/,
    );
  });

  test('a refusal while polling is explained the same way', async () => {
    lookoutVision
      .on(DescribeModelPackagingJobCommand)
      .rejects(awsError('AccessDeniedException', 'denied', 403));
    await expect(isComplete(polled(create()))).rejects.toThrow(
      /Amazon Lookout for Vision refused this account/,
    );
  });
});

describe('isComplete', () => {
  test('waits while the job is created or running', async () => {
    lookoutVision
      .on(DescribeModelPackagingJobCommand)
      .resolvesOnce(jobStatus('CREATED'))
      .resolvesOnce(jobStatus('RUNNING'));
    await expect(isComplete(polled(create()))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(polled(create()))).resolves.toEqual({ IsComplete: false });
    expect(lookoutVision.commandCalls(DescribeModelPackagingJobCommand)[0].args[0].input).toEqual({
      ProjectName: 'part-inspection',
      JobName: PROPS.JobName,
    });
  });

  test('completes when the job succeeded, with the component it created', async () => {
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(jobStatus('SUCCEEDED'));
    componentState('DEPLOYABLE');
    await expect(isComplete(polled(create()))).resolves.toEqual({
      IsComplete: true,
      Data: {
        ComponentName: 'part-model',
        ComponentVersion: '1.0.0',
        ComponentVersionArn: ARN,
        JobName: PROPS.JobName,
      },
    });
  });

  // CFN-GGv2 ComponentVersion CreateHandler: a new version is REQUESTED or INITIATED before it
  // is DEPLOYABLE, and anything else does not stabilize.
  test('waits while Greengrass is still creating the component version', async () => {
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(jobStatus('SUCCEEDED'));
    componentState('INITIATED');
    await expect(isComplete(polled(create()))).resolves.toEqual({ IsComplete: false });
  });

  // Nucleus ComponentServiceHelper / API_DeleteComponent (see create): a version deleted since
  // the job made it would fail every device; the stack fails instead.
  test('a succeeded job whose component version is gone asks for a new version', async () => {
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(jobStatus('SUCCEEDED'));
    greengrass
      .on(DescribeComponentCommand)
      .rejects(awsError('ResourceNotFoundException', 'Component not found', 404));
    await expect(isComplete(polled(create()))).rejects.toThrow(
      /was packaged by job "part-model-1-0-0-abcdef12", but cannot be deployed: it does not exist .*raise edge\.modelComponent\.version/,
    );
  });

  test('throttling while polling is retried', async () => {
    lookoutVision
      .on(DescribeModelPackagingJobCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves(jobStatus('SUCCEEDED'));
    componentState('DEPLOYABLE');
    await expect(isComplete(polled(create()))).resolves.toMatchObject({ IsComplete: true });
    expect(lookoutVision.commandCalls(DescribeModelPackagingJobCommand)).toHaveLength(2);
  });

  test('a failed job fails the resource with the service message', async () => {
    lookoutVision
      .on(DescribeModelPackagingJobCommand)
      .resolves(jobStatus('FAILED', 'Compilation failed for target platform ARM64 NVIDIA'));
    await expect(isComplete(polled(create()))).rejects.toThrow(
      `Lookout for Vision model packaging job "${PROPS.JobName}" failed: Compilation failed for target platform ARM64 NVIDIA`,
    );
  });

  test('a failed job without a message says so', async () => {
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(jobStatus('FAILED'));
    await expect(isComplete(polled(create()))).rejects.toThrow('the service gave no reason');
  });

  test('a delete is complete at once', async () => {
    await expect(isComplete(polled(remove()))).resolves.toEqual({ IsComplete: true });
    expect(lookoutVision.calls()).toHaveLength(0);
  });
});

describe('update', () => {
  const nextVersion: ModelPackagingProperties = {
    ...PROPS,
    ComponentVersion: '1.1.0',
    ComponentVersionArn: ARN.replace('1.0.0', '1.1.0'),
    JobName: 'part-model-1-1-0-12345678',
    ModelVersion: '4',
  };

  test('a new component version packages again under a new physical id', async () => {
    lookoutVision.on(StartModelPackagingJobCommand).resolves({});
    const response = await onEvent(update(nextVersion));
    expect(response.PhysicalResourceId).toBe(nextVersion.ComponentVersionArn);
    expect(
      lookoutVision.commandCalls(StartModelPackagingJobCommand)[0].args[0].input,
    ).toMatchObject({ ModelVersion: '4', JobName: nextVersion.JobName });
  });

  test('the same component version with the same inputs does nothing', async () => {
    const response = await onEvent(update(PROPS));
    expect(response.PhysicalResourceId).toBe(ARN);
    await expect(isComplete(polled(update(PROPS)))).resolves.toMatchObject({ IsComplete: true });
    expect(lookoutVision.calls()).toHaveLength(0);
  });

  test('a change of the deployment target alone does not call the service', async () => {
    const moved = { ...PROPS, TargetArn: PROPS.TargetArn!.replace('line', 'line-2') };
    await expect(onEvent(update(moved))).resolves.toMatchObject({ PhysicalResourceId: ARN });
    expect(lookoutVision.calls()).toHaveLength(0);
  });

  test('changed inputs under the same component version ask for a new version', async () => {
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(jobStatus('SUCCEEDED'));
    await expect(onEvent(update({ ...PROPS, ModelVersion: '4' }))).rejects.toThrow(
      'Component part-model 1.0.0 was packaged already and component versions are immutable, but ModelVersion changed: raise edge.modelComponent.version to package the model again.',
    );
    expect(lookoutVision.commandCalls(StartModelPackagingJobCommand)).toHaveLength(0);
  });

  test('the rollback of such an update, to the inputs the version was packaged with, succeeds', async () => {
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(jobStatus('SUCCEEDED'));
    const rollback = update(PROPS, { ...PROPS, ModelVersion: '4' });
    await expect(onEvent(rollback)).resolves.toMatchObject({ PhysicalResourceId: ARN });
    await expect(isComplete(polled(rollback))).resolves.toMatchObject({ IsComplete: true });
    expect(lookoutVision.commandCalls(StartModelPackagingJobCommand)).toHaveLength(0);
  });
});

describe('delete', () => {
  const NEXT_ARN = ARN.replace('1.0.0', '1.1.0');
  beforeEach(() => {
    lookoutVision.on(DescribeModelPackagingJobCommand).resolves(jobStatus('SUCCEEDED'));
    greengrass.on(GetComponentCommand).resolves(recipeWith([]));
    greengrass
      .on(ListComponentVersionsCommand)
      .resolves({ componentVersions: [{ arn: ARN, componentVersion: '1.0.0' }] });
  });

  test('deletes the component version it created once no deployment runs it', async () => {
    latestDeployment('1.1.0');
    greengrass.on(DeleteComponentCommand).resolves({});
    await expect(onEvent(remove())).resolves.toEqual({ PhysicalResourceId: ARN });
    expect(greengrass.commandCalls(ListDeploymentsCommand)[0].args[0].input).toEqual({
      targetArn: PROPS.TargetArn,
      historyFilter: 'LATEST_ONLY',
    });
    expect(greengrass.commandCalls(GetComponentCommand)[0].args[0].input).toEqual({
      arn: ARN,
      recipeOutputFormat: 'JSON',
    });
    expect(greengrass.commandCalls(DeleteComponentCommand)[0].args[0].input).toEqual({ arn: ARN });
    expect(lookoutVision.calls().map((call) => call.args[0].constructor)).toEqual([
      DescribeModelPackagingJobCommand,
    ]);
  });

  // S3 lifecycle docs (lifecycle-expire-general-considerations.html): on a versioned bucket an
  // expiration only adds a delete marker, and a current object is never expired by the bucket's
  // noncurrent-version rule; the nucleus (S3Downloader) downloads a version's artifacts whenever a
  // device joins, so none may expire by age. Delete removes exactly the artifacts the deleted
  // version's recipe names under the prefix, and keeps those another version still names (which
  // keys a packaging job writes is not documented).
  test("deletes the deleted version's own artifacts under the prefix, and no others", async () => {
    greengrass.on(ListDeploymentsCommand).resolves({ deployments: [] });
    greengrass
      .on(GetComponentCommand, { arn: ARN })
      .resolves(
        recipeWith([
          's3://edge-artifacts/models/part-model/1.0.0/model.zip',
          's3://edge-artifacts/models/shared/runtime.tar.gz',
          's3://edge-artifacts/elsewhere/notes.txt',
          's3://other-bucket/models/part-model/1.0.0/model.zip',
        ]),
      );
    greengrass
      .on(GetComponentCommand, { arn: NEXT_ARN })
      .resolves(recipeWith(['s3://edge-artifacts/models/shared/runtime.tar.gz']));
    greengrass.on(ListComponentVersionsCommand).resolves({
      componentVersions: [
        { arn: ARN, componentVersion: '1.0.0' },
        { arn: NEXT_ARN, componentVersion: '1.1.0' },
      ],
    });
    greengrass.on(DeleteComponentCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});

    await onEvent(remove());

    expect(greengrass.commandCalls(ListComponentVersionsCommand)[0].args[0].input).toEqual({
      arn: 'arn:aws:greengrass:us-east-1:123456789012:components:part-model',
      nextToken: undefined,
    });
    const deletes = s3.commandCalls(DeleteObjectsCommand);
    expect(deletes).toHaveLength(1);
    expect(deletes[0].args[0].input).toEqual({
      Bucket: 'edge-artifacts',
      Delete: { Objects: [{ Key: 'models/part-model/1.0.0/model.zip' }], Quiet: true },
    });
    expect(greengrass.commandCalls(DeleteComponentCommand)).toHaveLength(1);
  });

  test('artifacts that S3 does not delete fail the delete, named, after the component version is gone', async () => {
    greengrass.on(ListDeploymentsCommand).resolves({ deployments: [] });
    greengrass
      .on(GetComponentCommand)
      .resolves(recipeWith(['s3://edge-artifacts/models/part-model/1.0.0/model.zip']));
    greengrass.on(DeleteComponentCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [
        {
          Key: 'models/part-model/1.0.0/model.zip',
          Code: 'AccessDenied',
          Message: 'Access Denied',
        },
      ],
    });
    await expect(onEvent(remove())).rejects.toThrow(
      `Deleted Greengrass component version ${ARN}, but not its artifacts s3://edge-artifacts/models/part-model/1.0.0/model.zip (AccessDenied: Access Denied): delete them by hand.`,
    );
    expect(greengrass.commandCalls(DeleteComponentCommand)).toHaveLength(1);
  });

  // The provider framework returns the physical id as soon as onEvent has started the job; a
  // rollback while the job runs would delete nothing (the version does not exist yet) and the job
  // would then create a version that no stack owns. The documents do not say whether a job can be
  // stopped (the API has no StopModelPackagingJob), so the delete fails and says what to wait for.
  test.each(['CREATED', 'RUNNING'] as const)(
    'a job still %s fails the delete, naming what to wait for',
    async (status) => {
      lookoutVision.on(DescribeModelPackagingJobCommand).resolves(jobStatus(status));
      await expect(onEvent(remove())).rejects.toThrow(
        `Model packaging job "${PROPS.JobName}" of project "part-inspection" is still ${status} and will create component part-model 1.0.0 afterwards. ` +
          `Wait until "aws lookoutvision describe-model-packaging-job --project-name part-inspection --job-name ${PROPS.JobName}" reports SUCCEEDED or FAILED, then retry the delete.`,
      );
      expect(greengrass.calls()).toHaveLength(0);
    },
  );

  test('a job that the service no longer shows does not stop the delete', async () => {
    lookoutVision
      .on(DescribeModelPackagingJobCommand)
      .rejects(awsError('AccessDeniedException', 'Lookout for Vision has ended', 403));
    greengrass.on(ListDeploymentsCommand).resolves({ deployments: [] });
    greengrass.on(DeleteComponentCommand).resolves({});
    await expect(onEvent(remove())).resolves.toEqual({ PhysicalResourceId: ARN });
    expect(greengrass.commandCalls(DeleteComponentCommand)).toHaveLength(1);
  });

  test('keeps a component version that the latest deployment still runs', async () => {
    latestDeployment('1.0.0');
    await expect(onEvent(remove())).resolves.toEqual({ PhysicalResourceId: ARN });
    expect(greengrass.commandCalls(GetDeploymentCommand)[0].args[0].input).toEqual({
      deploymentId: 'deployment-7',
    });
    expect(greengrass.commandCalls(DeleteComponentCommand)).toHaveLength(0);
  });

  test('a cancelled deployment keeps nothing', async () => {
    latestDeployment('1.0.0', 'CANCELED');
    greengrass.on(DeleteComponentCommand).resolves({});
    await onEvent(remove());
    expect(greengrass.commandCalls(GetDeploymentCommand)).toHaveLength(0);
    expect(greengrass.commandCalls(DeleteComponentCommand)).toHaveLength(1);
  });

  test('a deployment deleted since it was listed keeps nothing', async () => {
    latestDeployment('1.0.0');
    greengrass
      .on(GetDeploymentCommand)
      .rejects(awsError('ResourceNotFoundException', 'Deployment not found', 404));
    greengrass.on(DeleteComponentCommand).resolves({});
    await onEvent(remove());
    expect(greengrass.commandCalls(DeleteComponentCommand)).toHaveLength(1);
  });

  test('a component version that is gone already is fine', async () => {
    greengrass.on(ListDeploymentsCommand).resolves({ deployments: [] });
    greengrass
      .on(GetComponentCommand)
      .rejects(awsError('ResourceNotFoundException', 'Component not found', 404));
    await expect(onEvent(remove())).resolves.toEqual({ PhysicalResourceId: ARN });
    expect(greengrass.commandCalls(DeleteComponentCommand)).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  test('a component version deleted while the delete runs is fine', async () => {
    greengrass.on(ListDeploymentsCommand).resolves({ deployments: [] });
    greengrass
      .on(DeleteComponentCommand)
      .rejects(awsError('ResourceNotFoundException', 'Component not found', 404));
    await expect(onEvent(remove())).resolves.toEqual({ PhysicalResourceId: ARN });
  });

  test('without a deployment target the component version is deleted directly', async () => {
    greengrass.on(DeleteComponentCommand).resolves({});
    await onEvent(remove(ARN, { ...PROPS, TargetArn: undefined }));
    expect(greengrass.commandCalls(ListDeploymentsCommand)).toHaveLength(0);
    expect(greengrass.commandCalls(DeleteComponentCommand)).toHaveLength(1);
  });

  test('a create that failed before the job started has nothing to delete', async () => {
    await expect(onEvent(remove('2024/01/01/[$LATEST]abc'))).resolves.toBeDefined();
    expect(greengrass.calls()).toHaveLength(0);
    expect(lookoutVision.calls()).toHaveLength(0);
  });

  test('other errors fail the delete with the component version named', async () => {
    greengrass.on(ListDeploymentsCommand).resolves({ deployments: [] });
    greengrass
      .on(DeleteComponentCommand)
      .rejects(awsError('ValidationException', 'Invalid ARN', 400));
    await expect(onEvent(remove())).rejects.toThrow(
      `Could not delete Greengrass component version ${ARN}: Invalid ARN`,
    );
  });
});
