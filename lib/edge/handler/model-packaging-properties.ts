/**
 * The properties of a `Custom::LookoutVisionModelPackaging` resource: the construct writes them,
 * the handler reads them.
 */

/** The CloudFormation type of the model packaging resource. */
export const MODEL_PACKAGING_RESOURCE_TYPE = 'Custom::LookoutVisionModelPackaging';

/** The properties of the model packaging resource. */
export interface ModelPackagingProperties {
  /** The Lookout for Vision project that holds the model. */
  readonly ProjectName: string;
  /** The trained model version to package. */
  readonly ModelVersion: string;
  /** The packaging job's name, derived from the component name and version. */
  readonly JobName: string;
  /** Name of the Greengrass component the job creates. */
  readonly ComponentName: string;
  /** Version of the Greengrass component the job creates. */
  readonly ComponentVersion: string;
  /** ARN of that component version: the resource's physical id, and what delete removes. */
  readonly ComponentVersionArn: string;
  /** Description of the component. */
  readonly ComponentDescription: string;
  /** Bucket that receives the model artifacts. */
  readonly Bucket: string;
  /** Prefix of the model artifacts in the bucket. */
  readonly Prefix: string;
  /** Device the model is compiled for, when no platform is given. */
  readonly TargetDevice?: string;
  /** Platform the model is compiled for, when no device is given. */
  readonly TargetPlatform?: {
    readonly Os: string;
    readonly Arch: string;
    readonly Accelerator?: string;
  };
  /** Compiler options as the JSON text that Lookout for Vision takes. */
  readonly CompilerOptions?: string;
  /**
   * The thing group (or thing) that the stack deploys the component to: delete keeps the
   * component version while the latest deployment to it still runs that version.
   */
  readonly TargetArn?: string;
}

/** The attributes of the model packaging resource (`Fn::GetAtt`). */
export interface ModelPackagingData {
  readonly ComponentName: string;
  readonly ComponentVersion: string;
  readonly ComponentVersionArn: string;
  readonly JobName: string;
}
