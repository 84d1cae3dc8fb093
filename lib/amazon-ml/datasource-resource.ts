import * as path from 'node:path';
import { CustomResource, Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { IDependable } from 'constructs';
import { grantPermissions } from '../shared/grant';
import { acknowledgeWildcardResources } from '../shared/nag';
import { SharedProvider } from '../shared/shared-provider';
import { dataSourceArn } from './amazon-ml-role';
import type { DataSourceProperties } from './handler/datasource-properties';
import { DATASOURCE_RESOURCE_TYPE } from './handler/datasource-properties';

/** Properties of a {@link DataSourceResource}. */
export interface DataSourceResourceProps {
  /** What the handler sends to Amazon ML, apart from the credentials. */
  readonly properties: DataSourceProperties;
  /** The role that Amazon ML assumes; the handler passes it. */
  readonly amazonMlRole: iam.IRole;
  /** The secret the handler reads the database credentials from. */
  readonly secret: secretsmanager.ISecret;
  /**
   * What must exist before Amazon ML starts reading: the policies and network rules it uses.
   * @default - nothing beyond the role
   */
  readonly dependsOn?: IDependable[];
}

/**
 * The `Custom::AmazonMlDataSource` resource and the permissions its shared handler needs for
 * this datasource: create and delete datasources with this id prefix, pass this role, read
 * this secret.
 */
export class DataSourceResource extends Construct {
  readonly resource: CustomResource;
  /** The id of the datasource in Amazon ML. */
  readonly dataSourceId: string;
  /** The datasource's status once deployed: `COMPLETED`. */
  readonly status: string;
  /** The ARN of every datasource of the id prefix: each replacement has a new id. */
  private readonly dataSourcesArn: string;

  constructor(scope: Construct, id: string, props: DataSourceResourceProps) {
    super(scope, id);
    const { properties } = props;
    const provider = SharedProvider.of(this, 'AmazonMlDataSourceProvider', {
      entry: path.join(__dirname, 'handler', 'datasource-handler.ts'),
      description: 'Creates Amazon ML datasources and waits until Amazon ML has read them',
      polls: true,
      queryInterval: Duration.minutes(1),
      // CloudFormation waits at most an hour for a custom resource; fail cleanly before that.
      totalTimeout: Duration.minutes(55),
    });
    this.dataSourcesArn = dataSourceArn(this, `${properties.DataSourceIdPrefix}-*`);
    const onEventRole = provider.onEventHandler.role;
    const isCompleteRole = provider.isCompleteHandler!.role;
    this.grantManage(onEventRole, props);
    this.grantRead(isCompleteRole);
    for (const role of [onEventRole, isCompleteRole]) {
      acknowledgeWildcardResources(
        role,
        [this.dataSourcesArn],
        `The handler names each datasource it creates with a new version suffix; it may only manage the datasources of the "${properties.DataSourceIdPrefix}" prefix.`,
      );
    }

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: DATASOURCE_RESOURCE_TYPE,
      properties: { ...properties },
    });
    this.resource.node.addDependency(props.amazonMlRole, ...(props.dependsOn ?? []));
    this.dataSourceId = this.resource.getAttString('DataSourceId');
    this.status = this.resource.getAttString('Status');
  }

  /** Lets `grantee` read the datasources of this resource's id prefix, and their status. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return grantPermissions(grantee, {
      actions: ['machinelearning:GetDataSource'],
      resources: [this.dataSourcesArn],
    });
  }

  /**
   * Lets the handler create, read and delete the datasources of the id prefix, give Amazon ML
   * the role it assumes for them, and read the database credentials from the secret.
   */
  private grantManage(grantee: iam.IGrantable, props: DataSourceResourceProps): iam.Grant {
    const createAction =
      props.properties.Engine === 'redshift'
        ? 'machinelearning:CreateDataSourceFromRedshift'
        : 'machinelearning:CreateDataSourceFromRDS';
    return grantPermissions(
      grantee,
      {
        actions: [
          createAction,
          'machinelearning:GetDataSource',
          'machinelearning:DeleteDataSource',
        ],
        resources: [this.dataSourcesArn],
      },
      {
        actions: ['iam:PassRole'],
        resources: [props.amazonMlRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'machinelearning.amazonaws.com' } },
      },
    ).combine(props.secret.grantRead(grantee));
  }
}
