/**
 * The properties of a `Custom::GreengrassComponentVersionCheck` resource: the construct writes
 * them, the handler reads them.
 */

/** The CloudFormation type of the component version check. */
export const COMPONENT_VERSION_CHECK_RESOURCE_TYPE = 'Custom::GreengrassComponentVersionCheck';

/** The properties of the component version check. */
export interface ComponentVersionCheckProperties {
  /** Name of the model component. */
  readonly ComponentName: string;
  /** Version of the model component. */
  readonly ComponentVersion: string;
  /** ARN of that component version: the resource's physical id. */
  readonly ComponentVersionArn: string;
  /** The EdgeAgent version that the deployment pins beside it. */
  readonly EdgeAgentVersion: string;
  /**
   * How the stack gets the component: packaged by this stack (`package`), or packaged earlier
   * (`existing`); it decides what the error messages ask the user to change.
   */
  readonly Source: 'package' | 'existing';
}
