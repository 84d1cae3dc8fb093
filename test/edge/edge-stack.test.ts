import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mergeConfig } from '../../lib/config/load-config';
import { EDGE_AGENT_COMPONENT, EDGE_AGENT_REGIONS } from '../../lib/edge/edge-agent';
import type { EdgeStack } from '../../lib/edge/edge-stack';
import type { InferenceClientComponentProps } from '../../lib/edge/inference-client-component';
import {
  INFERENCE_CLIENT_SCRIPT,
  InferenceClientComponent,
} from '../../lib/edge/inference-client-component';
import { regionalArn } from '../support/iam';
import { stableTemplate } from '../support/stable-template';
import type { Json, TemplateResource } from '../support/template-resources';
import { onlyResource, resourcesOf } from '../support/template-resources';
import type { TestAppOptions } from '../support/test-app';
import {
  buildTestFoundation,
  buildTestFoundationIn,
  describeFindings,
  nagFindings,
} from '../support/test-app';

/** The features the edge stack does not read, switched off so that a test builds only what it checks. */
const EDGE_AND_STORAGE_ONLY = {
  features: { amazonMl: false, replication: false, governance: false },
};

/** The edge stack of the default configuration with `overrides` merged over it, and its template. */
function edgeOf(
  overrides: unknown = {},
  options: TestAppOptions = {},
): { app: App; edge: EdgeStack; template: Template } {
  const { app, stacks } = buildTestFoundation(
    mergeConfig(EDGE_AND_STORAGE_ONLY, overrides),
    options,
  );
  const edge = stacks.edge!;
  return { app, edge, template: Template.fromStack(edge) };
}

/** The ARN of the CDK bootstrap's file assets bucket (default qualifier), followed by `suffix`. */
function cdkAssetsBucketArn(suffix = ''): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':s3:::',
        { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' },
        ...(suffix ? [suffix] : []),
      ],
    ],
  };
}

/** The policy the stack attaches to the devices' token exchange role. */
function tokenExchangePolicyOf(template: Template): TemplateResource {
  return onlyResource(template, 'AWS::IAM::Policy', (policy) =>
    policy.Properties.Roles.includes('GreengrassV2TokenExchangeRole'),
  );
}

/** The statements of every IAM policy whose logical id matches `id`. */
function policyStatementsOf(template: Template, id: string): Json[] {
  const policies = resourcesOf(template, 'AWS::IAM::Policy').filter((policy) =>
    new RegExp(`^(${id})`).test(policy.id),
  );
  if (policies.length === 0) throw new Error(`no IAM policy matches ${id}`);
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function actionsOf(statements: Json[]): string[] {
  return [...new Set(statements.flatMap((statement) => [statement.Action].flat()))];
}

function recipeOf(template: Template): Record<string, unknown> {
  const component = onlyResource(template, 'AWS::GreengrassV2::ComponentVersion');
  const [, parts] = component.Properties.InlineRecipe['Fn::Join'];
  const text = (parts as unknown[])
    .map((part) => (typeof part === 'string' ? part : 's3://asset-bucket/asset-key.py'))
    .join('');
  return JSON.parse(text);
}

function clientVersionOf(overrides: unknown): string {
  return edgeOf(overrides).edge.inferenceClient.version;
}

describe('EdgeStack', () => {
  const { app, edge, template } = edgeOf({}, { nag: true });
  let deployment: TemplateResource;
  beforeAll(() => {
    deployment = onlyResource(template, 'AWS::GreengrassV2::Deployment');
  });

  test('deploys the model, the pinned EdgeAgent and the inference client at exact versions', () => {
    const clientVersion = edge.inferenceClient.version;
    expect(clientVersion).toMatch(/^1\.0\.\d{1,6}$/);
    expect(deployment.Properties.Components).toEqual({
      'part-inspection-model': { ComponentVersion: '1.0.0' },
      [EDGE_AGENT_COMPONENT]: { ComponentVersion: '1.1.1' },
      'part-inspection.InferenceClient': { ComponentVersion: clientVersion },
    });
    expect(recipeOf(template)).toMatchObject({
      ComponentName: 'part-inspection.InferenceClient',
      ComponentVersion: clientVersion,
    });
  });

  test('the deployment waits for the packaging job, its check, the client component and the device policy', () => {
    const packaging = onlyResource(template, 'Custom::LookoutVisionModelPackaging');
    const check = onlyResource(template, 'Custom::GreengrassComponentVersionCheck');
    const client = onlyResource(template, 'AWS::GreengrassV2::ComponentVersion');
    const policy = tokenExchangePolicyOf(template);
    expect(deployment.DependsOn).toEqual(expect.arrayContaining([check.id, client.id, policy.id]));
    // The check reads the version the job made, so it runs after the job.
    expect(check.Properties.ComponentVersionArn).toEqual({
      'Fn::GetAtt': [packaging.id, 'ComponentVersionArn'],
    });
  });

  // Finding 11: the model component's EdgeAgent range is only in its recipe (no document gives
  // it), and the deployment succeeds whatever the devices do (CFN-GGv2 Deployment
  // CreateHandler): the check compares the recipe's range with the pinned version at deploy time.
  test('the model component is checked against the pinned EdgeAgent, reading only that version', () => {
    const check = onlyResource(template, 'Custom::GreengrassComponentVersionCheck');
    expect(check.Properties).toMatchObject({
      ComponentName: 'part-inspection-model',
      ComponentVersion: '1.0.0',
      EdgeAgentVersion: '1.1.1',
      Source: 'package',
    });
    const statements = JSON.stringify(
      policyStatementsOf(template, 'ModelComponentCheck|ComponentVersionCheckProvider'),
    );
    expect(statements).toContain(
      '"Action":["greengrass:DescribeComponent","greengrass:GetComponent"]',
    );
    expect(statements).toContain(':components:part-inspection-model:versions:1.0.0"');
    expect(statements).not.toContain('versions:*');
  });

  test('the inference client logs the pinned EdgeAgent version', () => {
    const recipe = recipeOf(template) as {
      ComponentConfiguration: { DefaultConfiguration: Record<string, unknown> };
    };
    expect(recipe.ComponentConfiguration.DefaultConfiguration.EdgeAgentVersion).toBe('1.1.1');
  });

  // CFN-GGv2 Deployment CreateHandler: the stack completes on CreateDeployment, before any
  // device has run it; the output says how to see what the devices did.
  test('an output gives the command that lists how each device ran the deployment', () => {
    const output = template.toJSON().Outputs.DeviceRolloutCommand;
    const [, parts] = output.Value['Fn::Join'];
    expect(parts).toEqual([
      'aws iot list-job-executions-for-job --region ',
      { Ref: 'AWS::Region' },
      ' --job-id "$(aws greengrassv2 get-deployment --region ',
      { Ref: 'AWS::Region' },
      ' --deployment-id ',
      { 'Fn::GetAtt': [deployment.id, 'DeploymentId'] },
      ' --query iotJobId --output text)"',
    ]);
  });

  test('the deployment targets the thing group, rolls back failures and bounds the rollout', () => {
    const group = onlyResource(template, 'AWS::IoT::ThingGroup');
    expect(group.Properties.ThingGroupName).toBe('part-inspection-line');
    expect(deployment.Properties).toMatchObject({
      TargetArn: { 'Fn::GetAtt': [group.id, 'Arn'] },
      DeploymentName: 'ml-foundation-part-inspection-line',
      DeploymentPolicies: {
        FailureHandlingPolicy: 'ROLLBACK',
        ComponentUpdatePolicy: { Action: 'NOTIFY_COMPONENTS', TimeoutInSeconds: 60 },
      },
      IotJobConfiguration: {
        JobExecutionsRolloutConfig: { MaximumPerMinute: 10 },
        AbortConfig: {
          CriteriaList: [
            {
              FailureType: 'FAILED',
              Action: 'CANCEL',
              ThresholdPercentage: 50,
              MinNumberOfExecutedThings: 1,
            },
          ],
        },
      },
    });
  });

  test('the packaging job writes into the artifacts bucket and names its component version', () => {
    template.hasResourceProperties('Custom::LookoutVisionModelPackaging', {
      ProjectName: 'part-inspection',
      ModelVersion: '1',
      JobName: Match.stringLikeRegexp('^part-inspection-model-1-0-0-[0-9a-f]{8}$'),
      ComponentName: 'part-inspection-model',
      ComponentVersion: '1.0.0',
      ComponentVersionArn: {
        'Fn::Join': ['', Match.arrayWith([':components:part-inspection-model:versions:1.0.0'])],
      },
      Bucket: { 'Fn::ImportValue': Match.stringLikeRegexp('EdgeArtifactsBucket') },
      Prefix: 'lookout-vision/part-inspection/',
      TargetPlatform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' },
      CompilerOptions: '{"gpu-code":"sm_53","trt-ver":"7.1.3","cuda-ver":"10.2"}',
      TargetDevice: Match.absent(),
      TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ThingGroup'), 'Arn'] },
    });
  });

  // CFN-IoT aws-iot-thinggroup CreateHandler.checkForThingGroup: a create that finds the group
  // throws CfnAlreadyExistsException, so a group that a failed first deploy kept fails the retry.
  // CfnDeletionPolicy docs: RetainExceptOnCreate "behaves like Retain for stack operations, except
  // for the stack operation that initially created the resource", which a rollback deletes.
  test('the created thing group is kept on delete and update, but not by a failed first create', () => {
    const group = template.toJSON().Resources[onlyResource(template, 'AWS::IoT::ThingGroup').id];
    expect(group.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(group.UpdateReplacePolicy).toBe('Retain');
  });

  test("the token exchange role reads the model's prefix and the client's script, nothing more", () => {
    const policy = tokenExchangePolicyOf(template);
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Sid: 'ReadModelArtifacts',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: {
          'Fn::Join': [
            '',
            [
              { 'Fn::ImportValue': expect.stringMatching(/EdgeArtifactsBucket.*Arn/) },
              '/lookout-vision/part-inspection/*',
            ],
          ],
        },
      },
      {
        Sid: 'LocateArtifactBuckets',
        Effect: 'Allow',
        Action: 's3:GetBucketLocation',
        Resource: [
          { 'Fn::ImportValue': expect.stringMatching(/EdgeArtifactsBucket.*Arn/) },
          cdkAssetsBucketArn(),
        ],
      },
      {
        Sid: 'DecryptModelArtifacts',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::ImportValue': expect.stringMatching(/DataKey.*Arn/) },
        Condition: {
          StringEquals: {
            'kms:ViaService': {
              'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
            },
          },
        },
      },
      {
        Sid: 'ReadComponentArtifacts',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: cdkAssetsBucketArn(`/${edge.inferenceClient.artifact.assetHash}.py`),
      },
    ]);
  });

  test('the recipe runs the uploaded script against the model, with publish rights on its topic only', () => {
    const recipe = recipeOf(template) as {
      ComponentDependencies: unknown;
      ComponentConfiguration: { DefaultConfiguration: Record<string, unknown> };
      Manifests: Array<{
        Lifecycle: { install: { Script: string }; run: { Script: string } };
        Artifacts: unknown[];
      }>;
    };
    expect(recipe.ComponentDependencies).toEqual({
      'part-inspection-model': { VersionRequirement: '=1.0.0', DependencyType: 'HARD' },
    });
    expect(recipe.ComponentConfiguration.DefaultConfiguration).toMatchObject({
      ModelComponent: 'part-inspection-model',
      ImageFolder: '/var/lib/part-inspection/images',
      ResultsTopic: 'part-inspection/results',
      accessControl: {
        'aws.greengrass.ipc.mqttproxy': {
          'part-inspection.InferenceClient:mqttproxy:1': {
            operations: ['aws.greengrass#PublishToIoTCore'],
            resources: ['part-inspection/results'],
          },
        },
      },
    });
    const [manifest] = recipe.Manifests;
    const scriptName = `${edge.inferenceClient.artifact.assetHash}.py`;
    expect(manifest.Artifacts).toEqual([
      { Uri: 's3://asset-bucket/asset-key.py', Permission: { Read: 'OWNER', Execute: 'NONE' } },
    ]);
    expect(manifest.Lifecycle.run.Script).toContain(
      `exec {work:path}/venv/bin/python -u {artifacts:path}/${scriptName}`,
    );
    expect(manifest.Lifecycle.install.Script).toContain('grep -qx video');
    const component = onlyResource(template, 'AWS::GreengrassV2::ComponentVersion');
    expect(JSON.stringify(component.Properties.InlineRecipe)).toContain(
      `"Fn::Sub":"s3://cdk-hnb659fds-assets-\${AWS::AccountId}-\${AWS::Region}/${scriptName}"`,
    );
  });

  // API_StartModelPackagingJob: its caller needs lookoutvision:StartModelPackagingJob,
  // s3:PutObject, s3:GetBucketLocation, kms:GenerateDataKey, greengrass:CreateComponentVersion and
  // greengrass:DescribeComponent. Service Authorization Reference, list_lookoutvision.html (table
  // read from a generated copy; the live page's table did not load): StartModelPackagingJob on
  // resource type `model`, DescribeModelPackagingJob on none (`*`).
  test('onEvent may package this model into this component, delete its versions and artifacts, and read deployments', () => {
    const statements = policyStatementsOf(template, 'ModelPackagingProviderOnEvent');
    const actions = actionsOf(statements);
    expect(actions).toEqual(
      expect.arrayContaining([
        'lookoutvision:StartModelPackagingJob',
        'lookoutvision:DescribeModelPackagingJob',
        'greengrass:CreateComponentVersion',
        'greengrass:DescribeComponent',
        'greengrass:GetComponent',
        'greengrass:DeleteComponent',
        'greengrass:ListComponentVersions',
        's3:PutObject',
        's3:DeleteObject',
        's3:GetBucketLocation',
        'kms:GenerateDataKey',
        'greengrass:ListDeployments',
        'greengrass:GetDeployment',
      ]),
    );
    const start = statements.find((statement) =>
      [statement.Action].flat().includes('lookoutvision:StartModelPackagingJob'),
    );
    expect(JSON.stringify(start?.Resource)).toMatch(/:model\/part-inspection\/1"\]\]\}$/);
    const text = JSON.stringify(statements);
    expect(text).toContain(':components:part-inspection-model"');
    expect(text).toContain(':components:part-inspection-model:versions:*"');
    expect(text).toContain('"/lookout-vision/part-inspection/*"');
    expect(text).toContain(':deployments:*"');
    expect(text).not.toMatch(/"Action":"(s3|greengrass|lookoutvision|iot):\*"/);
  });

  // The isComplete function only reads the job and the version it made: none of onEvent's
  // write permissions.
  test('isComplete may only read the packaging job and the component versions', () => {
    const statements = policyStatementsOf(template, 'ModelPackagingProviderIsComplete');
    expect(actionsOf(statements).sort()).toEqual([
      'greengrass:DescribeComponent',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'lookoutvision:DescribeModelPackagingJob',
    ]);
  });

  // CloudFormation waits at most an hour for a custom resource; the provider gives up first.
  test('the packaging provider waits at most 55 minutes', () => {
    const machines = resourcesOf(template, 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(1);
    const definition = JSON.stringify(machines[0].Properties.DefinitionString);
    const interval = Number(/\\"IntervalSeconds\\":(\d+)/.exec(definition)?.[1]);
    const attempts = Number(/\\"MaxAttempts\\":(\d+)/.exec(definition)?.[1]);
    expect(interval * attempts).toBeLessThanOrEqual(55 * 60);
    expect(interval * attempts).toBeGreaterThanOrEqual(50 * 60);
  });

  test('an environment-agnostic stack stops deployment outside the EdgeAgent Regions', () => {
    const rules = template.toJSON().Rules;
    const [, rule] = Object.entries(rules).find(([id]) => id.startsWith('EdgeAgentRegion'))!;
    expect(rule).toEqual({
      Assertions: [
        {
          Assert: { 'Fn::Contains': [[...EDGE_AGENT_REGIONS], { Ref: 'AWS::Region' }] },
          AssertDescription: expect.stringContaining(
            'aws.iot.lookoutvision.EdgeAgent is published only in us-east-1, us-east-2, us-west-2',
          ),
        },
      ],
    });
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(app, edge))).toBe('');
  });

  test('matches the reviewed snapshot', () => {
    expect(stableTemplate(edge)).toMatchSnapshot();
  });

  test('exists only with features.edge', () => {
    expect(buildTestFoundation({ features: { edge: false } }).stacks.edge).toBeUndefined();
  });
});

describe('EdgeStack Regions', () => {
  // Amazon ML, which exists in fewer Regions, is off: this is about the edge stack alone.
  const inRegion = (region: string) =>
    buildTestFoundationIn(region, { features: { amazonMl: false } });

  test('a Region known to lack the EdgeAgent fails the synth', () => {
    expect(() => inRegion('eu-west-3').synth()).toThrow(
      /aws\.iot\.lookoutvision\.EdgeAgent is published only in .*; this stack deploys to eu-west-3/,
    );
  });

  test('a supported Region synthesizes without a Region rule', () => {
    const app = inRegion('eu-central-1');
    const template = Template.fromStack(app.node.findChild('Edge') as EdgeStack);
    expect(Object.keys(template.toJSON().Rules ?? {})).not.toContainEqual(
      expect.stringMatching(/^EdgeAgentRegion/),
    );
  });
});

describe('EdgeStack variants', () => {
  test('an existing model component is deployed as it is, without packaging, once checked', () => {
    const { template } = edgeOf({
      edge: {
        modelComponent: { source: 'existing', name: 'circuit-board-model', version: '2.3.0' },
      },
    });
    template.resourceCountIs('Custom::LookoutVisionModelPackaging', 0);
    const check = onlyResource(template, 'Custom::GreengrassComponentVersionCheck');
    expect(check.Properties).toMatchObject({
      ComponentName: 'circuit-board-model',
      ComponentVersion: '2.3.0',
      ComponentVersionArn: {
        'Fn::Join': [
          '',
          expect.arrayContaining([':components:circuit-board-model:versions:2.3.0']),
        ],
      },
      EdgeAgentVersion: '1.1.1',
      Source: 'existing',
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('lookoutvision:');
    const deployment = onlyResource(template, 'AWS::GreengrassV2::Deployment');
    expect(deployment.Properties.Components['circuit-board-model']).toEqual({
      ComponentVersion: '2.3.0',
    });
    expect(recipeOf(template)).toMatchObject({
      ComponentDependencies: {
        'circuit-board-model': { VersionRequirement: '=2.3.0', DependencyType: 'HARD' },
      },
    });
  });

  // Both types are keyed by their name (schemas: primaryIdentifier ProjectName), and every
  // registered handler must fail a second create with AlreadyExists (CloudFormation CLI contract
  // test contract_create_create): a project kept by a failed first create would fail the retry.
  test('a created project is kept on delete and update, but not by a failed first create', () => {
    const { template } = edgeOf({
      edge: { lookoutVision: { project: 'create' }, modelComponent: { source: 'existing' } },
    });
    const project = onlyResource(template, 'AWS::LookoutVision::Project');
    expect(project.Properties).toEqual({ ProjectName: 'part-inspection' });
    const resource = template.toJSON().Resources[project.id];
    expect(resource.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });

  test('an existing thing group is targeted by ARN', () => {
    const { template } = edgeOf({ edge: { thingGroup: 'existing', thingGroupName: 'line-7' } });
    template.resourceCountIs('AWS::IoT::ThingGroup', 0);
    const deployment = onlyResource(template, 'AWS::GreengrassV2::Deployment');
    expect(deployment.Properties.TargetArn).toEqual(regionalArn('iot', 'thinggroup/line-7'));
  });

  test('a target device packages for it without compiler options', () => {
    const { template } = edgeOf({
      edge: {
        modelComponent: {
          targetDevice: 'jetson_xavier',
          targetPlatform: null,
          compilerOptions: null,
        },
      },
    });
    template.hasResourceProperties('Custom::LookoutVisionModelPackaging', {
      TargetDevice: 'jetson_xavier',
      TargetPlatform: Match.absent(),
      CompilerOptions: Match.absent(),
    });
  });

  test('a new EdgeAgent version is pinned in the deployment', () => {
    const { template } = edgeOf({ edge: { edgeAgentVersion: '1.2.0' } });
    const deployment = onlyResource(template, 'AWS::GreengrassV2::Deployment');
    expect(deployment.Properties.Components[EDGE_AGENT_COMPONENT]).toEqual({
      ComponentVersion: '1.2.0',
    });
  });
});

describe('inference client component version', () => {
  const base = clientVersionOf({});

  test('the same content always gives the same version', () => {
    expect(clientVersionOf({})).toBe(base);
  });

  test('a recipe change gives a new version', () => {
    const changed = [
      clientVersionOf({ edge: { inferenceClient: { imageFolder: '/data/camera-1' } } }),
      clientVersionOf({ edge: { inferenceClient: { resultsTopic: 'line-7/results' } } }),
      clientVersionOf({ edge: { modelComponent: { version: '1.1.0' } } }),
    ];
    for (const version of changed) expect(version).not.toBe(base);
    expect(new Set(changed).size).toBe(changed.length);
  });

  test('the configured prefix is the major and minor version', () => {
    expect(clientVersionOf({ edge: { inferenceClient: { versionPrefix: '2.4' } } })).toMatch(
      /^2\.4\.\d+$/,
    );
  });

  test('the template carries the new version in both the recipe and the deployment', () => {
    const { template } = edgeOf({ edge: { inferenceClient: { pollIntervalSeconds: 5 } } });
    const version = (recipeOf(template) as { ComponentVersion: string }).ComponentVersion;
    expect(version).not.toBe(base);
    const deployment = onlyResource(template, 'AWS::GreengrassV2::Deployment');
    expect(deployment.Properties.Components['part-inspection.InferenceClient']).toEqual({
      ComponentVersion: version,
    });
  });

  test('a change of the script gives a new version', () => {
    const props: InferenceClientComponentProps = {
      componentName: 'part-inspection.InferenceClient',
      versionPrefix: '1.0',
      publisher: 'ml-foundation',
      modelComponent: { name: 'part-inspection-model', version: '1.0.0' },
      imageFolder: '/var/lib/part-inspection/images',
      resultsTopic: 'part-inspection/results',
      pollIntervalSeconds: 1,
      requireVideoGroup: true,
      edgeAgentVersion: '1.1.1',
    };
    const versionFor = (scriptPath: string) =>
      new InferenceClientComponent(new Stack(new App(), 'Client'), 'Client', {
        ...props,
        scriptPath,
      }).version;
    const edited = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'client-')),
      'inference_client.py',
    );
    fs.writeFileSync(edited, `${fs.readFileSync(INFERENCE_CLIENT_SCRIPT, 'utf8')}\n# retuned\n`);

    expect(versionFor(INFERENCE_CLIENT_SCRIPT)).toBe(base);
    expect(versionFor(edited)).not.toBe(base);
  });
});
