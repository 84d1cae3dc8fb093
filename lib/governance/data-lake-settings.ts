import type { CfnResource } from 'aws-cdk-lib';
import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { SharedProvider } from '../shared/shared-provider';
import type { DataLakeAdminProperties } from './handler/data-lake-admin-properties';
import { DATA_LAKE_ADMIN_RESOURCE_TYPE } from './handler/data-lake-admin-properties';
import type { DataLakeDefaultPermissionsProperties } from './handler/data-lake-default-permissions-properties';
import { DATA_LAKE_DEFAULT_PERMISSIONS_RESOURCE_TYPE } from './handler/data-lake-default-permissions-properties';
import type { DeadPrincipals } from './handler/data-lake-settings';

/** A principal to make a data lake admin. */
export interface DataLakeAdmin {
  /** Construct id of its custom resource, which names its logical id. */
  readonly id: string;
  /** ARN of the IAM role (or user) that becomes an admin; the provider's scope must list it. */
  readonly principalArn: string;
}

/** Properties of {@link DataLakeSettings}. */
export interface DataLakeSettingsProps {
  /** The provider of the Lake Formation custom resources. */
  readonly provider: SharedProvider;
  /** Principals made data lake admins, in this order. */
  readonly admins: DataLakeAdmin[];
  /**
   * Whether to clear the account's default permissions too (the provider's scope must allow it).
   * @default false
   */
  readonly changeAccountDefaults?: boolean;
  /**
   * What to do when the settings name a principal that no longer exists.
   * @default 'fail'
   */
  readonly deadPrincipals?: DeadPrincipals;
}

/**
 * The account's Lake Formation settings, changed through a merge-and-write custom resource:
 * each admin is added to the admins already there, and, when asked for, the defaults that gave
 * new databases and tables to IAM_ALLOWED_PRINCIPALS are cleared. Deleting gives back exactly
 * that: the admins this added, and the defaults this cleared unless someone has set them since.
 *
 * AWS::LakeFormation::DataLakeSettings could append admins too (`MutationType: APPEND`), but
 * no document says what deleting it does under APPEND, it cannot clear the default permission
 * lists (cloudformation-coverage-roadmap#2197), and it cannot say which principal made Lake
 * Formation refuse the write. Both are read-modify-write and last-writer-wins: neither can
 * detect a write that another tool makes in between.
 */
export class DataLakeSettings extends Construct {
  /** The custom resources, in the order they must deploy: admins, then default permissions. */
  readonly resources: CfnResource[];
  /** The principals that are data lake admins once this deploys. */
  readonly adminArns: string[];

  constructor(scope: Construct, id: string, props: DataLakeSettingsProps) {
    super(scope, id);
    const deadPrincipals = props.deadPrincipals ?? 'fail';
    const admins = props.admins.map((admin) => {
      const properties: DataLakeAdminProperties = {
        Principal: admin.principalArn,
        DeadPrincipals: deadPrincipals,
      };
      return new CustomResource(this, admin.id, {
        serviceToken: props.provider.serviceToken,
        resourceType: DATA_LAKE_ADMIN_RESOURCE_TYPE,
        properties: { ...properties },
      });
    });
    const defaults: CustomResource[] = [];
    if (props.changeAccountDefaults) {
      const properties: DataLakeDefaultPermissionsProperties = { DeadPrincipals: deadPrincipals };
      defaults.push(
        new CustomResource(this, 'DefaultPermissions', {
          serviceToken: props.provider.serviceToken,
          resourceType: DATA_LAKE_DEFAULT_PERMISSIONS_RESOURCE_TYPE,
          properties: { ...properties },
        }),
      );
    }
    this.resources = [...admins, ...defaults].map(
      (resource) => resource.node.defaultChild as CfnResource,
    );
    this.adminArns = props.admins.map((admin) => admin.principalArn);
  }
}
