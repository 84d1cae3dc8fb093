import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';

/** Properties of a {@link ThingGroupTarget}. */
export interface ThingGroupTargetProps {
  /** Name of the thing group. */
  readonly thingGroupName: string;
  /** Create the group, or target one that exists. */
  readonly create: boolean;
  /**
   * Description of a created group.
   * @default - none
   */
  readonly description?: string;
}

/**
 * The IoT thing group that a deployment targets: created (and retained on delete, as operators
 * add the devices to it, unless the deploy that creates it fails) or imported by name.
 */
export class ThingGroupTarget extends Construct {
  readonly thingGroupName: string;
  readonly thingGroupArn: string;
  /** The created group, when it was created here. */
  readonly resource?: iot.CfnThingGroup;

  constructor(scope: Construct, id: string, props: ThingGroupTargetProps) {
    super(scope, id);
    this.thingGroupName = props.thingGroupName;
    if (props.create) {
      this.resource = new iot.CfnThingGroup(this, 'Resource', {
        thingGroupName: props.thingGroupName,
        thingGroupProperties: props.description
          ? { thingGroupDescription: props.description }
          : undefined,
      });
      // Kept once devices belong to it; deleted when the deploy that creates it fails, as a group
      // left behind would fail the retry (the group's create refuses a name that exists).
      this.resource.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
      this.thingGroupArn = this.resource.attrArn;
    } else {
      this.thingGroupArn = Stack.of(this).formatArn({
        service: 'iot',
        resource: 'thinggroup',
        resourceName: props.thingGroupName,
      });
    }
  }
}
