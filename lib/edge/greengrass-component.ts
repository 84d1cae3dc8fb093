import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A Greengrass component version that a deployment can name. */
export interface GreengrassComponentRef {
  /** The component's name. */
  readonly name: string;
  /** The component's version, `major.minor.patch`. */
  readonly version: string;
}

/** The ARN of a component (all its versions), as IAM names it. */
export function componentArn(scope: IConstruct, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'greengrass',
    resource: 'components',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The ARN of one version of a component; `version` may be `*` in IAM policies. */
export function componentVersionArn(scope: IConstruct, name: string, version: string): string {
  return `${componentArn(scope, name)}:versions:${version}`;
}
