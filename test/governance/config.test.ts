import { configProblems, expectValidConfig } from '../support/problems';
import { catalogColumnsOf } from '../../lib/config/checks/governance';
import { BANKING_DATASET } from '../../lib/config/dataset';
import type { AppConfig } from '../../lib/config/schema';
import { BANKING_ANALYST_COLUMNS, BANKING_PERSONAL_COLUMNS } from '../../lib/governance/config';
import { selectableColumns } from '../../lib/governance/tag-model';

const tableGrant = (values: string[]) => ({
  resourceType: 'TABLE',
  permissions: ['SELECT'],
  expression: [{ key: 'role', values }],
});

type TableAssociation = AppConfig['governance']['associations']['tables'][number];

/** The problems of the default configuration with its banking table association replaced by `change(banking)`. */
function problemsWithBankingAssociation(change: (banking: TableAssociation) => unknown) {
  const banking = expectValidConfig().governance.associations.tables[0];
  return configProblems({ governance: { associations: { tables: [change(banking)] } } });
}

describe('governance configuration', () => {
  test('the default tags the database and the banking table unclassified, its columns for analysts or leaders', () => {
    const { governance } = expectValidConfig();
    expect(governance.tags).toEqual([
      { key: 'role', values: ['leader', 'analyst', 'unclassified'] },
    ]);
    expect(governance.associations.database).toEqual([{ key: 'role', value: 'unclassified' }]);
    expect(governance.associations.historyColumns).toEqual([{ key: 'role', value: 'analyst' }]);
    expect(governance.associations.tables).toEqual([
      {
        name: 'banking',
        tags: [{ key: 'role', value: 'unclassified' }],
        columns: [
          { names: BANKING_ANALYST_COLUMNS, tags: [{ key: 'role', value: 'analyst' }] },
          { names: BANKING_PERSONAL_COLUMNS, tags: [{ key: 'role', value: 'leader' }] },
        ],
      },
    ]);
    expect(governance.grants.analyst.map((grant) => grant.expression)).toEqual([
      [{ key: 'role', values: ['analyst'] }],
    ]);
    expect(governance.grants.projectLeader.map((grant) => grant.expression)).toEqual([
      [{ key: 'role', values: ['analyst', 'leader'] }],
    ]);
    expect(governance.deploymentRoleArn).toBeUndefined();
    expect(governance.changeAccountDefaults).toBe(false);
    expect(governance.deadPrincipals).toBe('fail');
  });

  test('from the tags alone, analysts select no personal column and leaders select every column', () => {
    const { governance } = expectValidConfig();
    expect(selectableColumns(governance, 'analyst', BANKING_DATASET)).toEqual(
      BANKING_ANALYST_COLUMNS,
    );
    expect(selectableColumns(governance, 'projectLeader', BANKING_DATASET)).toEqual(
      BANKING_DATASET.columns.map((column) => column.name),
    );
  });

  test('the catalog columns of a declared table are the dataset’s and the history columns', () => {
    const config = expectValidConfig();
    expect(catalogColumnsOf(config, 'banking')?.slice(-5)).toEqual([
      'op',
      'commit_ts',
      'change_seq',
      'generation',
      'bi_id',
    ]);
    expect(catalogColumnsOf(config, 'orders')).toBeUndefined();
  });

  // LF "Assigning LF-Tags to Data Catalog resources": tables inherit the database's tags,
  // columns the table's; LF best practices: tags cannot be assigned at creation. A table the
  // discovery crawler creates, or a column that appears later, carries only inherited tags, so
  // those must match no grant: fail closed.
  test('a database whose tags a TABLE grant matches is refused: new tables would be open', () => {
    expect(
      configProblems({
        governance: { associations: { database: [{ key: 'role', value: 'analyst' }] } },
      }),
    ).toEqual([
      "governance.associations.database: tables that the crawlers create inherit the database's tags, which governance.grants.analyst[0], governance.grants.projectLeader[0] match: tag the database with a value that no TABLE grant matches, such as role=unclassified",
    ]);
  });

  test('a table whose tags a TABLE grant matches is refused: new columns would be open', () => {
    expect(
      problemsWithBankingAssociation((banking) => ({
        ...banking,
        tags: [{ key: 'role', value: 'leader' }],
      })),
    ).toEqual([
      'governance.associations.tables[0].tags: columns added to table "banking" later inherit its tags, which governance.grants.projectLeader[0] match: tag the table with a value that no TABLE grant matches and tag its columns',
    ]);
  });

  // Lake Formation keeps one PrincipalPermissions per principal and resource (CloudFormation
  // reference of AWS::LakeFormation::PrincipalPermissions, "Ref" and "Remarks").
  test('two grants of a persona on the same expression are refused, whatever the order of values', () => {
    expect(
      configProblems({
        governance: {
          grants: {
            projectLeader: [
              tableGrant(['analyst', 'leader']),
              { ...tableGrant(['leader', 'analyst']), permissions: ['DESCRIBE'] },
            ],
          },
        },
      }),
    ).toEqual([
      'governance.grants.projectLeader[1]: grants 0 and 1 are on the same resource (TABLE:role=analyst,leader); Lake Formation keeps one grant per principal and resource: list every permission in one grant',
    ]);
  });

  // The as-of SQL reads the primary key and the history columns (lib/catalog/as-of-query.ts),
  // and Athena fails a query naming a column the caller may not select ("cannot be resolved or
  // requester is not authorized", metabase/metabase#40355).
  test('a persona that may read some columns of a table but not its key or history columns is refused', () => {
    expect(configProblems({ governance: { associations: { historyColumns: [] } } })).toEqual([
      'governance.grants.analyst: the analyst may read columns of "banking" but not op, commit_ts, change_seq, generation, bi_id, which its "as of" query reads: tag them with a value its grants match (history columns: governance.associations.historyColumns)',
      'governance.grants.projectLeader: the project leader may read columns of "banking" but not op, commit_ts, change_seq, generation, bi_id, which its "as of" query reads: tag them with a value its grants match (history columns: governance.associations.historyColumns)',
    ]);
  });

  test('history columns are tagged through historyColumns, not a column group', () => {
    expect(
      problemsWithBankingAssociation((banking) => ({
        ...banking,
        columns: [...banking.columns, { names: ['op'], tags: [{ key: 'role', value: 'leader' }] }],
      })),
    ).toEqual([
      'governance.associations.tables[0].columns[2].names[0]: column "op" is a history column, tagged by governance.associations.historyColumns',
    ]);
  });

  test('a workgroup name too long for the persona suffixes is refused', () => {
    expect(configProblems({ catalog: { athena: { workgroupName: 'w'.repeat(120) } } })).toEqual([
      'catalog.athena.workgroupName: under governance each query persona gets a workgroup named after this one with a suffix of up to 15 characters: use at most 113 characters',
    ]);
  });

  test('an undeclared tag value is reported where it is used', () => {
    const problems = configProblems({
      governance: {
        associations: {
          database: [{ key: 'role', value: 'intern' }],
          tables: [{ name: 'banking', tags: [{ key: 'role', value: 'unclassified' }] }],
        },
        grants: { analyst: [tableGrant(['analyst', 'guest'])] },
      },
    });
    expect(problems).toEqual([
      'governance.associations.database[0].value: "intern" is not a declared value of LF-Tag "role" (declared: leader, analyst, unclassified)',
      'governance.grants.analyst[0].expression[0].values[1]: "guest" is not a declared value of LF-Tag "role" (declared: leader, analyst, unclassified)',
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
              tags: [{ key: 'role', value: 'unclassified' }],
              columns: [{ names: ['id', 'salary'], tags: [{ key: 'role', value: 'analyst' }] }],
            },
            { name: 'orders', tags: [{ key: 'role', value: 'unclassified' }] },
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
          { key: 'role', values: ['leader', 'analyst', 'unclassified', 'leader'] },
          { key: 'role', values: ['x'] },
        ],
        associations: {
          database: [
            { key: 'role', value: 'unclassified' },
            { key: 'role', value: 'unclassified' },
          ],
          tables: [
            {
              name: 'banking',
              columns: [
                { names: ['id'], tags: [{ key: 'role', value: 'leader' }] },
                { names: ['id'], tags: [{ key: 'role', value: 'analyst' }] },
              ],
            },
          ],
        },
      },
    });
    expect(problems).toEqual([
      'governance.tags[0].values[3]: value "leader" is listed twice',
      'governance.tags[1].key: LF-Tag "role" is declared twice',
      'governance.associations.database[1].key: LF-Tag "role" is given twice; a resource has one value per key',
      'governance.associations.tables[0].columns[1].names[0]: column "id" gets LF-Tag "role" twice; a column has one value per key',
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
