import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcardResources } from '../shared/nag';
import { S3PrefixAccess } from '../shared/s3-prefix-access';
import type { GovernanceConfig } from './config';

/** Properties of {@link Personas}. */
export interface PersonasProps {
  /** Who may assume each persona. */
  readonly personas: GovernanceConfig['personas'];
  /** The governed Glue database. */
  readonly databaseName: string;
  /** The Athena workgroup of each query persona, whose results prefix only it may read. */
  readonly workgroups: { readonly analyst: string; readonly projectLeader: string };
  /** Where Athena writes query results. */
  readonly athenaResultsBucket: s3.IBucket;
  /** The key that encrypts the query results. */
  readonly dataKey: kms.IKey;
}

function principalsOf(principals: readonly string[]): iam.IPrincipal {
  const resolved = principals.map((principal) =>
    principal === 'account' ? new iam.AccountRootPrincipal() : new iam.ArnPrincipal(principal),
  );
  return resolved.length === 1 ? resolved[0] : new iam.CompositePrincipal(...resolved);
}

/**
 * A role that trusts the account root trusts every principal of the account whose identity
 * policy allows sts:AssumeRole on it, administrators and wildcard policies included (IAM
 * "Principal element"): fine for a synth without an account, not for a deployment.
 */
function warnOfAccountTrust(role: iam.Role, persona: string, principals: readonly string[]): void {
  if (!principals.includes('account')) return;
  Annotations.of(role).addWarningV2(
    'ml-foundation:persona-trusts-account',
    `The ${persona} role trusts the whole account ("account" in governance.personas): every principal of the account that may call sts:AssumeRole on it can become the ${persona}. Name the IAM roles or users that may assume it.`,
  );
}

/**
 * The people of the data lake as IAM roles. IAM stays coarse: it lets the query personas use
 * the workgroup, read the catalog's metadata and ask Lake Formation for data, and lets the data
 * lake admin review Lake Formation. Lake Formation decides which databases, tables and columns
 * each one sees. No persona may read the data lake bucket directly: data reaches them only
 * through credentials that Lake Formation vends for what they were granted.
 */
export class Personas extends Construct {
  /** Reviews Lake Formation permissions and tags; a data lake admin. */
  readonly dataLakeAdmin: iam.Role;
  /** Queries the columns tagged for analysts. */
  readonly analyst: iam.Role;
  /** Queries the columns tagged for project leaders or analysts. */
  readonly projectLeader: iam.Role;

  constructor(scope: Construct, id: string, props: PersonasProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const glueArn = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, resourceName });

    const { personas } = props;
    this.dataLakeAdmin = new iam.Role(this, 'DataLakeAdmin', {
      description:
        'Data lake administrator: reviews Lake Formation permissions, tags and locations',
      assumedBy: principalsOf(props.personas.dataLakeAdmin.principals),
      inlinePolicies: {
        review: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: [
                'lakeformation:Describe*',
                'lakeformation:Get*',
                'lakeformation:List*',
                'lakeformation:Search*',
              ],
              resources: ['*'],
            }),
            new iam.PolicyStatement({
              actions: [
                'glue:GetCatalog',
                'glue:GetDatabase',
                'glue:GetDatabases',
                'glue:GetTable',
                'glue:GetTables',
                'glue:GetPartitions',
              ],
              resources: [glueArn('catalog'), glueArn('database', '*'), glueArn('table', '*/*')],
            }),
          ],
        }),
      },
    });
    acknowledge(
      this.dataLakeAdmin,
      'AwsSolutions-IAM5',
      'Resource::*',
      'Lake Formation read actions take no resource-level permissions.',
    );
    for (const action of ['Describe', 'Get', 'List', 'Search']) {
      acknowledge(
        this.dataLakeAdmin,
        'AwsSolutions-IAM5',
        `Action::lakeformation:${action}*`,
        'The data lake admin reviews all of Lake Formation: every read action, and no write action.',
      );
    }
    acknowledgeWildcardResources(
      this.dataLakeAdmin,
      [glueArn('database', '*'), glueArn('table', '*/*')],
      'The data lake admin reviews the whole catalog of the account; Lake Formation shows it every database and table.',
    );

    this.analyst = new iam.Role(this, 'Analyst', {
      description: 'Analyst: queries, through Athena, the data that Lake Formation grants analysts',
      assumedBy: principalsOf(personas.analyst.principals),
      inlinePolicies: { query: this.queryPolicy(props, props.workgroups.analyst, glueArn) },
    });
    this.projectLeader = new iam.Role(this, 'ProjectLeader', {
      description:
        'Project leader: queries, through Athena, the data that Lake Formation grants project leaders',
      assumedBy: principalsOf(personas.projectLeader.principals),
      inlinePolicies: {
        query: this.queryPolicy(props, props.workgroups.projectLeader, glueArn),
      },
    });
    this.acknowledgeQueryPolicy(this.analyst, props, props.workgroups.analyst);
    this.acknowledgeQueryPolicy(this.projectLeader, props, props.workgroups.projectLeader);
    warnOfAccountTrust(this.dataLakeAdmin, 'data lake admin', personas.dataLakeAdmin.principals);
    warnOfAccountTrust(this.analyst, 'analyst', personas.analyst.principals);
    warnOfAccountTrust(this.projectLeader, 'project leader', personas.projectLeader.principals);
  }

  /**
   * What a query persona may do: run queries, prepared statements and saved queries in its own
   * workgroup, and read and write the results under that workgroup's prefix only. Athena's
   * results are not governed by Lake Formation, so a results prefix and query history shared
   * with another persona would show it that persona's results (Athena, "Considerations and
   * limitations" of Lake Formation).
   */
  private queryPolicy(
    props: PersonasProps,
    workgroupName: string,
    glueArn: (resource: string, resourceName?: string) => string,
  ): iam.PolicyDocument {
    const stack = Stack.of(this);
    const results = new S3PrefixAccess({
      bucketArn: props.athenaResultsBucket.bucketArn,
      prefix: `${workgroupName}/`,
      region: stack.region,
    });
    return new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'QueryInTheWorkgroup',
          actions: [
            'athena:StartQueryExecution',
            'athena:StopQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:GetQueryResultsStream',
            'athena:GetQueryRuntimeStatistics',
            'athena:BatchGetQueryExecution',
            'athena:ListQueryExecutions',
            'athena:GetWorkGroup',
            'athena:GetPreparedStatement',
            'athena:ListPreparedStatements',
            'athena:GetNamedQuery',
            'athena:BatchGetNamedQuery',
            'athena:ListNamedQueries',
          ],
          resources: [
            stack.formatArn({
              service: 'athena',
              resource: 'workgroup',
              resourceName: workgroupName,
            }),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'BrowseTheCatalogInAthena',
          actions: [
            'athena:GetDataCatalog',
            'athena:ListDatabases',
            'athena:GetDatabase',
            'athena:ListTableMetadata',
            'athena:GetTableMetadata',
          ],
          resources: [
            stack.formatArn({
              service: 'athena',
              resource: 'datacatalog',
              resourceName: 'AwsDataCatalog',
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'ReadTheGovernedCatalog',
          actions: [
            'glue:GetDatabase',
            'glue:GetDatabases',
            'glue:GetTable',
            'glue:GetTables',
            'glue:GetPartition',
            'glue:GetPartitions',
            'glue:BatchGetPartition',
          ],
          resources: [
            glueArn('catalog'),
            glueArn('database', props.databaseName),
            glueArn('table', `${props.databaseName}/*`),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'GetDataThroughLakeFormation',
          actions: ['lakeformation:GetDataAccess'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'LocateTheResultsBucket',
          ...results.onBucket(['s3:GetBucketLocation']),
        }),
        new iam.PolicyStatement({
          sid: 'ListTheQueryResults',
          ...results.onBucket(['s3:ListBucket'], { listPrefixOnly: true }),
        }),
        new iam.PolicyStatement({
          sid: 'WriteAndReadQueryResults',
          ...results.onObjects([
            's3:PutObject',
            's3:GetObject',
            's3:AbortMultipartUpload',
            's3:ListMultipartUploadParts',
          ]),
        }),
        new iam.PolicyStatement({
          sid: 'EncryptQueryResults',
          ...results.onKey(props.dataKey, ['kms:GenerateDataKey', 'kms:Decrypt'], {
            bucketObjectsOnly: true,
          }),
        }),
      ],
    });
  }

  private acknowledgeQueryPolicy(role: iam.Role, props: PersonasProps, workgroup: string): void {
    acknowledgeWildcardResources(
      role,
      [props.athenaResultsBucket.arnForObjects(`${workgroup}/*`)],
      "Athena names each query result object itself, under the output location of the persona's own workgroup; no data lake object is in this bucket.",
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5',
      'Resource::*',
      'lakeformation:GetDataAccess takes no resource-level permissions; Lake Formation grants decide which data it vends credentials for.',
    );
    acknowledgeWildcardResources(
      role,
      [
        Stack.of(this).formatArn({
          service: 'glue',
          resource: 'table',
          resourceName: `${props.databaseName}/*`,
        }),
      ],
      'Glue metadata of every table of the governed database; Lake Formation decides which of them the persona sees.',
    );
  }
}
