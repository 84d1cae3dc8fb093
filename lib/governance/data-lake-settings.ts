import type { CfnResource } from 'aws-cdk-lib';
import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { SharedProvider } from '../shared/shared-provider';
import type { DataLakeAdminProperties } from './handler/data-lake-admin-properties';
import { DATA_LAKE_ADMIN_RESOURCE_TYPE } from './handler/data-lake-admin-properties';
import { DATA_LAKE_DEFAULT_PERMISSIONS_RESOURCE_TYPE } from './handler/data-lake-default-permissions-properties';

/** A principal to make a data lake admin. */
export interface DataLakeAdmin {
  /** Construct id of its custom resource, which names its logical id. */
  readonly id: string;
  /** ARN of the IAM role (or user) that becomes an admin. */
  readonly principalArn: string;
}

/** Properties of {@link DataLakeSettings}. */
export interface DataLakeSettingsProps {
  /** The provider of the Lake Formation custom resources. */
  readonly provider: SharedProvider;
  /** Principals made data lake admins, in this order. */
  readonly admins: DataLakeAdmin[];
}

/**
 * The account's Lake Formation settings, changed through a merge-and-write custom resource
 * instead of AWS::LakeFormation::DataLakeSettings, which replaces the whole settings object:
 * each admin is added to the admins already there, and the defaults that gave new databases
 * and tables to IAM_ALLOWED_PRINCIPALS are cleared. Deleting gives back exactly that: the
 * admins this added, and the defaults this cleared unless someone has set them since.
 */
export class DataLakeSettings extends Construct {
  /** The custom resources, in the order they must deploy: admins, then default permissions. */
  readonly resources: CfnResource[];
  /** The principals that are data lake admins once this deploys. */
  readonly adminArns: string[];

  constructor(scope: Construct, id: string, props: DataLakeSettingsProps) {
    super(scope, id);
    const admins = props.admins.map((admin) => {
      const properties: DataLakeAdminProperties = { Principal: admin.principalArn };
      return new CustomResource(this, admin.id, {
        serviceToken: props.provider.serviceToken,
        resourceType: DATA_LAKE_ADMIN_RESOURCE_TYPE,
        properties: { ...properties },
      });
    });
    const defaults = new CustomResource(this, 'DefaultPermissions', {
      serviceToken: props.provider.serviceToken,
      resourceType: DATA_LAKE_DEFAULT_PERMISSIONS_RESOURCE_TYPE,
    });
    this.resources = [...admins, defaults].map(
      (resource) => resource.node.defaultChild as CfnResource,
    );
    this.adminArns = props.admins.map((admin) => admin.principalArn);
  }
}
