import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lookoutvision from 'aws-cdk-lib/aws-lookoutvision';
import type { Construct } from 'constructs';
import type { StorageResources } from '../storage/storage-resources';
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
 * that inspects camera images, all deployed to a thing group of Greengrass core devices.
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

    const project =
      edge.lookoutVision.project === 'create'
        ? new lookoutvision.CfnProject(this, 'Project', {
            projectName: edge.lookoutVision.projectName,
          })
        : undefined;
    project?.applyRemovalPolicy(RemovalPolicy.RETAIN);

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
    if (packaging && project) packaging.node.addDependency(project);
    this.modelComponent = packaging ?? { name: model.name, version: model.version };

    this.inferenceClient = new InferenceClientComponent(this, 'InferenceClient', {
      ...edge.inferenceClient,
      publisher: projectName,
      modelComponent: this.modelComponent,
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
    this.deployment.node.addDependency(access, this.inferenceClient);
    if (packaging) this.deployment.node.addDependency(packaging);

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
  }
}
