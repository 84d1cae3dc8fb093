import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { ArnFormat, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { grantPermissions } from '../shared/grant';
import { acknowledge, acknowledgeWildcardResources } from '../shared/nag';
import { S3PrefixAccess } from '../shared/s3-prefix-access';
import { SharedProvider } from '../shared/shared-provider';
import type { GreengrassComponentRef } from './greengrass-component';
import { componentArn, componentVersionArn } from './greengrass-component';
import type { ModelPackagingProperties } from './handler/model-packaging-properties';
import { MODEL_PACKAGING_RESOURCE_TYPE } from './handler/model-packaging-properties';

/** The longest job name Lookout for Vision accepts. */
const MAX_JOB_NAME = 64;

/**
 * The packaging job's name for a component version: readable, within Lookout for Vision's
 * `[a-zA-Z0-9-]{1,64}`, and distinct for every name and version (a hash keeps `a.b` and `a_b` apart).
 */
export function packagingJobName(component: GreengrassComponentRef): string {
  const hash = crypto
    .createHash('sha256')
    .update(`${component.name}@${component.version}`)
    .digest('hex')
    .slice(0, 8);
  const readable = `${component.name}-${component.version}`
    .replace(/[^a-zA-Z0-9-]/g, '-')
    .slice(0, MAX_JOB_NAME - hash.length - 1);
  return `${readable}-${hash}`;
}

/** Properties of a {@link ModelPackagingJob}. */
export interface ModelPackagingJobProps {
  /** The Lookout for Vision project that holds the model. */
  readonly projectName: string;
  /** The trained model version to package. */
  readonly modelVersion: string;
  /** The component name and version that the job creates. */
  readonly component: GreengrassComponentRef;
  /**
   * Description of the component.
   * @default - names the project and model version
   */
  readonly componentDescription?: string;
  /**
   * Device the model is compiled for; give it or `targetPlatform`.
   * @default - none
   */
  readonly targetDevice?: string;
  /**
   * Platform the model is compiled for; give it or `targetDevice`.
   * @default - none
   */
  readonly targetPlatform?: {
    readonly os: string;
    readonly arch: string;
    readonly accelerator?: string;
  };
  /**
   * Compiler options for `targetPlatform`.
   * @default - none
   */
  readonly compilerOptions?: Record<string, string | string[]>;
  /** Bucket that receives the model artifacts. */
  readonly artifactsBucket: s3.IBucket;
  /** Prefix of the model artifacts in the bucket, ending with `/`. */
  readonly artifactPrefix: string;
  /** Key that encrypts the bucket. */
  readonly encryptionKey: kms.IKey;
  /**
   * ARN of the thing group that the stack deploys the component to: delete keeps the component
   * version while the latest deployment to that group still runs it.
   * @default - delete always removes the component version
   */
  readonly deploymentTargetArn?: string;
}

/**
 * A Lookout for Vision model packaging job, as a custom resource that completes when the job has
 * created the model's Greengrass component version and Greengrass can deploy it, and deletes that
 * version and its artifacts on delete.
 */
export class ModelPackagingJob extends Construct implements GreengrassComponentRef {
  readonly name: string;
  readonly version: string;
  readonly jobName: string;
  readonly resource: CustomResource;
  /** ARN of the component version the job created. */
  readonly componentVersionArn: string;

  constructor(scope: Construct, id: string, props: ModelPackagingJobProps) {
    super(scope, id);
    this.name = props.component.name;
    this.version = props.component.version;
    this.jobName = packagingJobName(props.component);

    const provider = SharedProvider.of(this, 'ModelPackagingProvider', {
      entry: path.join(__dirname, 'handler', 'model-packaging.ts'),
      description: 'Runs Lookout for Vision model packaging jobs into Greengrass components',
      polls: true,
      queryInterval: Duration.minutes(1),
    });
    this.grantPackaging(provider, props);

    const properties: ModelPackagingProperties = {
      ProjectName: props.projectName,
      ModelVersion: props.modelVersion,
      JobName: this.jobName,
      ComponentName: this.name,
      ComponentVersion: this.version,
      ComponentVersionArn: componentVersionArn(this, this.name, this.version),
      ComponentDescription:
        props.componentDescription ??
        `Lookout for Vision model ${props.modelVersion} of project ${props.projectName}`,
      Bucket: props.artifactsBucket.bucketName,
      Prefix: props.artifactPrefix,
      TargetDevice: props.targetDevice,
      TargetPlatform: props.targetPlatform && {
        Os: props.targetPlatform.os,
        Arch: props.targetPlatform.arch,
        Accelerator: props.targetPlatform.accelerator,
      },
      CompilerOptions: props.compilerOptions && JSON.stringify(props.compilerOptions),
      TargetArn: props.deploymentTargetArn,
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: MODEL_PACKAGING_RESOURCE_TYPE,
      properties: { ...properties },
    });
    this.resource.node.addDependency(...provider.roles);
    this.componentVersionArn = this.resource.getAttString('ComponentVersionArn');
  }

  /**
   * Lets onEvent package this model version into this component (the caller of
   * StartModelPackagingJob needs the permissions the job uses: the artifacts under the prefix,
   * the key for them through S3, the component version it creates), and delete those versions
   * and their artifacts; lets isComplete read the job and the component version, nothing more.
   */
  private grantPackaging(provider: SharedProvider, props: ModelPackagingJobProps): iam.Grant {
    const stack = Stack.of(this);
    const artifacts = new S3PrefixAccess({
      bucketArn: props.artifactsBucket.bucketArn,
      prefix: props.artifactPrefix,
      region: stack.region,
    });
    const component = componentArn(this, this.name);
    const componentVersions = componentVersionArn(this, this.name, '*');
    const describeJob = { actions: ['lookoutvision:DescribeModelPackagingJob'], resources: ['*'] };
    const onEvent = provider.onEventHandler.role;
    const isComplete = provider.isCompleteHandler!.role;

    const packaging = grantPermissions(
      onEvent,
      {
        actions: ['lookoutvision:StartModelPackagingJob'],
        resources: [
          stack.formatArn({
            service: 'lookoutvision',
            resource: 'model',
            resourceName: `${props.projectName}/${props.modelVersion}`,
          }),
        ],
      },
      describeJob,
      { actions: ['greengrass:CreateComponentVersion'], resources: [component] },
      {
        actions: [
          'greengrass:DescribeComponent',
          'greengrass:GetComponent',
          'greengrass:DeleteComponent',
        ],
        resources: [componentVersions],
      },
      // Delete keeps the artifacts that another version of the component names.
      {
        actions: ['greengrass:ListComponentVersions'],
        resources: [component, componentVersions],
      },
      artifacts.onObjects(['s3:PutObject', 's3:DeleteObject']),
      artifacts.onBucket(['s3:GetBucketLocation']),
      artifacts.onKey(props.encryptionKey, ['kms:GenerateDataKey', 'kms:Decrypt']),
    );
    const polling = grantPermissions(isComplete, describeJob, {
      actions: ['greengrass:DescribeComponent'],
      resources: [componentVersions],
    });

    const unscoped = [
      'lookoutvision:DescribeModelPackagingJob',
      ...(props.deploymentTargetArn ? ['greengrass:ListDeployments'] : []),
    ];
    acknowledge(
      onEvent,
      'AwsSolutions-IAM5',
      'Resource::*',
      `${unscoped.join(' and ')} support no resource-level permissions.`,
    );
    acknowledge(
      isComplete,
      'AwsSolutions-IAM5',
      'Resource::*',
      'lookoutvision:DescribeModelPackagingJob supports no resource-level permissions.',
    );
    acknowledgeWildcardResources(
      onEvent,
      [componentVersions],
      'Delete removes the component version this resource created, which after a version change is an earlier version of the same component, and reads the other versions to keep the artifacts they use.',
    );
    acknowledgeWildcardResources(
      isComplete,
      [componentVersions],
      'The job names the component version it created; after a version change it is another version of the same component.',
    );
    acknowledgeWildcardResources(
      onEvent,
      [artifacts.objectsArn],
      'The packaging job writes the model artifacts under names it chooses, inside the configured prefix only; delete removes those of a deleted version.',
    );
    const grant = packaging.combine(polling);
    return props.deploymentTargetArn
      ? grant.combine(this.grantDeploymentLookup(onEvent, props.deploymentTargetArn))
      : grant;
  }

  /** Lets delete find whether the latest deployment to the target still runs the component. */
  private grantDeploymentLookup(role: iam.IRole, targetArn: string): iam.Grant {
    const stack = Stack.of(this);
    const deployments = stack.formatArn({
      service: 'greengrass',
      resource: 'deployments',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const jobs = stack.formatArn({ service: 'iot', resource: 'job', resourceName: '*' });
    const grant = grantPermissions(
      role,
      { actions: ['greengrass:ListDeployments'], resources: ['*'] },
      { actions: ['greengrass:GetDeployment'], resources: [deployments] },
      { actions: ['iot:DescribeJob'], resources: [jobs] },
      { actions: ['iot:DescribeThingGroup'], resources: [targetArn] },
    );
    acknowledgeWildcardResources(
      role,
      [deployments],
      'Delete reads the latest deployment to the thing group, whose id Greengrass assigns, to keep a component version that still runs.',
    );
    acknowledgeWildcardResources(
      role,
      [jobs],
      'Greengrass reads the IoT job behind a deployment, whose id it assigns, when the deployment is read.',
    );
    return grant;
  }
}
