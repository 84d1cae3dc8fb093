import { configProblems, expectValidConfig } from '../support/problems';
import { catalogColumnsOf } from '../../lib/config/checks/governance';
import { BANKING_PERSONAL_COLUMNS } from '../../lib/governance/config';

const tableGrant = (values: string[]) => ({
  resourceType: 'TABLE',
  permissions: ['SELECT'],
  expression: [{ key: 'role', values }],
});

describe('governance configuration', () => {
  test('the default tags the banking table for analysts and its personal columns for leaders', () => {
    const { governance } = expectValidConfig();
    expect(governance.tags).toEqual([{ key: 'role', values: ['leader', 'analyst'] }]);
    expect(governance.associations.database).toEqual([{ key: 'role', value: 'analyst' }]);
    expect(governance.associations.tables).toEqual([
      {
        name: 'banking',
        tags: [{ key: 'role', value: 'analyst' }],
        columns: [{ names: BANKING_PERSONAL_COLUMNS, tags: [{ key: 'role', value: 'leader' }] }],
      },
    ]);
    expect(governance.grants.analyst.map((grant) => grant.expression)).toEqual([
      [{ key: 'role', values: ['analyst'] }],
      [{ key: 'role', values: ['analyst'] }],
    ]);
    expect(governance.grants.projectLeader.map((grant) => grant.expression)).toEqual([
      [{ key: 'role', values: ['leader', 'analyst'] }],
      [{ key: 'role', values: ['leader', 'analyst'] }],
    ]);
    expect(governance.deploymentRoleArn).toBeUndefined();
  });

  test('the catalog columns of a declared table are the dataset’s and the DMS columns', () => {
    const config = expectValidConfig();
    expect(catalogColumnsOf(config, 'banking')?.slice(-3)).toEqual([
      'op',
      'commit_ts',
      'change_seq',
    ]);
    expect(catalogColumnsOf(config, 'orders')).toBeUndefined();
  });

  test('an undeclared tag value is reported where it is used', () => {
    const problems = configProblems({
      governance: {
        associations: {
          database: [{ key: 'role', value: 'intern' }],
          tables: [{ name: 'banking', tags: [{ key: 'role', value: 'analyst' }] }],
        },
        grants: { analyst: [tableGrant(['analyst', 'guest'])] },
      },
    });
    expect(problems).toEqual([
      'governance.associations.database[0].value: "intern" is not a declared value of LF-Tag "role" (declared: leader, analyst)',
      'governance.grants.analyst[0].expression[0].values[1]: "guest" is not a declared value of LF-Tag "role" (declared: leader, analyst)',
    ]);
  });

  test('an undeclared tag key is reported on its key', () => {
    const problems = configProblems({
      governance: {
        associations: { database: [{ key: 'sensitivity', value: 'high' }] },
        grants: {
          projectLeader: [
            {
              resourceType: 'DATABASE',
              permissions: ['DESCRIBE'],
              expression: [{ key: 'team', values: ['a'] }],
            },
          ],
        },
      },
    });
    expect(problems).toEqual([
      'governance.associations.database[0].key: LF-Tag "sensitivity" is not declared in governance.tags',
      'governance.grants.projectLeader[0].expression[0].key: LF-Tag "team" is not declared in governance.tags',
    ]);
  });

  test('a column that does not exist and a table that is not in the catalog are reported together', () => {
    const problems = configProblems({
      governance: {
        associations: {
          tables: [
            {
              name: 'banking',
              columns: [
                { names: ['age', 'salary', 'op'], tags: [{ key: 'role', value: 'leader' }] },
              ],
            },
            { name: 'orders', tags: [{ key: 'role', value: 'analyst' }] },
          ],
        },
      },
    });
    expect(problems).toEqual([
      'governance.associations.tables[0].columns[0].names[1]: table "banking" has no column "salary"',
      'governance.associations.tables[1].name: table "orders" is not in the catalog: the catalog declares the tables of replication.tables (banking)',
    ]);
  });

  test('a persona with no principal names the persona', () => {
    expect(configProblems({ governance: { personas: { analyst: { principals: [] } } } })).toEqual([
      'governance.personas.analyst.principals: a persona needs at least one principal that can assume it',
    ]);
  });

  test('a principal that is not an IAM ARN, and a deployment role that is not a role, are refused', () => {
    expect(
      configProblems({
        governance: {
          personas: { projectLeader: { principals: ['alice'] } },
          deploymentRoleArn: 'arn:aws:iam::111122223333:user/deployer',
        },
      }),
    ).toEqual([
      'governance.deploymentRoleArn: must be an IAM role ARN',
      'governance.personas.projectLeader.principals[0]: must be "account" (any principal of this account) or an IAM role, user or account root ARN (arn:aws:iam::123456789012:role/Name)',
    ]);
  });

  test('tags declared twice, a resource tagged twice with one key and a column tagged twice are refused', () => {
    const problems = configProblems({
      governance: {
        tags: [
          { key: 'role', values: ['leader', 'analyst', 'leader'] },
          { key: 'role', values: ['x'] },
        ],
        associations: {
          database: [
            { key: 'role', value: 'analyst' },
            { key: 'role', value: 'leader' },
          ],
          tables: [
            {
              name: 'banking',
              columns: [
                { names: ['age'], tags: [{ key: 'role', value: 'leader' }] },
                { names: ['age'], tags: [{ key: 'role', value: 'analyst' }] },
              ],
            },
          ],
        },
      },
    });
    expect(problems).toEqual([
      'governance.tags[0].values[2]: value "leader" is listed twice',
      'governance.tags[1].key: LF-Tag "role" is declared twice',
      'governance.associations.database[1].key: LF-Tag "role" is given twice; a resource has one value per key',
      'governance.associations.tables[0].columns[1].names[0]: column "age" gets LF-Tag "role" twice; a column has one value per key',
    ]);
  });

  test('LF-Tag text must be lower case, and permissions must suit the resource type', () => {
    const problems = configProblems({
      governance: {
        tags: [{ key: 'Role', values: ['leader'] }],
        grants: {
          analyst: [
            {
              resourceType: 'DATABASE',
              permissions: ['SELECT'],
              expression: [{ key: 'role', values: ['leader'] }],
            },
          ],
        },
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'governance.tags[0].key: LF-Tag keys use lower-case letters, digits and _ . : / = + - @ %',
        expect.stringMatching(/^governance\.grants\.analyst\[0\]\.permissions\[0\]: /),
      ]),
    );
  });

  test('no grant can name the data lake admin, whose grants could not be revoked', () => {
    expect(configProblems({ governance: { grants: { dataLakeAdmin: [] } } })).toEqual([
      'governance.grants.dataLakeAdmin: unknown key',
    ]);
  });

  test('governance that is switched off is not checked against the catalog', () => {
    const config = expectValidConfig({
      features: { governance: false },
      governance: {
        associations: { tables: [{ name: 'orders', tags: [{ key: 'role', value: 'x' }] }] },
      },
    });
    expect(config.features.governance).toBe(false);
  });
});
