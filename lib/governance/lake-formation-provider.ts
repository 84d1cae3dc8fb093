import * as path from 'node:path';
import { Lazy, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { acknowledge } from '../shared/nag';
import { SharedProvider } from '../shared/shared-provider';
import type { LakeFormationScope } from './handler/lake-formation-scope';
import { SCOPE_VARIABLE } from './handler/lake-formation-scope';

const PROVIDER_ID = 'LakeFormationProvider';

/** Lambda refuses a function whose environment variables take more than 4 KB in all. */
const MAX_SCOPE_LENGTH = 3500;
/** What a principal ARN that is a token at synth time may take once resolved. */
const RESOLVED_ARN_LENGTH = 160;

/**
 * The stack's provider of the Lake Formation custom resources (data lake admins, default
 * permissions, IAM_ALLOWED_PRINCIPALS revocations, the grant ledger), with `scope` written
 * into its environment and the permissions that scope needs, and no more: a provider without a
 * database may only change the admins. A stack has one, made by one call.
 *
 * Nothing but the provider framework invokes the handler in the normal course, yet the
 * framework's own function takes any event from whoever may invoke it; the scope makes such an
 * event harmless (see `handler/lake-formation-scope.ts`). A resource-based policy that denies
 * other callers would need AWS::Lambda::ResourcePolicy, which the app does not rely on: Lambda
 * permissions (AWS::Lambda::Permission) can only allow.
 */
export function lakeFormationProvider(
  scope: Construct,
  options: LakeFormationScope & {
    /**
     * Whether the provider may make its own role a data lake admin too.
     * @default false
     */
    readonly ownRoleAdmin?: boolean;
  },
): SharedProvider {
  const stack = Stack.of(scope);
  if (stack.node.tryFindChild(PROVIDER_ID)) {
    throw new Error(
      `Stack ${stack.stackName} has a Lake Formation provider already: make one, with everything it may change.`,
    );
  }
  const { ownRoleAdmin, ...configured } = options;
  // The scope may name the provider's own role, which exists only once the provider does.
  let allowed: LakeFormationScope = configured;
  const environmentValue = Lazy.string({ produce: () => stack.toJsonString(allowed) });
  stack.node.addValidation({
    validate: () => {
      const length = JSON.stringify(allowed).length + allowed.admins.length * RESOLVED_ARN_LENGTH;
      return length > MAX_SCOPE_LENGTH
        ? [
            `The Lake Formation provider's scope takes about ${length} characters, more than a Lambda environment holds (${MAX_SCOPE_LENGTH}): govern fewer tables or admins.`,
          ]
        : [];
    },
  });
  const provider = SharedProvider.of(scope, PROVIDER_ID, {
    entry: path.join(__dirname, 'handler', 'index.ts'),
    description: allowed.databaseName
      ? 'Merges data lake admins into the Lake Formation settings, and hands catalog objects to Lake Formation'
      : 'Merges data lake admins into the Lake Formation settings',
    environment: { [SCOPE_VARIABLE]: environmentValue },
  });

  if (ownRoleAdmin) {
    allowed = {
      ...configured,
      admins: [...configured.admins, provider.onEventHandler.role.roleArn],
    };
  }

  provider.grant({
    actions: ['lakeformation:GetDataLakeSettings', 'lakeformation:PutDataLakeSettings'],
    resources: ['*'],
  });
  if (allowed.databaseName !== undefined) {
    const databaseName = allowed.databaseName;
    provider.grant(
      {
        actions: ['lakeformation:ListPermissions', 'lakeformation:RevokePermissions'],
        resources: ['*'],
      },
      {
        actions: ['glue:GetDatabase', 'glue:GetTable'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
          ...allowed.tableNames.map((table) =>
            stack.formatArn({
              service: 'glue',
              resource: 'table',
              resourceName: `${databaseName}/${table}`,
            }),
          ),
        ],
      },
    );
  }
  acknowledge(
    provider.onEventHandler.role,
    'AwsSolutions-IAM5',
    'Resource::*',
    'Lake Formation settings and permission actions take no resource-level permissions; the scope in the handler environment limits what it changes.',
  );
  return provider;
}
