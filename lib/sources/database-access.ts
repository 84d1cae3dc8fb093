import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** How clients reach a database: its address, its security group and its credentials. */
export interface DatabaseAccess {
  readonly endpointAddress: string;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly secret: secretsmanager.ISecret;
}

/** The configuration of an existing database's access. */
export interface ImportedDatabaseAccessConfig {
  readonly endpointAddress: string;
  readonly securityGroupId: string;
  readonly secretArn: string;
}

/** The access to an existing database, as its configuration names it. */
export function importedDatabaseAccess(
  scope: Construct,
  config: ImportedDatabaseAccessConfig,
): DatabaseAccess {
  return {
    endpointAddress: config.endpointAddress,
    securityGroup: ec2.SecurityGroup.fromSecurityGroupId(
      scope,
      'SecurityGroup',
      config.securityGroupId,
    ),
    secret: secretsmanager.Secret.fromSecretCompleteArn(scope, 'Secret', config.secretArn),
  };
}

/** The security group of a created database: no outbound traffic, clients admitted one by one. */
export function databaseSecurityGroup(
  scope: Construct,
  vpc: ec2.IVpc,
  databaseDescription: string,
): ec2.SecurityGroup {
  return new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: `${databaseDescription}: clients are admitted one by one`,
    allowAllOutbound: false,
  });
}

/**
 * Characters left out of the passwords the app generates for database users: they break
 * connection strings, URLs or quoting in some client, and AWS DMS refuses `;`, `.`, `:` and `+`
 * in endpoint passwords ("AWS DMS doesn't allow these characters in passwords used for endpoint
 * credentials", AWS DMS User Guide, "Using secrets to access AWS DMS endpoints").
 */
export const GENERATED_PASSWORD_EXCLUDED_CHARACTERS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\,=.';
