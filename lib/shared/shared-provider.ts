import { Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Permission } from './grant';
import { grantPermissions } from './grant';
import { HandlerFunction } from './handler-function';
import { operationalLogGroup } from './log-group';
import { acknowledgeProviderFramework } from './provider-acknowledgements';

/** Properties of a {@link SharedProvider}. */
export interface SharedProviderProps {
  /** Absolute path of the handler module; it exports `onEvent` and, when polling, `isComplete`. */
  readonly entry: string;
  /** What the handler manages, shown in the Lambda console. */
  readonly description: string;
  /**
   * Whether the module exports an `isComplete` handler that the framework polls until the
   * resource is ready.
   * @default false
   */
  readonly polls?: boolean;
  /**
   * Time between two `isComplete` calls.
   * @default Duration.seconds(30)
   */
  readonly queryInterval?: Duration;
  /**
   * Longest time an operation may take before the deployment fails.
   * @default Duration.hours(2)
   */
  readonly totalTimeout?: Duration;
  /**
   * Maximum run time of one handler invocation.
   * @default Duration.minutes(2)
   */
  readonly handlerTimeout?: Duration;
  /**
   * Environment variables of the handler.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * VPC to run the handler in.
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` for the handler.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups of the handler, when it runs in a VPC.
   * @default - a new security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * A custom-resource provider (handler functions plus the CDK provider framework) created once
 * per stack and handler type, however many custom resources use it.
 */
export class SharedProvider extends Construct {
  /**
   * Returns the stack's provider with this id, creating it on first use.
   * The first caller's props define it; later callers share it.
   */
  static of(scope: Construct, id: string, props: SharedProviderProps): SharedProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(id);
    if (existing instanceof SharedProvider) return existing;
    return new SharedProvider(stack, id, props);
  }

  readonly serviceToken: string;
  readonly onEventHandler: HandlerFunction;
  readonly isCompleteHandler?: HandlerFunction;

  private constructor(scope: Construct, id: string, props: SharedProviderProps) {
    super(scope, id);
    const handlerProps = {
      entry: props.entry,
      description: props.description,
      timeout: props.handlerTimeout ?? Duration.minutes(2),
      environment: props.environment,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
    };
    this.onEventHandler = new HandlerFunction(this, 'OnEvent', {
      ...handlerProps,
      handler: 'onEvent',
    });
    if (props.polls) {
      this.isCompleteHandler = new HandlerFunction(this, 'IsComplete', {
        ...handlerProps,
        handler: 'isComplete',
      });
    }

    const frameworkLogs = operationalLogGroup(this, 'FrameworkLogs');
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventHandler.function,
      isCompleteHandler: this.isCompleteHandler?.function,
      queryInterval: props.polls ? (props.queryInterval ?? Duration.seconds(30)) : undefined,
      totalTimeout: props.polls ? (props.totalTimeout ?? Duration.hours(2)) : undefined,
      logGroup: frameworkLogs,
      waiterStateMachineLogOptions: props.polls
        ? { destination: frameworkLogs, level: sfn.LogLevel.ALL, includeExecutionData: false }
        : undefined,
      disableWaiterStateMachineLogging: props.polls ? false : undefined,
    });
    this.serviceToken = provider.serviceToken;
    acknowledgeProviderFramework(provider, [
      this.onEventHandler.function,
      ...(this.isCompleteHandler ? [this.isCompleteHandler.function] : []),
    ]);
  }

  /** Grants the handler functions `permissions`, in this order. */
  grant(...permissions: Permission[]): iam.Grant {
    return grantPermissions(this.roles, ...permissions);
  }

  /** The handler roles, for grants made by other constructs (`bucket.grantRead(role)`). */
  get roles(): iam.IRole[] {
    return [
      this.onEventHandler.role,
      ...(this.isCompleteHandler ? [this.isCompleteHandler.role] : []),
    ];
  }
}
