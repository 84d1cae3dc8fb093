import {
  DescribeComponentCommand,
  GetComponentCommand,
  GreengrassV2Client,
} from '@aws-sdk/client-greengrassv2';
import { mockClient } from 'aws-sdk-client-mock';
import type { ComponentVersionCheckEvent } from '../../../lib/edge/handler/component-version-check';
import { componentVersionCheckHandlers } from '../../../lib/edge/handler/component-version-check';
import type { ComponentVersionCheckProperties } from '../../../lib/edge/handler/component-version-check-properties';
import { COMPONENT_VERSION_CHECK_RESOURCE_TYPE } from '../../../lib/edge/handler/component-version-check-properties';

const greengrass = mockClient(GreengrassV2Client);
const { onEvent } = componentVersionCheckHandlers({
  greengrass: new GreengrassV2Client({ region: 'us-east-1' }),
  retry: { sleep: async () => undefined },
});

const ARN = 'arn:aws:greengrass:us-east-1:123456789012:components:part-model:versions:1.0.0';
const PROPS: ComponentVersionCheckProperties = {
  ComponentName: 'part-model',
  ComponentVersion: '1.0.0',
  ComponentVersionArn: ARN,
  EdgeAgentVersion: '1.1.1',
  Source: 'existing',
};

function create(props: Partial<ComponentVersionCheckProperties> = {}): ComponentVersionCheckEvent {
  return {
    RequestType: 'Create',
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
    ResponseURL: 'https://example.com/response',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/ml-foundation-edge/guid',
    RequestId: 'request-1',
    LogicalResourceId: 'ModelComponentCheck',
    ResourceType: COMPONENT_VERSION_CHECK_RESOURCE_TYPE,
    ResourceProperties: { ServiceToken: 'token', ...PROPS, ...props },
  };
}

/** A model component whose recipe declares `dependencies`. */
function modelComponent(dependencies: Record<string, unknown> | undefined) {
  greengrass
    .on(DescribeComponentCommand)
    .resolves({ arn: ARN, status: { componentState: 'DEPLOYABLE' } });
  const recipe = {
    RecipeFormatVersion: '2020-01-25',
    ComponentName: 'part-model',
    ComponentVersion: '1.0.0',
    ...(dependencies ? { ComponentDependencies: dependencies } : {}),
  };
  greengrass.on(GetComponentCommand).resolves({
    recipeOutputFormat: 'JSON',
    recipe: new TextEncoder().encode(JSON.stringify(recipe)),
  });
}

const requiring = (VersionRequirement: string) => ({
  'aws.iot.lookoutvision.EdgeAgent': { VersionRequirement, DependencyType: 'HARD' },
});

beforeEach(() => greengrass.reset());

// The Greengrass deployment resource completes on CreateDeployment whatever the devices do
// (CFN-GGv2 aws-greengrassv2-deployment CreateHandler), and a device whose deployment names a
// dependency range that the pinned EdgeAgent is not in fails with
// NoAvailableComponentVersionException (Nucleus ComponentServiceHelper). The model component's
// range is in no public document: the check reads it from the recipe (GetComponent).
describe('the EdgeAgent range of the model component', () => {
  test('a pinned EdgeAgent inside the range passes', async () => {
    modelComponent(requiring('>=1.1.0 <1.2.0'));
    await expect(onEvent(create())).resolves.toEqual({ PhysicalResourceId: ARN });
    expect(greengrass.commandCalls(GetComponentCommand)[0].args[0].input).toEqual({
      arn: ARN,
      recipeOutputFormat: 'JSON',
    });
  });

  test('a pinned EdgeAgent outside the range fails, naming both', async () => {
    modelComponent(requiring('>=1.2.0 <1.3.0'));
    await expect(onEvent(create())).rejects.toThrow(
      'Model component part-model 1.0.0 requires aws.iot.lookoutvision.EdgeAgent ">=1.2.0 <1.3.0", which edge.edgeAgentVersion 1.1.1 does not satisfy: set edge.edgeAgentVersion to a version in that range.',
    );
  });

  test('a packaged component says that its rollback deletes it', async () => {
    modelComponent(requiring('^1.2.0'));
    await expect(onEvent(create({ Source: 'package' }))).rejects.toThrow(
      /does not satisfy: set edge\.edgeAgentVersion to a version in that range\. If this deploy packaged the component, its rollback deletes it: raise edge\.modelComponent\.version as well\.$/,
    );
  });

  test('a range the check cannot read fails rather than passes', async () => {
    modelComponent(requiring('>=1.2.0-rc.1'));
    await expect(onEvent(create())).rejects.toThrow(
      /requires aws\.iot\.lookoutvision\.EdgeAgent ">=1\.2\.0-rc\.1", which this stack cannot check edge\.edgeAgentVersion 1\.1\.1 against/,
    );
  });

  // Not settled by any document: every Lookout for Vision model component is expected to depend
  // on the EdgeAgent; one that does not is not deployed on a guess.
  test('a component without an EdgeAgent dependency fails', async () => {
    modelComponent({ 'aws.greengrass.Nucleus': { VersionRequirement: '>=2.5.0' } });
    await expect(onEvent(create())).rejects.toThrow(
      /declares no dependency on aws\.iot\.lookoutvision\.EdgeAgent/,
    );
  });

  test('recipe keys are read in any case, as Greengrass reads them', async () => {
    modelComponent({ 'aws.iot.lookoutvision.EdgeAgent': { versionrequirement: '~1.1.0' } });
    await expect(onEvent(create())).resolves.toEqual({ PhysicalResourceId: ARN });
  });
});

// API_DeleteComponent: deployments that refer to a deleted version fail; API_CloudComponentStatus
// does not say which state a version deleted by its owner shows, so every state but DEPLOYABLE
// fails the deploy.
describe('the component version itself', () => {
  test('a version that does not exist fails with what to change', async () => {
    greengrass.on(DescribeComponentCommand).rejects(
      Object.assign(new Error('Component not found'), {
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    await expect(onEvent(create())).rejects.toThrow(
      'Model component part-model 1.0.0 cannot be deployed: it does not exist (ResourceNotFoundException: Component not found). Set edge.modelComponent.name and version to a component version that exists in this account and Region.',
    );
    expect(greengrass.commandCalls(GetComponentCommand)).toHaveLength(0);
  });

  test('a version that is not deployable fails; a packaged one asks for a new version', async () => {
    greengrass
      .on(DescribeComponentCommand)
      .resolves({ status: { componentState: 'DEPRECATED', message: 'superseded' } });
    await expect(onEvent(create({ Source: 'package' }))).rejects.toThrow(
      'Model component part-model 1.0.0 cannot be deployed: its state is DEPRECATED: superseded. Raise edge.modelComponent.version to package the model again.',
    );
  });
});

describe('lifecycle', () => {
  test('an update checks again: a new EdgeAgent pin is checked against the same recipe', async () => {
    modelComponent(requiring('>=1.1.0 <1.2.0'));
    const event = {
      ...create({ EdgeAgentVersion: '1.2.0' }),
      RequestType: 'Update',
      PhysicalResourceId: ARN,
      OldResourceProperties: { ServiceToken: 'token', ...PROPS },
    } as ComponentVersionCheckEvent;
    await expect(onEvent(event)).rejects.toThrow(/edge\.edgeAgentVersion 1\.2\.0 does not satisfy/);
  });

  test('a delete reads nothing', async () => {
    const event = {
      ...create(),
      RequestType: 'Delete',
      PhysicalResourceId: ARN,
    } as ComponentVersionCheckEvent;
    await expect(onEvent(event)).resolves.toEqual({ PhysicalResourceId: ARN });
    expect(greengrass.calls()).toHaveLength(0);
  });

  test('missing properties are reported by name', async () => {
    await expect(onEvent(create({ EdgeAgentVersion: '' }))).rejects.toThrow(
      'The resource property EdgeAgentVersion must be a non-empty string.',
    );
  });
});
