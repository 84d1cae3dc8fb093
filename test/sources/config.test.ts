import { configProblems, expectValidConfig } from '../support/problems';

const IMPORTED_MYSQL = {
  mode: 'import',
  instanceIdentifier: 'legacy-mysql',
  databaseName: 'banking',
  secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-AbCdEf',
  endpointAddress: 'legacy-mysql.example.com',
  port: 3306,
  securityGroupId: 'sg-0123456789abcdef0',
};

describe('sources configuration', () => {
  test('switching to an existing database drops the settings that only a created one has', () => {
    const config = expectValidConfig({ sources: { mysql: IMPORTED_MYSQL } });
    expect(config.sources.mysql).toEqual(IMPORTED_MYSQL);
  });

  test('a setting of a created database, written for an imported one, is reported on its path', () => {
    expect(
      configProblems({ sources: { mysql: { ...IMPORTED_MYSQL, engineVersion: '8.4.10' } } }),
    ).toEqual([
      'sources.mysql.engineVersion: only mode "create" has this setting, and mode is "import"',
    ]);
  });

  test('a key that no mode has is still reported', () => {
    expect(
      configProblems({ network: { mode: 'import', vpcIdd: 'vpc-0123456789abcdef0' } }),
    ).toEqual(expect.arrayContaining(['network.vpcIdd: unknown key']));
  });

  test('an imported database needs the complete secret ARN', () => {
    expect(
      configProblems({
        sources: {
          redshift: {
            mode: 'import',
            secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dw',
            endpointAddress: 'dw.example.com',
            securityGroupId: 'sg-0123456789abcdef0',
          },
        },
      }),
    ).toContainEqual(
      'sources.redshift.secretArn: must be the complete secret ARN, ending with the six-character suffix that Secrets Manager appends',
    );
  });

  test('node types offered only in multi-node clusters need two nodes', () => {
    expect(configProblems({ sources: { redshift: { nodeType: 'ra3.4xlarge' } } })).toEqual([
      'sources.redshift.numberOfNodes: ra3.4xlarge clusters have at least 2 nodes',
    ]);
  });

  test('the default admin user of a created cluster is not Redshift\'s well-known "awsuser"', () => {
    const { redshift } = expectValidConfig().sources;
    expect(redshift.mode === 'create' && redshift.masterUsername).toBe('mladmin');
  });
});
