import { Template } from 'aws-cdk-lib/assertions';
import { DMS_PASSWORD_EXCLUDED_CHARACTERS } from '../../lib/replication/source-database-setup';
import { GENERATED_PASSWORD_EXCLUDED_CHARACTERS } from '../../lib/sources/database-access';
import type { Json } from '../support/template-resources';
import { onlyResource, resourcesOf } from '../support/template-resources';
import { buildTestFoundation } from '../support/test-app';

/**
 * AWS DMS User Guide, "Using secrets to access AWS DMS endpoints": "add the following four
 * characters to the value of the EXCLUDE_CHARACTERS environment variable. ;.:+ AWS DMS doesn't
 * allow these characters in passwords used for endpoint credentials."
 */
const DMS_REFUSED = [';', '.', ':', '+'];

describe('the MySQL change capture setup', () => {
  const { stacks } = buildTestFoundation();
  const template = Template.fromStack(stacks.replication!);
  const secret = () => onlyResource(template, 'AWS::SecretsManager::Secret');
  const setup = () => onlyResource(template, 'Custom::MySqlChangeCaptureSetup');

  test('the DMS user password, generated and rotated, holds none of the characters DMS refuses', () => {
    // With "." allowed, 1 - (65/66)^32 = 39 % of 32-character passwords broke the capture.
    const generated: string = secret().Properties.GenerateSecretString.ExcludeCharacters;
    const [rotation] = resourcesOf(template, 'AWS::SecretsManager::RotationSchedule');
    const rotated: string = rotation.Properties.HostedRotationLambda.ExcludeCharacters;
    for (const excluded of [generated, rotated, DMS_PASSWORD_EXCLUDED_CHARACTERS]) {
      for (const character of DMS_REFUSED) expect(excluded).toContain(character);
    }
    expect(generated).toBe(GENERATED_PASSWORD_EXCLUDED_CHARACTERS);
    expect(rotated).toBe(generated);
  });

  test('a change in how the password is generated runs the setup again, which gives the user the new password', () => {
    expect(setup().Properties.DmsUserSecretSettings).toMatch(/^[0-9a-f]{16}$/);
  });

  test('the rotation connects with TLS only', () => {
    // The hosted rotation function (SecretsManagerRDSMySQLRotationSingleUser, get_ssl_config):
    // without an "ssl" key it tries TLS and falls back to a plain connection; "ssl": true means
    // TLS only. Whether its CA store holds the RDS certificate authorities is not documented:
    // if not, the rotation fails and Secrets Manager keeps the current password.
    expect(JSON.stringify(secret().Properties.GenerateSecretString.SecretStringTemplate)).toContain(
      '\\"ssl\\":true',
    );
  });

  test('the setup is deleted before every 3306 rule it connects through', () => {
    // CloudFormation deletes a resource before what it depends on, and in any order what it
    // does not: without DependsOn the rules could go first, and the delete that drops the DMS
    // user would time out.
    const setupGroup = onlyResource(template, 'AWS::EC2::SecurityGroup', (group) =>
      group.id.startsWith('SourceDatabaseSetupSecurityGroup'),
    ).id;
    const references = (value: Json) => JSON.stringify(value).includes(`"${setupGroup}"`);
    const rules = [
      ...resourcesOf(template, 'AWS::EC2::SecurityGroupEgress'),
      ...resourcesOf(template, 'AWS::EC2::SecurityGroupIngress'),
    ].filter((rule) => rule.Properties.FromPort === 3306 && references(rule.Properties));
    expect(rules.length).toBeGreaterThanOrEqual(2);
    expect(setup().DependsOn).toEqual(expect.arrayContaining(rules.map((rule) => rule.id)));
  });

  test('the setup waits for the source tables, so that DMS starts on loaded tables', () => {
    const dependencies = stacks.replication!.sourceSetup.resource.node.dependencies;
    expect(dependencies).toContain(stacks.sources!.mysql.tablesReady);
  });
});
