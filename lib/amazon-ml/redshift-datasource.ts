import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { grantPermissions } from '../shared/grant';
import { acknowledge, acknowledgeWildcardResources } from '../shared/nag';
import type { DatabaseSource } from '../sources/database-source';
import { AmazonMlRole } from './amazon-ml-role';
import { dataRearrangementJson } from './data-rearrangement';
import type { DatabaseDataSourceProps } from './database-datasource';
import { DatabaseDataSource } from './database-datasource';
import { DataSourceResource } from './datasource-resource';
import { patternProblems } from './datasource-validation';

/** Properties of a {@link RedshiftDataSource}. */
export interface RedshiftDataSourceProps extends DatabaseDataSourceProps {
  /** The Redshift cluster to read, with the secret of a user who may run the query. */
  readonly cluster: DatabaseSource;
}

/**
 * An Amazon ML datasource read from Amazon Redshift (`CreateDataSourceFromRedshift`): Amazon
 * ML assumes its own role, runs the query as an UNLOAD into the staging location and reads
 * the result, connecting as the cluster's read-only user. The role has the actions of the
 * managed policy `AmazonMachineLearningRoleforRedshiftDataSourceV3` that a VPC cluster needs,
 * on this cluster, its security group and the staging prefix only: it may write and read that
 * prefix, read the bucket policy, describe the cluster, and admit Amazon ML's address ranges
 * to the cluster's security group (Amazon ML connects from those ranges, so the cluster needs
 * a public endpoint, `sources.redshift.publiclyAccessible`). It may not create security
 * groups, modify the cluster or write the bucket policy: each would change what
 * CloudFormation declares, and the next deployment would undo or trip over it.
 */
export class RedshiftDataSource extends DatabaseDataSource {
  /** The role that Amazon ML assumes. */
  readonly role: iam.Role;
  /** The id of the datasource in Amazon ML. */
  readonly dataSourceId: string;
  /** The datasource's status once deployed: `COMPLETED`. */
  readonly status: string;

  constructor(scope: Construct, id: string, props: RedshiftDataSourceProps) {
    const { cluster, staging } = props;
    super(scope, id, 'redshift', props, [
      ...patternProblems(
        'cluster identifier',
        cluster.identifier,
        /^[a-z0-9-]+$/,
        'lower-case letters, digits and hyphens',
      ),
      ...patternProblems(
        'database name',
        cluster.databaseName,
        /^[a-z0-9]+$/,
        'lower-case letters and digits',
      ),
    ]);

    this.role = new AmazonMlRole(this, 'AmazonMlRole', {
      description: `Amazon ML unloads Redshift cluster ${cluster.identifier} into ${staging.uri}`,
    }).role;
    staging.grantWrite(this.role);
    staging.grantRead(this.role);
    // Amazon ML reads the bucket policy that admits it to the staging location; the Storage
    // stack declares that policy, so the role may not change it (no s3:PutBucketPolicy).
    grantPermissions(this.role, {
      actions: ['s3:GetBucketPolicy'],
      resources: [staging.bucketArn],
    });
    this.grantClusterAccess(cluster);
    acknowledgeWildcardResources(
      this.role,
      staging.wildcardResources,
      'Amazon ML writes and reads objects with generated names under this datasource staging prefix only.',
    );

    const resource = new DataSourceResource(this, 'DataSource', {
      source: 'database',
      amazonMlRole: this.role,
      secret: cluster.readerSecret,
      staging,
      dependsOn: [cluster.tablesReady],
      properties: {
        Engine: 'redshift',
        DataSourceIdPrefix: props.dataSourceIdPrefix,
        DataSourceName: props.dataSourceName,
        RoleArn: this.role.roleArn,
        ComputeStatistics: props.computeStatistics ?? true,
        SecretArn: cluster.readerSecret.secretArn,
        ClusterIdentifier: cluster.identifier,
        DatabaseName: cluster.databaseName,
        SelectSqlQuery: this.selectSqlQuery,
        S3StagingLocation: staging.uri,
        DataSchema: props.schema.toJson(),
        DataRearrangement: props.dataRearrangement
          ? dataRearrangementJson(props.dataRearrangement)
          : undefined,
      },
    });
    this.dataSourceId = resource.dataSourceId;
    this.status = resource.status;
  }

  /**
   * What Amazon ML does to reach the cluster: describe it and its security groups, and admit
   * its own address ranges to the cluster's security group (and withdraw them again).
   */
  private grantClusterAccess(cluster: DatabaseSource): iam.Grant {
    const stack = Stack.of(this);
    const grant = grantPermissions(
      this.role,
      {
        actions: ['redshift:DescribeClusters'],
        resources: [
          stack.formatArn({
            service: 'redshift',
            resource: 'cluster',
            resourceName: cluster.identifier,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      },
      {
        actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
        resources: [
          stack.formatArn({
            service: 'ec2',
            resource: 'security-group',
            resourceName: cluster.securityGroup.securityGroupId,
          }),
        ],
      },
      {
        actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeInternetGateways'],
        resources: ['*'],
      },
    );
    acknowledge(
      this.role,
      'AwsSolutions-IAM5',
      'Resource::*',
      'EC2 Describe actions do not support resource-level permissions; Amazon ML reads the security groups and internet gateways of the cluster VPC.',
    );
    return grant;
  }
}
