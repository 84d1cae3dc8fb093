import { Duration, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Permission } from './grant';
import { grantPermissions } from './grant';
import type { HandlerFunctionProps } from './handler-function';
import { HandlerFunction } from './handler-function';
import { operationalLogGroup } from './log-group';
import { acknowledgeProviderFramework } from './provider-acknowledgements';

/** Properties of a {@link SharedProvider}: those of its handler functions, and how it polls. */
export interface SharedProviderProps extends Pick<
  HandlerFunctionProps,
  'entry' | 'description' | 'environment' | 'vpc' | 'vpcSubnets' | 'securityGroups'
> {
  /**
   * Whether the module exports an `isComplete` handler that the framework polls until the
   * resource is ready; `entry` exports `onEvent` in any case.
   * @default false
   */
  readonly polls?: boolean;
  /**
   * Time between two `isComplete` calls.
   * @default Duration.seconds(30)
   */
  readonly queryInterval?: Duration;
  /**
   * Longest time an operation may take before the deployment fails; at most
   * {@link MAX_PROVIDER_WAIT}, so that the provider reports its own failure before
   * CloudFormation gives up on the custom resource.
   * @default MAX_PROVIDER_WAIT
   */
  readonly totalTimeout?: Duration;
  /**
   * Maximum run time of one handler invocation.
   * @default Duration.minutes(2)
   */
  readonly handlerTimeout?: Duration;
}

/**
 * How long CloudFormation waits for a custom resource: its `ServiceTimeout`, 1 to 3600 seconds
 * ("The default value is 3600 seconds (1 hour)", AWS::CloudFormation::CustomResource). Pass it
 * to every custom resource of a polling provider.
 */
export const CUSTOM_RESOURCE_SERVICE_TIMEOUT = Duration.hours(1);

/**
 * The longest a polling provider may wait: 55 minutes, five minutes inside
 * {@link CUSTOM_RESOURCE_SERVICE_TIMEOUT}. The CDK provider framework documents "The maximum
 * timeout is 1 hour" but does not enforce it: its waiter polls `totalTimeout / queryInterval`
 * times whatever the total, and a longer wait only makes CloudFormation fail the resource with a
 * timeout while the provider still polls.
 */
export const MAX_PROVIDER_WAIT = Duration.minutes(55);

/**
 * Whether two props values ask for the same thing: equal values, the same constructs (VPC,
 * security groups, subnets), equal durations, and arrays and plain objects of those.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Duration && b instanceof Duration) {
    return !a.isUnresolved() && !b.isUnresolved() && a.toMilliseconds() === b.toMilliseconds();
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  }
  const plain = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype;
  if (plain(a) && plain(b)) return differingProps(a, b).length === 0;
  return false;
}

/** The names of the props that two props objects do not agree on. */
function differingProps(a: object, b: object): string[] {
  const first = a as Record<string, unknown>;
  const second = b as Record<string, unknown>;
  const names = [...new Set([...Object.keys(first), ...Object.keys(second)])];
  return names.filter((name) => !sameValue(first[name], second[name])).sort();
}

/**
 * A custom-resource provider (handler functions plus the CDK provider framework) created once
 * per stack and handler type, however many custom resources use it.
 */
export class SharedProvider extends Construct {
  /**
   * Returns the stack's provider with this id, creating it on first use. Later callers share it
   * and must ask for the same provider: props that differ from the first caller's (another
   * handler, VPC or security group, other timeouts) fail synthesis instead of being ignored.
   */
  static of(scope: Construct, id: string, props: SharedProviderProps): SharedProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(id);
    if (!(existing instanceof SharedProvider)) return new SharedProvider(stack, id, props);
    const differing = differingProps(existing.props, props);
    if (differing.length > 0) {
      throw new Error(
        `The provider ${id} of stack ${stack.stackName} exists already with other ${differing.join(', ')}: ` +
          'a provider with other settings needs an id of its own.',
      );
    }
    return existing;
  }

  readonly serviceToken: string;
  readonly onEventHandler: HandlerFunction;
  readonly isCompleteHandler?: HandlerFunction;

  private constructor(
    scope: Construct,
    id: string,
    private readonly props: SharedProviderProps,
  ) {
    super(scope, id);
    const { polls, queryInterval, totalTimeout, handlerTimeout, ...functionProps } = props;
    const wait = polls ? (totalTimeout ?? MAX_PROVIDER_WAIT) : undefined;
    if (wait && (wait.isUnresolved() || wait.toSeconds() > MAX_PROVIDER_WAIT.toSeconds())) {
      throw new Error(
        `The provider ${id} waits up to ${wait.toHumanString()}: a provider may wait at most ` +
          `${MAX_PROVIDER_WAIT.toHumanString()}, as CloudFormation gives up on a custom resource after an hour.`,
      );
    }
    const timeout = handlerTimeout ?? Duration.minutes(2);
    this.onEventHandler = new HandlerFunction(this, 'OnEvent', {
      ...functionProps,
      timeout,
      handler: 'onEvent',
    });
    if (polls) {
      this.isCompleteHandler = new HandlerFunction(this, 'IsComplete', {
        ...functionProps,
        timeout,
        handler: 'isComplete',
      });
    }

    const frameworkLogs = operationalLogGroup(this, 'FrameworkLogs');
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventHandler.function,
      isCompleteHandler: this.isCompleteHandler?.function,
      queryInterval: polls ? (queryInterval ?? Duration.seconds(30)) : undefined,
      totalTimeout: wait,
      logGroup: frameworkLogs,
      waiterStateMachineLogOptions: polls
        ? { destination: frameworkLogs, level: sfn.LogLevel.ALL, includeExecutionData: false }
        : undefined,
      disableWaiterStateMachineLogging: polls ? false : undefined,
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
