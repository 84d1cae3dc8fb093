import * as greengrassv2 from 'aws-cdk-lib/aws-greengrassv2';
import { Construct } from 'constructs';
import type { GreengrassComponentRef } from './greengrass-component';

/** Properties of an {@link EdgeDeployment}. */
export interface EdgeDeploymentProps {
  /** Name of the deployment, shown in the Greengrass console. */
  readonly deploymentName: string;
  /** ARN of the thing group (or thing) that receives the components. */
  readonly targetArn: string;
  /** The components and the exact versions to run; each name once. */
  readonly components: GreengrassComponentRef[];
  /** What a device does when the deployment fails on it. */
  readonly failureHandling: 'ROLLBACK' | 'DO_NOTHING';
  /** Devices notified per minute. */
  readonly devicesPerMinute: number;
  /** Percentage of failed devices that cancels the rollout to the others. */
  readonly abortFailurePercentage: number;
  /** Devices that must have run the deployment before the abort percentage applies. */
  readonly abortMinDevices: number;
  /**
   * Seconds that running components get to reach a safe point before an update.
   * @default 60
   */
  readonly componentUpdateTimeoutSeconds?: number;
}

/**
 * A Greengrass v2 deployment of pinned component versions to a thing group, rolled out at a
 * bounded rate, cancelled when too many devices fail, and rolled back on a failed device.
 * Any change but tags replaces the deployment, which supersedes the previous one on the group.
 */
export class EdgeDeployment extends Construct {
  readonly resource: greengrassv2.CfnDeployment;

  constructor(scope: Construct, id: string, props: EdgeDeploymentProps) {
    super(scope, id);
    const names = props.components.map((component) => component.name);
    const duplicates = names.filter((name, index) => names.indexOf(name) !== index);
    this.node.addValidation({
      validate: () =>
        duplicates.map((name) => `component "${name}" appears twice in the deployment`),
    });

    this.resource = new greengrassv2.CfnDeployment(this, 'Resource', {
      deploymentName: props.deploymentName,
      targetArn: props.targetArn,
      components: Object.fromEntries(
        props.components.map((component) => [
          component.name,
          { componentVersion: component.version },
        ]),
      ),
      deploymentPolicies: {
        failureHandlingPolicy: props.failureHandling,
        componentUpdatePolicy: {
          action: 'NOTIFY_COMPONENTS',
          timeoutInSeconds: props.componentUpdateTimeoutSeconds ?? 60,
        },
      },
      iotJobConfiguration: {
        jobExecutionsRolloutConfig: { maximumPerMinute: props.devicesPerMinute },
        abortConfig: {
          criteriaList: [
            {
              failureType: 'FAILED',
              action: 'CANCEL',
              thresholdPercentage: props.abortFailurePercentage,
              minNumberOfExecutedThings: props.abortMinDevices,
            },
          ],
        },
      },
    });
  }
}
