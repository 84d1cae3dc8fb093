import type { CfnResource } from 'aws-cdk-lib';
import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { SharedProvider } from '../shared/shared-provider';
import type { GrantLedgerProperties } from './handler/grant-ledger-properties';
import { GRANT_LEDGER_RESOURCE_TYPE } from './handler/grant-ledger-properties';

/** Properties of {@link GrantLedger}. */
export interface GrantLedgerProps {
  /** The provider of the Lake Formation custom resources. */
  readonly provider: SharedProvider;
  /** The permissions of each grant of the stack, by `<principal>|<resource>`. */
  readonly grants: Readonly<Record<string, string>>;
}

/**
 * The permissions of every Lake Formation grant of the stack, deployed before the grants: an
 * update that changes the permissions of an existing grant fails here, before CloudFormation
 * replaces the grant, with what to do instead (see `handler/grant-ledger.ts`).
 */
export class GrantLedger extends Construct {
  readonly resource: CfnResource;

  constructor(scope: Construct, id: string, props: GrantLedgerProps) {
    super(scope, id);
    const properties: GrantLedgerProperties = { Grants: props.grants };
    const ledger = new CustomResource(this, 'Resource', {
      serviceToken: props.provider.serviceToken,
      resourceType: GRANT_LEDGER_RESOURCE_TYPE,
      properties: { ...properties },
    });
    this.resource = ledger.node.defaultChild as CfnResource;
  }
}
