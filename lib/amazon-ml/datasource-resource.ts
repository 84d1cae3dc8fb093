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
import type {
  ComplementDataSourceProperties,
  DatabaseDataSourceProperties,
} from './handler/datasource-properties';
import { DATASOURCE_RESOURCE_TYPE } from './handler/datasource-properties';
import type { StagingLocation } from './staging-location';

interface CommonResourceProps {
  /**
   * What must exist before Amazon ML starts reading: the tables, policies and network rules.
   * @default - nothing beyond what the properties refer to
   */
  readonly dependsOn?: IDependable[];
}

/** A datasource that Amazon ML reads from a database into a staging location. */
export interface DatabaseDataSourceResourceProps extends CommonResourceProps {
  readonly source: 'database';
  /** What the handler sends to Amazon ML, apart from the credentials. */
  readonly properties: DatabaseDataSourceProperties;
  /** The role that Amazon ML assumes; the handler passes it. */
  readonly amazonMlRole: iam.IRole;
  /** The secret the handler reads the database credentials from. */
  readonly secret: secretsmanager.ISecret;
  /** Where Amazon ML stages the rows: the handler reads the first line and deletes the rest. */
  readonly staging: StagingLocation;
}

/** A complement, read from the staged data of another datasource of this app. */
export interface ComplementDataSourceResourceProps extends CommonResourceProps {
  readonly source: 'complement';
  /** What the handler sends to Amazon ML. */
  readonly properties: ComplementDataSourceProperties;
  /** The id prefix of the datasource whose staged data the complement reads. */
  readonly originIdPrefix: string;
}

/** Properties of a {@link DataSourceResource}: a datasource read from a database, or a complement. */
export type DataSourceResourceProps =
  DatabaseDataSourceResourceProps | ComplementDataSourceResourceProps;

const CREATE_ACTION = {
  redshift: 'machinelearning:CreateDataSourceFromRedshift',
  rds: 'machinelearning:CreateDataSourceFromRDS',
  s3: 'machinelearning:CreateDataSourceFromS3',
} as const;

/**
 * The `Custom::AmazonMlDataSource` resource and the permissions its shared handler needs for
 * this datasource: create and delete datasources with this id prefix; for a database
 * datasource, pass its role, read its secret, read the first staged line and delete the staged
 * data; for a complement, read where its origin staged its data.
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
    const reason = `The handler names each datasource it creates with a new version suffix; it may only manage the datasources of the "${properties.DataSourceIdPrefix}" prefix.`;
    grantPermissions(onEventRole, {
      actions: [
        CREATE_ACTION[properties.Engine],
        'machinelearning:GetDataSource',
        'machinelearning:DeleteDataSource',
      ],
      resources: [this.dataSourcesArn],
    });
    this.grantRead(isCompleteRole);
    const wildcards = [this.dataSourcesArn];

    if (props.source === 'database') {
      grantPermissions(onEventRole, {
        actions: ['iam:PassRole'],
        resources: [props.amazonMlRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'machinelearning.amazonaws.com' } },
      });
      props.secret.grantRead(onEventRole);
      props.staging.grantRead(isCompleteRole);
      props.staging.grantDelete(isCompleteRole);
      wildcards.push(...props.staging.wildcardResources);
    } else {
      const originArn = dataSourceArn(this, `${props.originIdPrefix}-*`);
      grantPermissions(onEventRole, {
        actions: ['machinelearning:GetDataSource'],
        resources: [originArn],
      });
      acknowledgeWildcardResources(onEventRole, [originArn], reason);
    }
    for (const role of [onEventRole, isCompleteRole]) {
      acknowledgeWildcardResources(role, wildcards, reason);
    }

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: DATASOURCE_RESOURCE_TYPE,
      properties: { ...properties },
    });
    if (props.source === 'database') this.resource.node.addDependency(props.amazonMlRole);
    this.resource.node.addDependency(...(props.dependsOn ?? []));
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
}
