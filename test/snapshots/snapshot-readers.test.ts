import { BANKING_DATASET } from '../../lib/config/dataset';
import { BANKING_PERSONAL_COLUMNS } from '../../lib/governance/config';
import { QUERY_PERSONAS } from '../../lib/governance/tag-model';
import { snapshotReaders } from '../../lib/snapshots/snapshot-readers';
import { expectValidConfig } from '../support/problems';

/*
 * Who may read a snapshot, from the LF-Tags and the grants as the governance tag model
 * evaluates them (a column's tag for a key is its own, else its table's, else its database's:
 * https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-assigning-tags.html; a TABLE grant
 * with SELECT covers a column whose tags match every key of its expression). A file cannot hide a
 * column (Lake Formation governs the credentials it vends, not a principal's own S3 reads), so
 * a persona reads a snapshot only when it may SELECT every column of it.
 */

describe('who reads a snapshot', () => {
  test('with the default governance, the project leader reads banking snapshots and the analyst does not', () => {
    const { governance, datasets } = expectValidConfig();
    expect(snapshotReaders(governance, QUERY_PERSONAS, datasets[0])).toEqual([
      { persona: 'analyst', canRead: false, missingColumns: BANKING_PERSONAL_COLUMNS },
      { persona: 'projectLeader', canRead: true, missingColumns: [] },
    ]);
  });

  test('a persona whose grants cover every column reads it; one column short, it does not', () => {
    const leaderValues = { key: 'role', values: ['leader', 'analyst'] };
    const { governance } = expectValidConfig({
      governance: {
        grants: {
          analyst: [
            {
              resourceType: 'TABLE',
              permissions: ['SELECT', 'DESCRIBE'],
              expression: [leaderValues],
            },
          ],
        },
      },
    });
    expect(snapshotReaders(governance, ['analyst'], BANKING_DATASET)[0]).toEqual({
      persona: 'analyst',
      canRead: true,
      missingColumns: [],
    });
    const narrower = {
      ...BANKING_DATASET,
      columns: [...BANKING_DATASET.columns, { name: 'untagged', type: 'int' }],
    };
    // A column nobody tagged carries the table's `unclassified`, which no grant matches.
    expect(snapshotReaders(governance, ['analyst'], narrower)[0]).toEqual({
      persona: 'analyst',
      canRead: false,
      missingColumns: ['untagged'],
    });
  });
});
