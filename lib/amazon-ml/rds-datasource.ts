import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcardResources } from '../shared/nag';
import type { DatabaseSource } from '../sources/database-source';
import { AmazonMlRole } from './amazon-ml-role';
import type { DataPipelineRoles } from './data-pipeline-roles';
import { dataRearrangementJson } from './data-rearrangement';
import type { DatabaseDataSourceProps } from './database-datasource';
import { DatabaseDataSource } from './database-datasource';
import { DataSourceResource } from './datasource-resource';
import { patternProblems } from './datasource-validation';

/** Properties of an {@link RdsDataSource}. */
export interface RdsDataSourceProps extends DatabaseDataSourceProps {
  /** The RDS for MySQL instance to read, with the secret of a user who may run the query. */
  readonly database: DatabaseSource;
  /**
   * The MySQL database that the query runs in.
   * @default - the database's `databaseName`
   */
  readonly databaseName?: string;
  /** The VPC of the database, where the pipeline's instance runs. */
  readonly vpc: ec2.IVpc;
  /** Subnets with a route to AWS APIs; the pipeline's instance runs in the first. */
  readonly subnets: ec2.SubnetSelection;
  /** The roles that the pipeline and its instance run as. */
  readonly pipelineRoles: DataPipelineRoles;
}

/**
 * An Amazon ML datasource read from RDS for MySQL (`CreateDataSourceFromRDS`): Amazon ML
 * creates and activates an AWS Data Pipeline whose EC2 instance runs the query and writes the
 * rows to the staging location. The construct gives that instance a security group that the
 * database admits on its port, and Amazon ML a role that may run pipelines with the two Data
 * Pipeline roles, describe this database and read the staging prefix. The pipeline connects
 * as the database's read-only user, whose password Amazon ML writes into the pipeline's
 * definition.
 */
export class RdsDataSource extends DatabaseDataSource {
  /** The role that Amazon ML assumes. */
  readonly role: iam.Role;
  /** The security group of the pipeline's instances. */
  readonly pipelineSecurityGroup: ec2.SecurityGroup;
  /** The id of the datasource in Amazon ML. */
  readonly dataSourceId: string;
  /** The datasource's status once deployed: `COMPLETED`. */
  readonly status: string;

  constructor(scope: Construct, id: string, props: RdsDataSourceProps) {
    const { database, staging, pipelineRoles } = props;
    const databaseName = props.databaseName ?? database.databaseName;
    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;
    super(scope, id, 'mysql', props, [
      ...patternProblems(
        'database name',
        databaseName,
        /^[a-zA-Z0-9_$]{1,64}$/,
        'letters, digits, "_" and "$"',
      ),
      ...(subnetIds.length === 0 ? ['the pipeline needs at least one subnet'] : []),
    ]);

    this.pipelineSecurityGroup = new ec2.SecurityGroup(this, 'PipelineSecurityGroup', {
      vpc: props.vpc,
      description: `Data Pipeline instances of Amazon ML datasource ${props.dataSourceIdPrefix}`,
      allowAllOutbound: false,
    });
    this.pipelineSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'AWS Data Pipeline and S3 over HTTPS',
    );
    this.pipelineSecurityGroup.addEgressRule(
      database.securityGroup,
      ec2.Port.tcp(database.port),
      `MySQL ${database.identifier}`,
    );
    // Declared here, in this stack, so that the database's stack does not refer back to it.
    const databaseIngress = new ec2.CfnSecurityGroupIngress(this, 'DatabaseIngress', {
      groupId: database.securityGroup.securityGroupId,
      sourceSecurityGroupId: this.pipelineSecurityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: database.port,
      toPort: database.port,
      description: `Data Pipeline instances of Amazon ML datasource ${props.dataSourceIdPrefix}`,
    });

    this.role = new AmazonMlRole(this, 'AmazonMlRole', {
      description: `Amazon ML copies RDS instance ${database.identifier} into ${staging.uri} with AWS Data Pipeline`,
    }).role;
    const databaseArn = Stack.of(this).formatArn({
      service: 'rds',
      resource: 'db',
      resourceName: database.identifier,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'datapipeline:CreatePipeline',
          'datapipeline:PutPipelineDefinition',
          'datapipeline:ActivatePipeline',
          'datapipeline:DescribePipelines',
          'datapipeline:DescribeObjects',
          'datapipeline:QueryObjects',
          'rds:DescribeDBSecurityGroups',
        ],
        resources: ['*'],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['rds:DescribeDBInstances'], resources: [databaseArn] }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: pipelineRoles.roleArns }),
    );
    staging.grantRead(this.role);
    acknowledge(
      this.role,
      'AwsSolutions-IAM5',
      'Resource::*',
      'Amazon ML creates a pipeline per datasource, whose id is not known in advance (CreatePipeline takes no resource); rds:DescribeDBSecurityGroups applies to DB security groups, which this datasource does not use, and takes no narrower resource here.',
    );
    acknowledgeWildcardResources(
      this.role,
      staging.wildcardResources,
      'Amazon ML reads the objects with generated names that the pipeline writes under this datasource staging prefix only.',
    );

    pipelineRoles.grantStaging(staging);
    pipelineRoles.grantDescribeDatabase(databaseArn);

    const resource = new DataSourceResource(this, 'DataSource', {
      source: 'database',
      amazonMlRole: this.role,
      secret: database.readerSecret,
      staging,
      dependsOn: [database.tablesReady, databaseIngress, this.pipelineSecurityGroup, pipelineRoles],
      properties: {
        Engine: 'rds',
        DataSourceIdPrefix: props.dataSourceIdPrefix,
        DataSourceName: props.dataSourceName,
        RoleArn: this.role.roleArn,
        ComputeStatistics: props.computeStatistics ?? true,
        SecretArn: database.readerSecret.secretArn,
        InstanceIdentifier: database.identifier,
        DatabaseName: databaseName,
        SelectSqlQuery: this.selectSqlQuery,
        S3StagingLocation: staging.uri,
        DataSchema: props.schema.toJson(),
        DataRearrangement: props.dataRearrangement
          ? dataRearrangementJson(props.dataRearrangement)
          : undefined,
        ResourceRole: pipelineRoles.resourceRole.roleName,
        ServiceRole: pipelineRoles.serviceRole.roleName,
        SubnetId: subnetIds[0] ?? '',
        SecurityGroupIds: [this.pipelineSecurityGroup.securityGroupId],
      },
    });
    this.dataSourceId = resource.dataSourceId;
    this.status = resource.status;
  }
}
