import { BANKING_DATASET } from '../../lib/config/dataset';
import { BANKING_PERSONAL_COLUMNS } from '../../lib/governance/config';
import { columnTags, snapshotReaders } from '../../lib/snapshots/snapshot-readers';
import { expectValidConfig } from '../support/problems';

/*
 * Who may read a snapshot, from the LF-Tags and the grants, as Lake Formation evaluates them:
 * a column's tag for a key is its own, else its table's, else its database's ("If a table
 * inherits a LF-Tag from a database or a column inherits a LF-Tag from a table, you can override
 * the inherited value by assigning a new value to the LF-Tag key",
 * https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-assigning-tags.html); a TABLE grant
 * with SELECT covers a column whose tags match every key of its expression. A file cannot hide a
 * column (Lake Formation governs the credentials it vends, not a principal's own S3 reads), so
 * a persona reads a snapshot only when it may SELECT every column of it.
 */

const BANKING_COLUMNS = BANKING_DATASET.columns.map((column) => column.name);

describe('who reads a snapshot', () => {
  test('with the default governance, the project leader reads banking snapshots and the analyst does not', () => {
    const { governance } = expectValidConfig();
    const verdicts = snapshotReaders(
      governance,
      [
        { persona: 'analyst', grants: governance.grants.analyst },
        { persona: 'projectLeader', grants: governance.grants.projectLeader },
      ],
      'banking',
      BANKING_COLUMNS,
    );
    expect(verdicts).toEqual([
      { persona: 'analyst', canRead: false, missingColumns: BANKING_PERSONAL_COLUMNS },
      { persona: 'projectLeader', canRead: true, missingColumns: [] },
    ]);
  });

  test('a column takes its own tag over its table’s, and the table’s over the database’s', () => {
    const tags = columnTags(
      {
        associations: {
          database: [
            { key: 'role', value: 'analyst' },
            { key: 'region', value: 'eu' },
          ],
          tables: [
            {
              name: 'banking',
              tags: [{ key: 'role', value: 'leader' }],
              columns: [{ names: ['age'], tags: [{ key: 'role', value: 'analyst' }] }],
            },
          ],
        },
      },
      'banking',
      ['id', 'age'],
    );
    expect(
      Object.fromEntries([...tags].map(([column, map]) => [column, Object.fromEntries(map)])),
    ).toEqual({
      id: { role: 'leader', region: 'eu' },
      age: { role: 'analyst', region: 'eu' },
    });
  });

  test('only SELECT on tables counts, and every key of an expression must match', () => {
    const associations = {
      database: [{ key: 'role', value: 'analyst' }],
      tables: [{ name: 'banking', tags: [{ key: 'region', value: 'eu' }], columns: [] }],
    };
    const verdict = (grants: Parameters<typeof snapshotReaders>[1][number]['grants']) =>
      snapshotReaders({ associations }, [{ persona: 'p', grants }], 'banking', ['id'])[0].canRead;
    expect(
      verdict([
        {
          resourceType: 'TABLE',
          permissions: ['DESCRIBE'],
          expression: [{ key: 'role', values: ['analyst'] }],
        },
      ]),
    ).toBe(false);
    expect(
      verdict([
        {
          resourceType: 'DATABASE',
          permissions: ['DESCRIBE'],
          expression: [{ key: 'role', values: ['analyst'] }],
        },
      ]),
    ).toBe(false);
    expect(
      verdict([
        {
          resourceType: 'TABLE',
          permissions: ['SELECT'],
          expression: [
            { key: 'role', values: ['analyst'] },
            { key: 'region', values: ['us'] },
          ],
        },
      ]),
    ).toBe(false);
    expect(
      verdict([
        {
          resourceType: 'TABLE',
          permissions: ['SELECT'],
          expression: [
            { key: 'role', values: ['analyst'] },
            { key: 'region', values: ['eu', 'us'] },
          ],
        },
      ]),
    ).toBe(true);
  });
});
