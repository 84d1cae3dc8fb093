import * as path from 'node:path';
import { Stack, Token } from 'aws-cdk-lib';
import * as greengrassv2 from 'aws-cdk-lib/aws-greengrassv2';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import type { GreengrassComponentRef } from './greengrass-component';
import {
  contentVersion,
  inferenceClientRecipe,
  type InferenceClientRetention,
  type LargeFrames,
} from './inference-client-recipe';

/** The inference client script that the component runs. */
export const INFERENCE_CLIENT_SCRIPT = path.join(
  __dirname,
  'component',
  'inference-client',
  'inference_client.py',
);

/** What the client does when its props leave it open: the configuration's defaults too. */
export const INFERENCE_CLIENT_DEFAULTS = {
  maxTries: 3,
  largeFrames: 'shared-memory' as LargeFrames,
  retention: {
    imagesPerFolder: 200,
    maxAgeDays: 14,
    resultsLogMegabytes: 10,
    resultsLogBackups: 4,
  } satisfies InferenceClientRetention,
};

/** Properties of an {@link InferenceClientComponent}. */
export interface InferenceClientComponentProps {
  /** Name of the component. */
  readonly componentName: string;
  /** `major.minor` of the version; the patch number is derived from the content. */
  readonly versionPrefix: string;
  /** Who publishes the component. */
  readonly publisher: string;
  /** The model component the client runs images through. */
  readonly modelComponent: GreengrassComponentRef;
  /** Folder on the device where images to inspect appear. */
  readonly imageFolder: string;
  /** AWS IoT topic that receives one message per inspected image. */
  readonly resultsTopic: string;
  /** Seconds between two looks at the image folder. */
  readonly pollIntervalSeconds: number;
  /** Fail the install when the component's user is not in the `video` group. */
  readonly requireVideoGroup: boolean;
  /**
   * Tries per image before it is filed under failed/.
   * @default 3
   */
  readonly maxTries?: number;
  /**
   * How frames over gRPC's default message limit (4 MiB) reach the EdgeAgent.
   * @default 'shared-memory'
   */
  readonly largeFrames?: LargeFrames;
  /**
   * What the client keeps on the device.
   * @default - 200 images per outcome folder for 14 days, a results log rotated at 10 MiB with 4 backups
   */
  readonly retention?: InferenceClientRetention;
  /**
   * The EdgeAgent version that the deployment pins, for the client to log with each result.
   * @default - not logged
   */
  readonly edgeAgentVersion?: string;
  /**
   * The script to run.
   * @default INFERENCE_CLIENT_SCRIPT
   */
  readonly scriptPath?: string;
}

/**
 * The Greengrass component that feeds images to the model: its script is uploaded as an asset
 * and its version follows its content, so that any change publishes a new version.
 */
export class InferenceClientComponent extends Construct implements GreengrassComponentRef {
  readonly name: string;
  readonly version: string;
  /** The uploaded script. */
  readonly artifact: s3assets.Asset;
  readonly resource: greengrassv2.CfnComponentVersion;

  constructor(scope: Construct, id: string, props: InferenceClientComponentProps) {
    super(scope, id);
    this.name = props.componentName;
    this.artifact = new s3assets.Asset(this, 'Script', {
      path: props.scriptPath ?? INFERENCE_CLIENT_SCRIPT,
    });
    const objectKey = this.artifact.s3ObjectKey;
    if (Token.isUnresolved(objectKey)) {
      throw new Error(
        `${this.node.path}: the stack synthesizer gives asset object keys only at deploy time; the recipe needs the script's file name`,
      );
    }

    const recipe = (version: string, artifactUri: string) =>
      inferenceClientRecipe({
        componentName: props.componentName,
        componentVersion: version,
        publisher: props.publisher,
        modelComponent: props.modelComponent,
        artifactUri,
        scriptName: path.posix.basename(objectKey),
        imageFolder: props.imageFolder,
        resultsTopic: props.resultsTopic,
        pollIntervalSeconds: props.pollIntervalSeconds,
        requireVideoGroup: props.requireVideoGroup,
        maxTries: props.maxTries ?? INFERENCE_CLIENT_DEFAULTS.maxTries,
        largeFrames: props.largeFrames ?? INFERENCE_CLIENT_DEFAULTS.largeFrames,
        retention: props.retention ?? INFERENCE_CLIENT_DEFAULTS.retention,
        edgeAgentVersion: props.edgeAgentVersion,
      });
    // The bucket's name is only known at deploy time; the script's content hash stands for it.
    this.version = contentVersion(
      props.versionPrefix,
      recipe(`${props.versionPrefix}.x`, `asset:${this.artifact.assetHash}`),
    );

    this.resource = new greengrassv2.CfnComponentVersion(this, 'Resource', {
      inlineRecipe: Stack.of(this).toJsonString(recipe(this.version, this.artifact.s3ObjectUrl)),
    });
  }
}
