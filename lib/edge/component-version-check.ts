import * as path from 'node:path';
import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { grantPermissions } from '../shared/grant';
import { SharedProvider } from '../shared/shared-provider';
import type { ComponentVersionCheckProperties } from './handler/component-version-check-properties';
import { COMPONENT_VERSION_CHECK_RESOURCE_TYPE } from './handler/component-version-check-properties';
import type { GreengrassComponentRef } from './greengrass-component';
import { componentVersionArn } from './greengrass-component';

/** Properties of a {@link ComponentVersionCheck}. */
export interface ComponentVersionCheckProps {
  /** The model component version that the deployment runs. */
  readonly component: GreengrassComponentRef;
  /**
   * Its ARN, when another resource creates it (the packaging job's attribute, so that the check
   * runs after it).
   * @default - the ARN of `component` in the stack's account and Region
   */
  readonly componentVersionArn?: string;
  /** The EdgeAgent version that the deployment pins beside it. */
  readonly edgeAgentVersion: string;
  /** Whether the stack packages the component or deploys one packaged earlier. */
  readonly source: ComponentVersionCheckProperties['Source'];
}

/**
 * A read-only custom resource that fails the deploy when the model component version cannot be
 * deployed, or when its recipe requires an EdgeAgent range that the pinned EdgeAgent version is
 * not in: the Greengrass deployment succeeds either way, and only the devices would fail.
 */
export class ComponentVersionCheck extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ComponentVersionCheckProps) {
    super(scope, id);
    const { name, version } = props.component;
    const provider = SharedProvider.of(this, 'ComponentVersionCheckProvider', {
      entry: path.join(__dirname, 'handler', 'component-version-check.ts'),
      description:
        'Checks that a Greengrass model component version is deployable with the pinned EdgeAgent',
    });
    grantPermissions(provider.onEventHandler.role, {
      actions: ['greengrass:DescribeComponent', 'greengrass:GetComponent'],
      resources: [componentVersionArn(this, name, version)],
    });

    const properties: ComponentVersionCheckProperties = {
      ComponentName: name,
      ComponentVersion: version,
      ComponentVersionArn: props.componentVersionArn ?? componentVersionArn(this, name, version),
      EdgeAgentVersion: props.edgeAgentVersion,
      Source: props.source,
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: COMPONENT_VERSION_CHECK_RESOURCE_TYPE,
      properties: { ...properties },
    });
    this.resource.node.addDependency(...provider.roles);
  }
}
