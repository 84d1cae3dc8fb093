import type { Permission } from '@aws-sdk/client-lakeformation';
import { plainError } from '../../shared/handler/plain-error';
import { required } from '../../shared/handler/required';
import type { CatalogObject } from './iam-allowed-principals';
import { revokeIamAllowedPrincipals } from './iam-allowed-principals';
import type {
  IamAllowedPrincipalsRevocationAttributes,
  IamAllowedPrincipalsRevocationProperties,
} from './iam-allowed-principals-revocation-properties';
import type { LakeFormationDependencies } from './lake-formation-client';
import { objectInScope } from './lake-formation-scope';
import { recordedChangeHandlers } from './recorded-change';

/**
 * `Custom::IamAllowedPrincipalsRevocation`: revokes what IAM_ALLOWED_PRINCIPALS holds on one
 * database or table of the provider's scope. Its physical id records the object and what it
 * revoked. Delete gives nothing back: the object stays governed by Lake Formation, where only
 * its grants reach it. A grant back would open the object to every IAM principal, and the
 * record it would follow is the physical id, which a forged Delete event chooses; so the one
 * who takes the object from Lake Formation does it by hand (`aws lakeformation
 * grant-permissions --principal DataLakePrincipalIdentifier=IAM_ALLOWED_PRINCIPALS ...`).
 */

const REVOCATION_ID =
  /^iam-allowed-principals:([a-z0-9_]+)(?:\.([a-z0-9_]+))?:revoked=(none|[A-Z_,]+)$/;

interface RevocationRecord extends CatalogObject {
  readonly revoked: Permission[];
}

function revocationId(target: CatalogObject, revoked: readonly Permission[]): string {
  const name = target.tableName
    ? `${target.databaseName}.${target.tableName}`
    : target.databaseName;
  return `iam-allowed-principals:${name}:revoked=${revoked.length ? revoked.join(',') : 'none'}`;
}

function targetOf(properties: IamAllowedPrincipalsRevocationProperties): CatalogObject {
  const target: CatalogObject = {
    databaseName: required(properties, 'DatabaseName'),
    tableName: properties.TableName === undefined ? undefined : required(properties, 'TableName'),
  };
  if (!/^[a-z0-9_]+$/.test(target.databaseName) || !/^[a-z0-9_]*$/.test(target.tableName ?? '')) {
    throw plainError(
      'DatabaseName and TableName must be Glue names: lower-case letters, digits, _.',
    );
  }
  return target;
}

/** The onEvent handler of `Custom::IamAllowedPrincipalsRevocation`. */
export function iamAllowedPrincipalsRevocationHandlers(deps: LakeFormationDependencies) {
  return recordedChangeHandlers<
    IamAllowedPrincipalsRevocationProperties,
    RevocationRecord,
    IamAllowedPrincipalsRevocationAttributes
  >({
    read(physicalId) {
      const match = REVOCATION_ID.exec(physicalId);
      if (!match) return undefined;
      return {
        databaseName: match[1],
        tableName: match[2],
        revoked: match[3] === 'none' ? [] : (match[3].split(',') as Permission[]),
      };
    },

    async apply(properties, previous) {
      const target = targetOf(properties);
      if (!objectInScope(deps.scope, target)) {
        throw plainError(
          `${target.tableName ? `Table ${target.databaseName}.${target.tableName}` : `Database ${target.databaseName}`} is not one that this provider was deployed to hand to Lake Formation.`,
        );
      }
      const revoked = await revokeIamAllowedPrincipals(deps, target);
      // What an earlier revocation of the same object took away is still what deleting gives
      // back.
      const keepPrevious =
        previous !== undefined &&
        previous.record.databaseName === target.databaseName &&
        previous.record.tableName === target.tableName &&
        (previous.record.revoked.length > 0 || revoked.length === 0);
      return {
        PhysicalResourceId: keepPrevious ? previous.physicalId : revocationId(target, revoked),
        Data: { Revoked: revoked.join(',') },
      };
    },

    async undo(record) {
      if (record && record.revoked.length > 0) {
        console.log(
          JSON.stringify({
            keptUnderLakeFormation: record,
            note: 'IAM_ALLOWED_PRINCIPALS is not given back its grant; grant it by hand to return the object to IAM-only access control',
          }),
        );
      }
      return { Restored: 'false' };
    },
  });
}
