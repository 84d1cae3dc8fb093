import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { acknowledge } from '../shared/nag';

/** Properties of {@link CrawlerAccess}. */
export interface CrawlerAccessProps {
  /** The roles of the Glue crawlers. */
  readonly roles: iam.IRole[];
  /** The database the crawlers write tables to. */
  readonly databaseName: string;
  /** The registered location the crawlers read. */
  readonly locationArn: string;
}

/**
 * What a Glue crawler needs once Lake Formation governs the catalog: to read the registered
 * location with Lake Formation's credentials (DATA_LOCATION_ACCESS and lakeformation:GetDataAccess),
 * to create tables in the database (CREATE_TABLE, DESCRIBE, ALTER on it), and to update the
 * tables it finds, including those CloudFormation declared (ALTER, DESCRIBE, SELECT on them).
 */
export class CrawlerAccess extends Construct {
  /** The grants, in the order they must deploy. */
  readonly grants: lakeformation.CfnPrincipalPermissions[] = [];
  /** The permissions of each grant, comma-separated, by `<crawler>|<resource>`. */
  readonly ledger: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: CrawlerAccessProps) {
    super(scope, id);
    if (props.roles.length === 0) return;
    const catalogId = Stack.of(this).account;

    props.roles.forEach((role, index) => {
      const principal = { dataLakePrincipalIdentifier: role.roleArn };
      const grant = (
        name: string,
        resource: lakeformation.CfnPrincipalPermissions.ResourceProperty,
        permissions: string[],
      ) => {
        this.ledger[`Crawler${index}|${name}`] = [...permissions].sort().join(',');
        return new lakeformation.CfnPrincipalPermissions(this, `Crawler${index}${name}`, {
          principal,
          resource,
          permissions,
          permissionsWithGrantOption: [],
        });
      };
      this.grants.push(
        grant('Location', { dataLocation: { catalogId, resourceArn: props.locationArn } }, [
          'DATA_LOCATION_ACCESS',
        ]),
        grant('Database', { database: { catalogId, name: props.databaseName } }, [
          'CREATE_TABLE',
          'DESCRIBE',
          'ALTER',
        ]),
        grant(
          'Tables',
          { table: { catalogId, databaseName: props.databaseName, tableWildcard: {} } },
          ['ALTER', 'DESCRIBE', 'SELECT'],
        ),
      );
    });

    const dataAccess = new iam.Policy(this, 'DataAccess', {
      roles: props.roles,
      statements: [
        new iam.PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] }),
      ],
    });
    acknowledge(
      dataAccess,
      'AwsSolutions-IAM5',
      'Resource::*',
      'lakeformation:GetDataAccess takes no resource-level permissions; Lake Formation grants decide which data it vends credentials for.',
    );
  }
}
