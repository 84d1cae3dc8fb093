import { createHash } from 'node:crypto';
import type * as cfn from '../../shared/handler/custom-resource';
import { plainError } from '../../shared/handler/plain-error';
import type { GrantLedgerAttributes, GrantLedgerProperties } from './grant-ledger-properties';

/**
 * `Custom::LakeFormationGrantLedger`: refuses an update that changes the permissions of a grant
 * that exists. AWS::LakeFormation::PrincipalPermissions is identified by its principal and
 * resource only and every property forces replacement, so new permissions on an existing pair
 * mean a second resource with the same identifier (which fails as already existing), and
 * deleting the old one revokes everything the principal holds on the resource, the new
 * permissions included. Such a change takes two deployments: remove the grant, then add it with
 * its new permissions. Adding and removing whole grants passes.
 *
 * The physical id holds a digest of the grants last accepted: a rollback, which sends those
 * grants again, passes; and so does an update that changes nothing.
 */

const LEDGER_ID = /^lake-formation-grants:([0-9a-f]{64})$/;

function grantsOf(properties: Partial<GrantLedgerProperties> | undefined): Record<string, string> {
  const grants = properties?.Grants;
  if (typeof grants !== 'object' || grants === null) {
    throw plainError('The resource property Grants must map each grant to its permissions.');
  }
  return Object.fromEntries(
    Object.entries(grants).map(([pair, permissions]) => [pair, String(permissions)]),
  );
}

function digestOf(grants: Record<string, string>): string {
  const canonical = JSON.stringify(
    Object.keys(grants)
      .sort()
      .map((pair) => [pair, grants[pair]]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

function response(grants: Record<string, string>): cfn.OnEventResponse<GrantLedgerAttributes> {
  return {
    PhysicalResourceId: `lake-formation-grants:${digestOf(grants)}`,
    Data: { Grants: String(Object.keys(grants).length) },
  };
}

/** The onEvent handler of `Custom::LakeFormationGrantLedger`. */
export function grantLedgerHandlers() {
  return {
    async onEvent(
      event: cfn.OnEvent<GrantLedgerProperties>,
    ): Promise<cfn.OnEventResponse<GrantLedgerAttributes>> {
      if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
      const grants = grantsOf(event.ResourceProperties);
      if (event.RequestType === 'Create') return response(grants);

      const accepted = LEDGER_ID.exec(event.PhysicalResourceId)?.[1];
      if (accepted === digestOf(grants)) return response(grants);
      const previous = grantsOf(event.OldResourceProperties as Partial<GrantLedgerProperties>);
      const changed = Object.keys(grants)
        .filter((pair) => pair in previous && previous[pair] !== grants[pair])
        .sort();
      if (changed.length > 0) {
        const details = changed
          .map((pair) => `${pair} from ${previous[pair]} to ${grants[pair]}`)
          .join('; ');
        throw plainError(
          `This update changes the permissions of existing Lake Formation grants (${details}). ` +
            'CloudFormation would replace each with a grant of the same identity, and deleting the old one revokes everything on it. ' +
            'Deploy in two steps: remove those grants from the configuration and deploy, then add them with their new permissions and deploy again.',
        );
      }
      return response(grants);
    },
  };
}
