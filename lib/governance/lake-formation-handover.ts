import type { CfnResource } from 'aws-cdk-lib';
import { CustomResource } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import type { SharedProvider } from '../shared/shared-provider';
import type { IamAllowedPrincipalsRevocationProperties } from './handler/iam-allowed-principals-revocation-properties';
import { IAM_ALLOWED_PRINCIPALS_REVOCATION_RESOURCE_TYPE } from './handler/iam-allowed-principals-revocation-properties';

/** Properties of {@link LakeFormationHandover}. */
export interface LakeFormationHandoverProps {
  /**
   * The provider of the Lake Formation custom resources; its role must be a data lake admin,
   * and its scope must list the database and tables.
   */
  readonly provider: SharedProvider;
  /** The governed database and its resource. */
  readonly database: { readonly name: string; readonly resource: glue.CfnDatabase };
  /** The declared tables of the database, by name. */
  readonly tables: ReadonlyMap<string, glue.CfnTable>;
}

/**
 * Hands the governed database and its declared tables to Lake Formation. In an account whose
 * defaults are IAM-only, the database gets a grant of ALL to IAM_ALLOWED_PRINCIPALS that lets
 * IAM alone decide who uses it; this revokes that grant. Its tables get none: the database's
 * own default for new tables is empty (CreateTableDefaultPermissions), so the table revocations
 * only make sure, and normally record that they revoked nothing. Deleting gives nothing back:
 * the objects stay with Lake Formation. It runs last, once the Lake Formation grants are in
 * place.
 */
export class LakeFormationHandover extends Construct {
  /** The revocations: the database, then each table. */
  readonly resources: CfnResource[];

  constructor(scope: Construct, id: string, props: LakeFormationHandoverProps) {
    super(scope, id);
    const revoke = (
      name: string,
      properties: IamAllowedPrincipalsRevocationProperties,
      dependsOn: Construct,
    ) => {
      const resource = new CustomResource(this, name, {
        serviceToken: props.provider.serviceToken,
        resourceType: IAM_ALLOWED_PRINCIPALS_REVOCATION_RESOURCE_TYPE,
        properties: { ...properties },
      });
      resource.node.addDependency(dependsOn);
      return resource.node.defaultChild as CfnResource;
    };
    this.resources = [
      revoke('Database', { DatabaseName: props.database.name }, props.database.resource),
      ...[...props.tables].map(([tableName, table]) =>
        revoke(
          `Table-${tableName}`,
          { DatabaseName: props.database.name, TableName: tableName },
          table,
        ),
      ),
    ];
  }
}
