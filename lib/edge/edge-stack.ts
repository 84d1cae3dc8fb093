import type { StackProps } from 'aws-cdk-lib';
import { Aws, CfnOutput, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lookoutvision from 'aws-cdk-lib/aws-lookoutvision';
import type { Construct } from 'constructs';
import type { StorageResources } from '../storage/storage-resources';
import { ComponentVersionCheck } from './component-version-check';
import type { EdgeConfig } from './config';
import { EdgeDeployment } from './edge-deployment';
import { EDGE_AGENT_COMPONENT } from './edge-agent';
import type { GreengrassComponentRef } from './greengrass-component';
import { InferenceClientComponent } from './inference-client-component';
import { ModelPackagingJob } from './model-packaging-job';
import { EdgeAgentRegionCheck } from './region-check';
import { ThingGroupTarget } from './thing-group-target';
import { TokenExchangeAccess } from './token-exchange-access';

/** Properties of the {@link EdgeStack}. */
export interface EdgeStackProps extends StackProps {
  /** Publisher of the inference client, and prefix of the deployment's name. */
  readonly projectName: string;
  /** The Lookout for Vision model, its components, the thing group and the rollout. */
  readonly edge: EdgeConfig;
  /** The bucket that receives the model artifacts, and the key that encrypts it. */
  readonly storage: Pick<StorageResources, 'edgeArtifactsBucket' | 'dataKey'>;
}

/**
 * A Lookout for Vision model running next to the production line: the model packaged as a
 * Greengrass component (or one packaged earlier), the EdgeAgent that serves it, and a client
 * that inspects camera images, all deployed to a thing group of Greengrass core devices once
 * the model component is known to be deployable with the pinned EdgeAgent. The deployment
 * completes before any device has run it: the `DeviceRolloutCommand` output shows how each did.
 *
 * The devices bring what the stack cannot declare: Greengrass v2 on Linux AArch64 or x86_64,
 * Python 3.8 or 3.9 with pip and venv, the Greengrass user in the `video` group for GPU
 * inference, the token exchange role named in the configuration, and an AWS IoT policy that
 * lets the core device publish to the results topic.
 */
export class EdgeStack extends Stack {
  readonly modelComponent: GreengrassComponentRef;
  readonly inferenceClient: InferenceClientComponent;
  readonly deployment: EdgeDeployment;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { edge, projectName } = props;
    const { edgeArtifactsBucket, dataKey } = props.storage;

    new EdgeAgentRegionCheck(this, 'EdgeAgentRegion');

    if (edge.lookoutVision.project === 'create') {
      const project = new lookoutvision.CfnProject(this, 'Project', {
        projectName: edge.lookoutVision.projectName,
      });
      // Kept once it holds datasets and models; deleted when the deploy that creates it fails,
      // so that the retry does not find it in the way.
      project.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    }

    const model = edge.modelComponent;
    const thingGroup = new ThingGroupTarget(this, 'ThingGroup', {
      thingGroupName: edge.thingGroupName,
      create: edge.thingGroup === 'create',
      description: `Greengrass core devices that inspect parts with ${model.name}`,
    });

    const packaging =
      model.source === 'package'
        ? new ModelPackagingJob(this, 'ModelPackaging', {
            projectName: edge.lookoutVision.projectName,
            modelVersion: edge.lookoutVision.modelVersion,
            component: { name: model.name, version: model.version },
            targetDevice: model.targetDevice ?? undefined,
            targetPlatform: model.targetPlatform
              ? {
                  ...model.targetPlatform,
                  accelerator: model.targetPlatform.accelerator ?? undefined,
                }
              : undefined,
            compilerOptions: model.compilerOptions ?? undefined,
            artifactsBucket: edgeArtifactsBucket,
            artifactPrefix: model.artifactPrefix,
            encryptionKey: dataKey,
            deploymentTargetArn: thingGroup.thingGroupArn,
          })
        : undefined;
    this.modelComponent = packaging ?? { name: model.name, version: model.version };
    const modelCheck = new ComponentVersionCheck(this, 'ModelComponentCheck', {
      component: this.modelComponent,
      componentVersionArn: packaging?.componentVersionArn,
      edgeAgentVersion: edge.edgeAgentVersion,
      source: model.source,
    });

    this.inferenceClient = new InferenceClientComponent(this, 'InferenceClient', {
      ...edge.inferenceClient,
      publisher: projectName,
      modelComponent: this.modelComponent,
      edgeAgentVersion: edge.edgeAgentVersion,
    });

    const access = new TokenExchangeAccess(this, 'TokenExchangeAccess', {
      roleName: edge.tokenExchangeRoleName,
      artifactsBucket: edgeArtifactsBucket,
      artifactPrefix: model.artifactPrefix,
      encryptionKey: dataKey,
      assets: [this.inferenceClient.artifact],
    });

    this.deployment = new EdgeDeployment(this, 'Deployment', {
      deploymentName: `${projectName}-${edge.thingGroupName}`,
      targetArn: thingGroup.thingGroupArn,
      components: [
        this.modelComponent,
        { name: EDGE_AGENT_COMPONENT, version: edge.edgeAgentVersion },
        this.inferenceClient,
      ],
      ...edge.deployment,
    });
    // Devices start downloading as soon as the deployment exists.
    this.deployment.node.addDependency(access, this.inferenceClient, modelCheck);

    new CfnOutput(this, 'ModelComponent', {
      description: 'Model component name and version that the deployment runs',
      value: `${this.modelComponent.name} ${this.modelComponent.version}`,
    });
    new CfnOutput(this, 'InferenceClientComponent', {
      description: 'Inference client component name and version that the deployment runs',
      value: `${this.inferenceClient.name} ${this.inferenceClient.version}`,
    });
    new CfnOutput(this, 'DeploymentId', {
      description: 'Greengrass deployment of the components to the thing group',
      value: this.deployment.resource.attrDeploymentId,
    });
    // The stack succeeds once the deployment exists, whether or not any device runs it.
    new CfnOutput(this, 'DeviceRolloutCommand', {
      description:
        'Lists how each device ran the deployment (QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, ...)',
      value: Fn.join('', [
        'aws iot list-job-executions-for-job --region ',
        Aws.REGION,
        ' --job-id "$(aws greengrassv2 get-deployment --region ',
        Aws.REGION,
        ' --deployment-id ',
        this.deployment.resource.attrDeploymentId,
        ' --query iotJobId --output text)"',
      ]),
    });
  }
}
