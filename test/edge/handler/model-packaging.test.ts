import {
  DeleteComponentCommand,
  GetDeploymentCommand,
  GreengrassV2Client,
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
const { onEvent, isComplete } = modelPackagingHandlers({
  lookoutVision: new LookoutVisionClient({ region: 'us-east-1' }),
  greengrass: new GreengrassV2Client({ region: 'us-east-1' }),
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

const common = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  ResponseURL: 'https://example.com/response',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/edge/guid',
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
      Description: 'Greengrass component part-model 1.0.0',
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
  test('a refused account is told plainly, with the switches to turn it off or use an existing component', async () => {
    lookoutVision
      .on(StartModelPackagingJobCommand)
      .rejects(awsError('AccessDeniedException', 'The account is not allowlisted', 403));
    const error = await onEvent(create()).catch((caught: Error) => caught);
    expect((error as Error).message).toBe(
      'Amazon Lookout for Vision refused this account: it is closed to new AWS customers, or this account or role has no access to it. ' +
        'Set features.edge to false to deploy without it. The service said: The account is not allowlisted ' +
        'To deploy a model component that was packaged earlier without calling the service, set edge.modelComponent.source to "existing" with its name and version.',
    );
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

  test('throttling while polling is retried', async () => {
    lookoutVision
      .on(DescribeModelPackagingJobCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves(jobStatus('SUCCEEDED'));
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
  test('deletes the component version it created once no deployment runs it', async () => {
    latestDeployment('1.1.0');
    greengrass.on(DeleteComponentCommand).resolves({});
    await expect(onEvent(remove())).resolves.toEqual({ PhysicalResourceId: ARN });
    expect(greengrass.commandCalls(ListDeploymentsCommand)[0].args[0].input).toEqual({
      targetArn: PROPS.TargetArn,
      historyFilter: 'LATEST_ONLY',
    });
    expect(greengrass.commandCalls(DeleteComponentCommand)[0].args[0].input).toEqual({ arn: ARN });
    expect(lookoutVision.calls()).toHaveLength(0);
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
