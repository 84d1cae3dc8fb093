import type { Permission } from '@aws-sdk/client-lakeformation';
import { LakeFormationClient } from '@aws-sdk/client-lakeformation';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { RetryOptions } from '../../shared/handler/retry';
import type { DefaultPermissionsKind } from './data-lake-settings';
import {
  addAdmin,
  clearDefaultPermissions,
  removeAdmin,
  restoreDefaultPermissions,
} from './data-lake-settings';
import type { CatalogObject } from './iam-allowed-principals';
import { restoreIamAllowedPrincipals, revokeIamAllowedPrincipals } from './iam-allowed-principals';
import type { LakeFormationContext } from './lake-formation-client';
import { RESOURCE_TYPES } from './resource-types';

/**
 * Custom resources that change account-wide Lake Formation state. Each one records in its
 * physical id exactly what it changed, because a Delete event carries the physical id and the
 * properties but not the data of earlier responses; Delete undoes that record and nothing else.
 * An Update keeps the physical id whenever the record still holds, since a new id makes
 * CloudFormation delete the old one, which would undo what is still wanted.
 */

/** What the provider framework expects back from onEvent. */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

type Properties = Record<string, unknown>;

function requiredString(properties: Properties, name: string): string {
  const value = properties[name];
  if (typeof value !== 'string' || value === '')
    throw new Error(`The resource property ${name} must be a non-empty string.`);
  return value;
}

function previousId(event: CloudFormationCustomResourceEvent): string | undefined {
  return event.RequestType === 'Create' ? undefined : event.PhysicalResourceId;
}

// Custom::DataLakeAdmin: one principal made a data lake admin.

const ADMIN_ID = /^data-lake-admin:(added|present):(.+)$/;

function adminRecord(id: string | undefined): { added: boolean; principal: string } | undefined {
  const match = id ? ADMIN_ID.exec(id) : null;
  return match ? { added: match[1] === 'added', principal: match[2] } : undefined;
}

async function onAdmin(
  context: LakeFormationContext,
  event: CloudFormationCustomResourceEvent,
): Promise<OnEventResponse> {
  const oldId = previousId(event);
  const previous = adminRecord(oldId);
  if (event.RequestType === 'Delete') {
    const removed = previous?.added ? await removeAdmin(context, previous.principal) : false;
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { Removed: String(removed) } };
  }
  const principal = requiredString(event.ResourceProperties, 'Principal');
  const outcome = await addAdmin(context, principal);
  // An admin that was already there when this resource took it over stays on delete; one that
  // this resource added (now or when it was created) goes.
  const keepPrevious = previous?.principal === principal && outcome === 'present';
  const physicalId = keepPrevious && oldId ? oldId : `data-lake-admin:${outcome}:${principal}`;
  return { PhysicalResourceId: physicalId, Data: { Outcome: outcome } };
}

// Custom::DataLakeDefaultPermissions: new databases and tables governed by Lake Formation.

const DEFAULTS_ID = /^data-lake-default-permissions:cleared=(none|[a-z,]+)$/;

function defaultsRecord(id: string | undefined): DefaultPermissionsKind[] | undefined {
  const match = id ? DEFAULTS_ID.exec(id) : null;
  if (!match) return undefined;
  if (match[1] === 'none') return [];
  return match[1]
    .split(',')
    .filter((kind): kind is DefaultPermissionsKind => kind === 'database' || kind === 'table');
}

async function onDefaultPermissions(
  context: LakeFormationContext,
  event: CloudFormationCustomResourceEvent,
): Promise<OnEventResponse> {
  const oldId = previousId(event);
  const previous = defaultsRecord(oldId);
  if (event.RequestType === 'Delete') {
    const restored = previous ? await restoreDefaultPermissions(context, previous) : [];
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { Restored: restored.join(',') } };
  }
  const cleared = await clearDefaultPermissions(context);
  // On update the record of the first change stands: it is what deleting must give back.
  const physicalId =
    previous !== undefined && oldId
      ? oldId
      : `data-lake-default-permissions:cleared=${cleared.length ? cleared.join(',') : 'none'}`;
  return { PhysicalResourceId: physicalId, Data: { Cleared: cleared.join(',') } };
}

// Custom::IamAllowedPrincipalsRevocation: one database or table handed to Lake Formation.

const REVOCATION_ID =
  /^iam-allowed-principals:([a-z0-9_]+)(?:\.([a-z0-9_]+))?:revoked=(none|[A-Z_,]+)$/;

interface RevocationRecord extends CatalogObject {
  readonly revoked: Permission[];
}

function revocationRecord(id: string | undefined): RevocationRecord | undefined {
  const match = id ? REVOCATION_ID.exec(id) : null;
  if (!match) return undefined;
  return {
    databaseName: match[1],
    tableName: match[2],
    revoked: match[3] === 'none' ? [] : (match[3].split(',') as Permission[]),
  };
}

function revocationId(target: CatalogObject, revoked: readonly Permission[]): string {
  const name = target.tableName
    ? `${target.databaseName}.${target.tableName}`
    : target.databaseName;
  return `iam-allowed-principals:${name}:revoked=${revoked.length ? revoked.join(',') : 'none'}`;
}

async function onIamAllowedPrincipals(
  context: LakeFormationContext,
  event: CloudFormationCustomResourceEvent,
): Promise<OnEventResponse> {
  const oldId = previousId(event);
  const previous = revocationRecord(oldId);
  if (event.RequestType === 'Delete') {
    const restored = previous
      ? await restoreIamAllowedPrincipals(context, previous, previous.revoked)
      : false;
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { Restored: String(restored) } };
  }
  const properties = event.ResourceProperties;
  const target: CatalogObject = {
    databaseName: requiredString(properties, 'DatabaseName'),
    tableName:
      properties.TableName === undefined ? undefined : requiredString(properties, 'TableName'),
  };
  if (!/^[a-z0-9_]+$/.test(target.databaseName) || !/^[a-z0-9_]*$/.test(target.tableName ?? ''))
    throw new Error(
      'DatabaseName and TableName must be Glue names: lower-case letters, digits, _.',
    );
  const revoked = await revokeIamAllowedPrincipals(context, target);
  const sameTarget =
    previous?.databaseName === target.databaseName && previous.tableName === target.tableName;
  // What an earlier revocation of the same object took away is still what deleting gives back.
  const keepPrevious = sameTarget && (previous.revoked.length > 0 || revoked.length === 0);
  return {
    PhysicalResourceId: keepPrevious && oldId ? oldId : revocationId(target, revoked),
    Data: { Revoked: revoked.join(',') },
  };
}

const HANDLERS: Record<
  string,
  (
    context: LakeFormationContext,
    event: CloudFormationCustomResourceEvent,
  ) => Promise<OnEventResponse>
> = {
  [RESOURCE_TYPES.admin]: onAdmin,
  [RESOURCE_TYPES.defaultPermissions]: onDefaultPermissions,
  [RESOURCE_TYPES.iamAllowedPrincipals]: onIamAllowedPrincipals,
};

/** Builds the onEvent handler around a Lake Formation client. */
export function lakeFormationHandler(
  client: LakeFormationClient,
  retry?: RetryOptions,
): (event: CloudFormationCustomResourceEvent) => Promise<OnEventResponse> {
  const context: LakeFormationContext = { client, retry };
  return async (event) => {
    const handle = HANDLERS[event.ResourceType];
    if (!handle) {
      // A resource type this handler never served has nothing of its own to undo.
      if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
      throw new Error(`Unsupported resource type ${event.ResourceType}.`);
    }
    return handle(context, event);
  };
}

export const onEvent = lakeFormationHandler(new LakeFormationClient({}));
