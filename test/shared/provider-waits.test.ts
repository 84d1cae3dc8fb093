import type { Json } from '../support/template-resources';
import type { ShippedAssembly } from '../support/shipped-assemblies';
import { describeShippedMatrix } from '../support/shipped-assemblies';

/*
 * No custom resource in any shipped template waits longer than CloudFormation allows.
 * - AWS::CloudFormation::CustomResource ServiceTimeout: "an integer from 1 to 3600. The
 *   default value is 3600 seconds (1 hour)."
 * - The CDK provider framework polls isComplete from a Step Functions waiter whose retry
 *   (IntervalSeconds, MaxAttempts, BackoffRate) bounds the wait; its documentation says "The
 *   maximum timeout is 1 hour" but does not enforce it. A waiter that polls past CloudFormation's
 *   hour only turns the provider's own failure into a timeout: every waiter stops by 3300 s.
 */

/** The state machine definition, with the references CloudFormation resolves as placeholders. */
function definitionOf(machine: Json): Json {
  const definition = machine.Properties.DefinitionString;
  if (typeof definition === 'string') return JSON.parse(definition);
  const parts: Json[] = definition['Fn::Join'][1];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'REFERENCE')).join(''));
}

/** The longest a retrier waits in all: the sum of its intervals. */
function retryWaitSeconds(retry: Json): number {
  const interval = retry.IntervalSeconds ?? 1;
  const backoff = retry.BackoffRate ?? 2;
  const attempts = retry.MaxAttempts ?? 3;
  let total = 0;
  for (let attempt = 0; attempt < attempts; attempt++) total += interval * backoff ** attempt;
  return total;
}

interface Wait {
  readonly where: string;
  readonly seconds: number;
}

function waitersOf(assembly: ShippedAssembly): Wait[] {
  return Object.entries(assembly.templates).flatMap(([stack, template]) =>
    Object.entries<Json>(template.Resources ?? {})
      .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
      .flatMap(([id, machine]) =>
        Object.entries(definitionOf(machine).States as Record<string, Json>).flatMap(
          ([state, definition]) =>
            ((definition.Retry ?? []) as Json[]).map((retry) => ({
              where: `${stack}/${id}/${state}`,
              seconds: retryWaitSeconds(retry),
            })),
        ),
      ),
  );
}

function customResourcesOf(assembly: ShippedAssembly): Array<{ where: string; timeout: number }> {
  return Object.entries(assembly.templates).flatMap(([stack, template]) =>
    Object.entries<Json>(template.Resources ?? {})
      .filter(([, resource]) => {
        const type = resource.Type as string;
        return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
      })
      .map(([id, resource]) => ({
        where: `${stack}/${id}`,
        timeout: Number(resource.Properties.ServiceTimeout ?? 3600),
      })),
  );
}

describeShippedMatrix(({ assembly }) => {
  test('no provider waiter polls longer than 3300 s', () => {
    const waiters = waitersOf(assembly());
    expect(waiters.length).toBeGreaterThan(0);
    expect(waiters.filter((wait) => wait.seconds > 3300)).toEqual([]);
  });

  test('every custom resource times out within the hour CloudFormation waits', () => {
    const resources = customResourcesOf(assembly());
    expect(resources.length).toBeGreaterThan(0);
    expect(
      resources.filter((resource) => !(resource.timeout >= 1 && resource.timeout <= 3600)),
    ).toEqual([]);
  });
});

test('the check counts what a waiter waits: a two-hour waiter is caught', () => {
  const twoHours = { IntervalSeconds: 30, MaxAttempts: 240, BackoffRate: 1 };
  expect(retryWaitSeconds(twoHours)).toBe(7200);
  expect(retryWaitSeconds({ IntervalSeconds: 30, MaxAttempts: 110, BackoffRate: 1 })).toBe(3300);
  expect(retryWaitSeconds({ IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 })).toBe(70);
});
