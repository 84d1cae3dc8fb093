import * as path from 'node:path';
import { Stack, Token } from 'aws-cdk-lib';
import * as greengrassv2 from 'aws-cdk-lib/aws-greengrassv2';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import type { GreengrassComponentRef } from './greengrass-component';
import { contentVersion, inferenceClientRecipe } from './inference-client-recipe';

/** The inference client script that the component runs. */
export const INFERENCE_CLIENT_SCRIPT = path.join(
  __dirname,
  'component',
  'inference-client',
  'inference_client.py',
);

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
