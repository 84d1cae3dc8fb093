import { configProblems, expectValidConfig } from '../support/problems';

describe('replication configuration', () => {
  test('the default is valid: a replication instance that reads banking with its own user', () => {
    const { replication } = expectValidConfig();
    expect(replication).toMatchObject({
      engine: 'instance',
      tables: ['banking'],
      dmsUser: { username: 'dms_cdc', passwordRotationDays: 30 },
      vpcEndpoints: [],
    });
  });

  test('a replicated table must be a declared dataset, listed once', () => {
    expect(configProblems({ replication: { tables: ['banking', 'loans', 'banking'] } })).toEqual([
      'replication.tables[1]: dataset "loans" is not declared in datasets',
      'replication.tables[2]: "banking" is listed twice',
    ]);
  });

  test('serverless capacity uses the units DMS offers, min not above max', () => {
    expect(configProblems({ replication: { serverlessCapacity: { min: 3, max: 4 } } })).toEqual([
      'replication.serverlessCapacity.min: must be one of 1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384',
    ]);
    expect(configProblems({ replication: { serverlessCapacity: { min: 8, max: 4 } } })).toEqual([
      'replication.serverlessCapacity: min (8) is greater than max (4)',
    ]);
  });

  test('DMS Serverless needs a Secrets Manager endpoint', () => {
    expect(configProblems({ replication: { engine: 'serverless' } })).toEqual([
      'replication.vpcEndpoints: DMS Serverless reaches Secrets Manager only through a VPC endpoint: add "secretsmanager"',
    ]);
    expect(
      expectValidConfig({ replication: { engine: 'serverless', vpcEndpoints: ['secretsmanager'] } })
        .replication.engine,
    ).toBe('serverless');
  });

  test('a VPC without NAT needs a Secrets Manager endpoint', () => {
    const withoutNat = configProblems({ network: { natGateways: 0 } });
    expect(withoutNat.filter((problem) => problem.startsWith('replication.'))).toEqual([
      'replication.vpcEndpoints: without NAT gateways (network.natGateways is 0), DMS and the setup functions reach Secrets Manager only through a VPC endpoint: add "secretsmanager"',
    ]);
    expect(
      configProblems({
        network: { natGateways: 0 },
        replication: { vpcEndpoints: ['secretsmanager'] },
      }),
    ).not.toContainEqual(expect.stringMatching(/^replication\./));
  });

  test('the DMS user is not the master user', () => {
    expect(configProblems({ replication: { dmsUser: { username: 'MLADMIN' } } })).toEqual([
      'replication.dmsUser.username: must differ from the MySQL master user "mladmin": DMS reads with its own, narrower user',
    ]);
  });
});
