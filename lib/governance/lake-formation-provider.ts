import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcardResources } from '../shared/nag';
import { SharedProvider } from '../shared/shared-provider';

const PROVIDER_ID = 'LakeFormationProvider';

/**
 * The stack's provider of the Lake Formation custom resources (data lake admins, default
 * permissions, IAM_ALLOWED_PRINCIPALS revocations), with the permissions its handler needs.
 */
export function lakeFormationProvider(scope: Construct, databaseName: string): SharedProvider {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(PROVIDER_ID);
  if (existing instanceof SharedProvider) return existing;

  const provider = SharedProvider.of(scope, PROVIDER_ID, {
    entry: path.join(__dirname, 'handler', 'index.ts'),
    description:
      'Merges data lake admins and default permissions into the Lake Formation settings, and hands catalog objects to Lake Formation',
  });
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
