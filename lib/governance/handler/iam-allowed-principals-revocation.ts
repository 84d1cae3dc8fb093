import type { Permission } from '@aws-sdk/client-lakeformation';
import { plainError } from '../../shared/handler/plain-error';
import { required } from '../../shared/handler/required';
import type { CatalogObject } from './iam-allowed-principals';
import { restoreIamAllowedPrincipals, revokeIamAllowedPrincipals } from './iam-allowed-principals';
import type {
  IamAllowedPrincipalsRevocationAttributes,
  IamAllowedPrincipalsRevocationProperties,
} from './iam-allowed-principals-revocation-properties';
import type { LakeFormationDependencies } from './lake-formation-client';
import { recordedChangeHandlers } from './recorded-change';

/**
 * `Custom::IamAllowedPrincipalsRevocation`: revokes what IAM_ALLOWED_PRINCIPALS holds on one
 * database or table. Its physical id records the object and what it revoked; delete grants
 * that back.
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
      const restored = record
        ? await restoreIamAllowedPrincipals(deps, record, record.revoked)
        : false;
      return { Restored: String(restored) };
    },
  });
}
