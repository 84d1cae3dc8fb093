import { BANKING_DATASET } from '../../lib/config/dataset';
import { configProblems, expectValidConfig } from '../support/problems';

describe('replication configuration', () => {
  test('the default is valid: a replication instance that reads banking with its own user', () => {
    const { replication } = expectValidConfig();
    expect(replication).toMatchObject({
      engine: {
        mode: 'instance',
        instanceClass: 'dms.t3.medium',
        allocatedStorageGiB: 50,
        multiAz: false,
      },
      generation: 1,
      tables: ['banking'],
      dmsUser: { username: 'dms_cdc', passwordRotationDays: 30 },
      vpcEndpoints: [],
    });
  });

  test('the generation is a whole number from 1 to 9999, which keeps the DMS names within 31 characters', () => {
    // DMS API ResourceIdentifier: "up to 31 characters"; the project name has at most 20,
    // and the names are <project>-cdc-g<generation> and <project>-s3-g<generation>.
    expect(expectValidConfig({ replication: { generation: 9999 } }).replication.generation).toBe(
      9999,
    );
    expect(configProblems({ replication: { generation: 0 } })).toEqual([
      'replication.generation: Too small: expected number to be >=1',
    ]);
    expect(configProblems({ replication: { generation: 1.5 } })).toEqual([
      'replication.generation: Invalid input: expected int, received number',
    ]);
    expect(configProblems({ replication: { generation: 10_000 } })).toEqual([
      'replication.generation: Too big: expected number to be <=9999',
    ]);
    expect(`${'a'.repeat(20)}-cdc-g9999`.length).toBeLessThanOrEqual(31);
  });

  test('a project name with "--" cannot name DMS resources', () => {
    // DMS API identifiers: "Cannot end with a hyphen or contain two consecutive hyphens."
    expect(configProblems({ projectName: 'ml--foundation' })).toContainEqual(
      'projectName: names the DMS resources of the replication, whose identifiers must not contain "--"',
    );
  });

  test('a replicated dataset leaves room for the columns of its change table, and has types Athena reads', () => {
    const dataset = {
      ...BANKING_DATASET,
      columns: [
        ...BANKING_DATASET.columns,
        { name: 'generation', type: 'int' },
        { name: 'bi_id', type: 'bigint' },
        { name: 'as_of_rank', type: 'int' },
        { name: 'total', type: 'decimal(65,2)' },
      ],
    };
    // The type is reported once, by the table check every dataset gets (Glue's limit and
    // Redshift's are both 38 digits).
    expect(configProblems({ datasets: [dataset] })).toEqual([
      'datasets[0].columns[25].type: a decimal has 1 to 38 digits in Redshift and Glue',
      'datasets[0].columns[22].name: "generation" is the partition of the change table that holds the replication generation; rename the column',
      'datasets[0].columns[23].name: "bi_id" is the column DMS writes the before-image of the primary key "id" to; rename the column',
      'datasets[0].columns[24].name: "as_of_rank" starts with "as_of_", which the as-of queries name what they compute with; rename the column',
    ]);
  });

  test('a replicated dataset cannot be named like the truncation marks table', () => {
    const marks = { ...BANKING_DATASET, name: 'history_truncations' };
    expect(
      configProblems({
        datasets: [BANKING_DATASET, marks],
        replication: { tables: ['banking', 'history_truncations'] },
      }),
    ).toContainEqual(
      'datasets[1].name: "history_truncations" is the catalog table of truncation marks; a replicated dataset needs another name',
    );
  });

  test('a replicated table must be a declared dataset, listed once', () => {
    expect(configProblems({ replication: { tables: ['banking', 'loans', 'banking'] } })).toEqual([
      'replication.tables[1]: dataset "loans" is not declared in datasets',
      'replication.tables[2]: "banking" is listed twice',
    ]);
  });

  const serverless = (engine: object = {}) => ({
    replication: {
      engine: { mode: 'serverless', ...engine },
      vpcEndpoints: ['secretsmanager'],
    },
  });

  test('a file that switches to DMS Serverless drops the instance settings of the default', () => {
    expect(expectValidConfig(serverless()).replication.engine).toEqual({
      mode: 'serverless',
      capacity: { min: 1, max: 4 },
      multiAz: false,
    });
    expect(
      expectValidConfig(serverless({ capacity: { min: 2, max: 16 }, multiAz: true })).replication
        .engine,
    ).toEqual({ mode: 'serverless', capacity: { min: 2, max: 16 }, multiAz: true });
  });

  test('a setting of the other engine is reported on its path, not dropped', () => {
    expect(configProblems(serverless({ instanceClass: 'dms.r5.large' }))).toEqual([
      'replication.engine.instanceClass: only mode "instance" has this setting, and mode is "serverless"',
    ]);
    expect(configProblems({ replication: { engine: { capacity: { min: 1, max: 2 } } } })).toEqual([
      'replication.engine.capacity: only mode "serverless" has this setting, and mode is "instance"',
    ]);
  });

  test('an engine that does not exist, or the engine as a bare string, is reported on its path', () => {
    expect(configProblems({ replication: { engine: { mode: 'provisioned' } } })).toEqual([
      'replication.engine.mode: must be "instance" or "serverless"',
    ]);
    expect(configProblems({ replication: { engine: 'serverless' } })).toEqual([
      'replication.engine: must be an object whose "mode" is "instance" or "serverless"',
    ]);
  });

  test('serverless capacity uses the units DMS offers, min not above max', () => {
    expect(configProblems(serverless({ capacity: { min: 3, max: 4 } }))).toEqual([
      'replication.engine.capacity.min: must be one of 1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384',
    ]);
    expect(configProblems(serverless({ capacity: { min: 8, max: 4 } }))).toEqual([
      'replication.engine.capacity: min (8) is greater than max (4)',
    ]);
  });

  test('DMS Serverless needs a Secrets Manager endpoint', () => {
    expect(configProblems({ replication: { engine: { mode: 'serverless' } } })).toEqual([
      'replication.vpcEndpoints: DMS Serverless reaches Secrets Manager only through a VPC endpoint: add "secretsmanager"',
    ]);
    expect(expectValidConfig(serverless()).replication.engine.mode).toBe('serverless');
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
