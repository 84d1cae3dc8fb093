import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { SharedProviderProps } from '../../lib/shared/shared-provider';
import { SharedProvider } from '../../lib/shared/shared-provider';

const PROPS: SharedProviderProps = {
  entry: path.join(__dirname, '../../lib/replication/handler/replication-control.ts'),
  description: 'Stops DMS replications before CloudFormation changes them, starts them after',
  polls: true,
  queryInterval: Duration.seconds(30),
};

function stack(): Stack {
  // No bundling: the lookup is what is tested, not the handler.
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');
}

describe('SharedProvider.of', () => {
  test('the same props give the stack one provider, however many resources ask', () => {
    const scope = stack();
    const first = SharedProvider.of(scope, 'ControlProvider', PROPS);
    const second = SharedProvider.of(scope, 'ControlProvider', {
      ...PROPS,
      queryInterval: Duration.millis(30_000),
    });
    expect(second).toBe(first);
    // onEvent and isComplete, and the provider framework's three functions.
    Template.fromStack(scope).resourceCountIs('AWS::Lambda::Function', 5);
  });

  test('other props for the same id fail, naming what differs', () => {
    const scope = stack();
    SharedProvider.of(scope, 'ControlProvider', PROPS);
    expect(() =>
      SharedProvider.of(scope, 'ControlProvider', {
        ...PROPS,
        description: 'Something else',
        totalTimeout: Duration.minutes(55),
      }),
    ).toThrow(
      'The provider ControlProvider of stack Test exists already with other description, totalTimeout: ' +
        'a provider with other settings needs an id of its own.',
    );
  });

  test('another security group is another provider: it fails instead of being ignored', () => {
    const scope = stack();
    const vpc = new ec2.Vpc(scope, 'Vpc');
    const group = (id: string) => new ec2.SecurityGroup(scope, id, { vpc });
    const inVpc = { ...PROPS, polls: false, vpc, securityGroups: [group('First')] };
    SharedProvider.of(scope, 'SetupProvider', inVpc);
    expect(SharedProvider.of(scope, 'SetupProvider', { ...inVpc })).toBeInstanceOf(SharedProvider);
    expect(() =>
      SharedProvider.of(scope, 'SetupProvider', { ...inVpc, securityGroups: [group('Second')] }),
    ).toThrow('exists already with other securityGroups');
  });
});

describe('SharedProvider waits', () => {
  // AWS::CloudFormation::CustomResource ServiceTimeout: "The maximum time, in seconds, that can
  // elapse before a custom resource operation times out. The value must be an integer from 1 to
  // 3600." The CDK provider framework: "The maximum timeout is 1 hour", not enforced (its
  // waiter polls totalTimeout / queryInterval times whatever the total).
  const waiterRetry = (scope: Stack) => {
    const [machine] = Object.values(
      Template.fromStack(scope).findResources('AWS::StepFunctions::StateMachine'),
    );
    const text = JSON.stringify(machine.Properties.DefinitionString);
    const [, interval, attempts] = /IntervalSeconds\\":(\d+),\\"MaxAttempts\\":(\d+)/.exec(text)!;
    return { interval: Number(interval), attempts: Number(attempts) };
  };

  test('by default a polling provider waits 55 minutes, inside the hour CloudFormation waits', () => {
    const scope = stack();
    SharedProvider.of(scope, 'ControlProvider', PROPS);
    const { interval, attempts } = waiterRetry(scope);
    expect(interval * attempts).toBe(3300);
  });

  test('a provider that would wait longer than 55 minutes fails synthesis', () => {
    expect(() =>
      SharedProvider.of(stack(), 'ControlProvider', { ...PROPS, totalTimeout: Duration.hours(2) }),
    ).toThrow(
      'The provider ControlProvider waits up to 2 hours: a provider may wait at most 55 minutes, as CloudFormation gives up on a custom resource after an hour.',
    );
    expect(() =>
      SharedProvider.of(stack(), 'ControlProvider', {
        ...PROPS,
        totalTimeout: Duration.minutes(56),
      }),
    ).toThrow('a provider may wait at most 55 minutes');
  });
});
