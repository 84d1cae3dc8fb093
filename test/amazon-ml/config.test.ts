import { configProblems, expectValidConfig } from '../support/problems';

const redshift = (fields: object) => ({
  id: 'banking-redshift',
  source: 'redshift',
  dataset: 'banking',
  stagingPrefix: 'redshift/banking/',
  targetAttribute: 'y',
  ...fields,
});

describe('amazonMl configuration', () => {
  test('the default reads banking from Redshift and from RDS MySQL, target y, existing pipeline roles', () => {
    const { amazonMl } = expectValidConfig();
    expect(amazonMl.dataPipelineRoles).toBe('existing');
    expect(
      amazonMl.datasources.map(({ source, dataset, targetAttribute, computeStatistics }) => ({
        source,
        dataset,
        targetAttribute,
        computeStatistics,
      })),
    ).toEqual([
      { source: 'redshift', dataset: 'banking', targetAttribute: 'y', computeStatistics: true },
      { source: 'mysql', dataset: 'banking', targetAttribute: 'y', computeStatistics: true },
    ]);
  });

  test.each([
    [
      'an id with a space',
      { id: 'banking redshift' },
      expect.stringMatching(/^amazonMl\.datasources\[0\]\.id: datasource ids are 1 to 48/),
    ],
    [
      'a target that is not a column read',
      { targetAttribute: 'outcome' },
      expect.stringMatching(
        /^amazonMl\.datasources\[0\]\.targetAttribute: the target attribute "outcome" is not one of the columns read \(age, job/,
      ),
    ],
    [
      'a primary key as target, when the key is not read',
      { targetAttribute: 'id' },
      expect.stringMatching(
        /^amazonMl\.datasources\[0\]\.targetAttribute: the target attribute "id"/,
      ),
    ],
    [
      'a column the dataset does not have',
      { columns: ['age', 'salary', 'y'] },
      'amazonMl.datasources[0].columns[1]: column "salary" is not a column of dataset "banking"',
    ],
    [
      'an excluded attribute that is not read',
      { columns: ['age', 'y'], excludedAttributes: ['job'] },
      expect.stringMatching(
        /^amazonMl\.datasources\[0\]\.excludedAttributes\[0\]: the excluded attribute "job" is not one of the columns read \(age, y\)$/,
      ),
    ],
    [
      'a row id that is not read',
      { columns: ['age', 'y'], rowIdAttribute: 'id' },
      expect.stringMatching(
        /^amazonMl\.datasources\[0\]\.rowIdAttribute: the row id attribute "id"/,
      ),
    ],
  ])('%s is reported with its path', (_name, fields, expected) => {
    expect(configProblems({ amazonMl: { datasources: [redshift(fields)] } })).toContainEqual(
      expected,
    );
  });

  test('a row id brings the primary key into the columns read', () => {
    const config = expectValidConfig({
      amazonMl: { datasources: [redshift({ rowIdAttribute: 'id' })] },
    });
    expect(config.amazonMl.datasources[0].rowIdAttribute).toBe('id');
  });

  test('overlapping staging prefixes are reported: Amazon ML reads everything under one', () => {
    expect(
      configProblems({
        amazonMl: {
          datasources: [
            redshift({}),
            redshift({ id: 'banking-2', stagingPrefix: 'redshift/banking/v2/' }),
          ],
        },
      }),
    ).toContainEqual(
      'amazonMl.datasources[1].stagingPrefix: "redshift/banking/v2/" overlaps the staging prefix "redshift/banking/" of datasources[0]',
    );
  });

  test('an RDS datasource in a created VPC without NAT is reported', () => {
    expect(configProblems({ network: { natGateways: 0 } })).toContainEqual(
      'amazonMl.datasources[1].source: RDS datasources run an AWS Data Pipeline instance that needs a route to AWS APIs: set network.natGateways to at least 1',
    );
  });
});
