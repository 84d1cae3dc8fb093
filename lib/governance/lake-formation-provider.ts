import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcardResources } from '../shared/nag';
import { SharedProvider } from '../shared/shared-provider';

const PROVIDER_ID = 'LakeFormationProvider';

/** The governed database that each stack's provider may read, once it has been granted. */
const governedDatabase = new WeakMap<SharedProvider, string>();

/**
 * The stack's provider of the Lake Formation custom resources (data lake admins, default
 * permissions, IAM_ALLOWED_PRINCIPALS revocations), with the permissions its handler needs for
 * `databaseName`. The provider serves one governed database: asking for it with another fails
 * synthesis rather than returning a provider whose role cannot read that database.
 */
export function lakeFormationProvider(scope: Construct, databaseName: string): SharedProvider {
  const stack = Stack.of(scope);
  const provider = SharedProvider.of(scope, PROVIDER_ID, {
    entry: path.join(__dirname, 'handler', 'index.ts'),
    description:
      'Merges data lake admins and default permissions into the Lake Formation settings, and hands catalog objects to Lake Formation',
  });
  const served = governedDatabase.get(provider);
  if (served !== undefined) {
    if (served === databaseName) return provider;
    throw new Error(
      `The Lake Formation provider of stack ${stack.stackName} serves the governed database "${served}"; ` +
        `it cannot serve "${databaseName}" as well.`,
    );
  }
  governedDatabase.set(provider, databaseName);

  const tables = stack.formatArn({
    service: 'glue',
    resource: 'table',
    resourceName: `${databaseName}/*`,
  });
  provider.grant(
    {
      actions: [
        'lakeformation:GetDataLakeSettings',
        'lakeformation:PutDataLakeSettings',
        'lakeformation:ListPermissions',
        'lakeformation:GrantPermissions',
        'lakeformation:RevokePermissions',
      ],
      resources: ['*'],
    },
    {
      actions: ['glue:GetDatabase', 'glue:GetTable'],
      resources: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
        tables,
      ],
    },
  );
  const role = provider.onEventHandler.role;
  acknowledge(
    role,
    'AwsSolutions-IAM5',
    'Resource::*',
    'Lake Formation settings and permission actions take no resource-level permissions.',
  );
  acknowledgeWildcardResources(
    role,
    [tables],
    'The handler hands every declared table of the governed database to Lake Formation.',
  );
  return provider;
}
