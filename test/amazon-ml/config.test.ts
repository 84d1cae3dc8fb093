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
  test('the default reads banking from Redshift and from RDS MySQL, target y, dedicated pipeline roles', () => {
    // Data Pipeline DG, "IAM Roles for AWS Data Pipeline": the default roles exist only where
    // the console created them (before October 3, 2022); roles of other names are allowed.
    const { amazonMl } = expectValidConfig();
    expect(amazonMl.dataPipelineRoles).toBe('dedicated');
    expect(amazonMl.complements).toEqual([]);
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

  test('"create", the fixed account-wide names, is no longer a mode: it collides where they exist', () => {
    expect(configProblems({ amazonMl: { dataPipelineRoles: 'create' } })).toEqual([
      'amazonMl.dataPipelineRoles: Invalid option: expected one of "dedicated"|"existing"',
    ]);
  });

  test('staged exports do not expire: the option is gone', () => {
    // Amazon ML DG, "Required Parameters for the Create Datasource Wizard": "After creating the
    // datasource, Amazon ML uses the data in the staging location"; the handler deletes it with
    // the datasource instead.
    expect(configProblems({ storage: { amazonMlStagingExpirationDays: 90 } })).toEqual([
      'storage.amazonMlStagingExpirationDays: unknown key',
    ]);
  });

  describe('dataRearrangement', () => {
    const split = (dataRearrangement: object) =>
      configProblems({ amazonMl: { datasources: [redshift({ dataRearrangement })] } });

    // API reference, RedshiftDataSpec/RDSDataSpec DataRearrangement: percentBegin and percentEnd
    // bound the share; strategy "random" takes "a string that is used as the seed value".
    test.each([
      [
        'an empty range',
        { percentBegin: 70, percentEnd: 70 },
        'amazonMl.datasources[0].dataRearrangement.percentEnd: percentEnd (70) must be greater than percentBegin (70)',
      ],
      [
        'a percentage above 100',
        { percentBegin: 0, percentEnd: 101 },
        'amazonMl.datasources[0].dataRearrangement.percentEnd: Too big: expected number to be <=100',
      ],
      [
        'a fraction',
        { percentBegin: 0.5, percentEnd: 70 },
        'amazonMl.datasources[0].dataRearrangement.percentBegin: Invalid input: expected int, received number',
      ],
      [
        'a seed without the random strategy',
        { percentBegin: 0, percentEnd: 70, randomSeed: 'x' },
        'amazonMl.datasources[0].dataRearrangement.randomSeed: a randomSeed needs strategy "random"',
      ],
    ])('%s is reported with its path', (_name, dataRearrangement, expected) => {
      expect(split(dataRearrangement)).toContainEqual(expected);
    });

    test('0 to 70 %, random, is valid', () => {
      const config = expectValidConfig({
        amazonMl: {
          datasources: [
            redshift({
              dataRearrangement: { percentBegin: 0, percentEnd: 70, strategy: 'random' },
            }),
          ],
        },
      });
      expect(config.amazonMl.datasources[0].dataRearrangement).toEqual({
        percentBegin: 0,
        percentEnd: 70,
        strategy: 'random',
      });
    });
  });

  describe('complements', () => {
    const train = redshift({
      id: 'banking-train',
      dataRearrangement: { percentBegin: 0, percentEnd: 70 },
    });
    const complements = (list: object[], datasources: object[] = [train]) =>
      configProblems({ amazonMl: { datasources, complements: list } });

    test.each([
      [
        'a datasource that does not exist',
        [{ id: 'banking-evaluate', complementOf: 'banking-test' }],
        [train],
        'amazonMl.complements[0].complementOf: "banking-test" is not the id of a datasource in amazonMl.datasources (banking-train)',
      ],
      [
        'a datasource that reads every row',
        [{ id: 'banking-evaluate', complementOf: 'banking-redshift' }],
        [redshift({})],
        'amazonMl.complements[0].complementOf: datasource "banking-redshift" reads every row (it has no dataRearrangement), so there are no other rows to read',
      ],
      [
        'a second complement of one split',
        [
          { id: 'banking-evaluate', complementOf: 'banking-train' },
          { id: 'banking-evaluate-2', complementOf: 'banking-train' },
        ],
        [train],
        'amazonMl.complements[1].complementOf: complements[0] already reads the other rows of "banking-train"',
      ],
      [
        'an id a datasource has',
        [{ id: 'banking-train', complementOf: 'banking-train' }],
        [train],
        'amazonMl.complements[0].id: datasource id "banking-train" is used twice',
      ],
    ])('naming %s is reported with its path', (_name, list, datasources, expected) => {
      expect(complements(list, datasources)).toContainEqual(expected);
    });

    test('a complement of a split datasource is valid', () => {
      const config = expectValidConfig({
        amazonMl: {
          datasources: [train],
          complements: [{ id: 'banking-evaluate', complementOf: 'banking-train' }],
        },
      });
      expect(config.amazonMl.complements).toEqual([
        { id: 'banking-evaluate', complementOf: 'banking-train', computeStatistics: true },
      ]);
    });
  });

  test('an RDS datasource in a created VPC without NAT is reported', () => {
    expect(configProblems({ network: { natGateways: 0 } })).toContainEqual(
      'amazonMl.datasources[1].source: RDS datasources run an AWS Data Pipeline instance that needs a route to AWS APIs: set network.natGateways to at least 1',
    );
  });
});
