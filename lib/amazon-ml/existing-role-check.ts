import { ContextProvider, Stack, Token } from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';

/** Properties of {@link checkRoleExists}. */
export interface RoleExistenceCheck {
  /** The role that must exist in the stack's account. */
  readonly roleName: string;
  /** The configuration that names the role, and what else it could say. */
  readonly advice: string;
}

/**
 * Fails the synth, before anything is deployed, when `roleName` cannot be found in the stack's
 * account: the same Cloud Control lookup as `iam.Role.fromLookup`, which the CDK CLI performs
 * when it synthesizes with credentials for a stack with an account and Region, followed by a
 * plain sentence. A stack without an account and Region (an offline synth) cannot look it up
 * and takes the name as configured. The lookup is only a check: the template names the role
 * by the configured name either way, never by the lookup's placeholder.
 */
export function checkRoleExists(scope: Construct, check: RoleExistenceCheck): void {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) return;
  const lookup = {
    provider: cxschema.ContextProvider.CC_API_PROVIDER,
    props: {
      typeName: 'AWS::IAM::Role',
      exactIdentifier: check.roleName,
      propertiesToReturn: ['Arn'],
    },
  };
  const { key } = ContextProvider.getKey(scope, lookup);
  const cached: unknown = scope.node.tryGetContext(key);
  const failure =
    typeof cached === 'object' && cached !== null
      ? (cached as Record<string, unknown>)[cxapi.PROVIDER_ERROR_KEY]
      : undefined;
  if (failure !== undefined) {
    // The lookup's own error, with its reason, follows as a second error of the synth.
    const message = `The IAM role ${check.roleName} could not be looked up in account ${stack.account} (it does not exist, or the lookup was refused): ${check.advice}.`;
    scope.node.addValidation({ validate: () => [message] });
  }
  ContextProvider.getValue(scope, {
    ...lookup,
    dummyValue: [
      {
        Arn: stack.formatArn({
          service: 'iam',
          region: '',
          resource: 'role',
          resourceName: check.roleName,
        }),
      },
    ],
  });
}
