import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { datasetNamed } from '../../lib/config/dataset';
import { ConfigError, mergeConfig, parseConfig, resolveConfig } from '../../lib/config/load-config';
import { configProblems, expectValidConfig, problemsThrownBy } from '../support/problems';

const IMPORTED_NETWORK = {
  mode: 'import',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  privateSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
};

describe('configuration', () => {
  test('the built-in default is valid and turns every capability on', () => {
    const config = parseConfig();
    expect(config.features).toEqual({
      amazonMl: true,
      replication: true,
      governance: true,
      edge: true,
    });
    expect(config.storage.removalPolicy).toBe('retain');
  });

  test('the default dataset is the banking table of the Amazon ML tutorials', () => {
    const [banking] = parseConfig().datasets;
    expect(banking.name).toBe('banking');
    expect(banking.columns.map((column) => column.name)).toEqual([
      'id',
      'age',
      'job',
      'marital',
      'education',
      'default',
      'housing',
      'loan',
      'contact',
      'month',
      'day_of_week',
      'duration',
      'campaign',
      'pdays',
      'previous',
      'poutcome',
      'emp_var_rate',
      'cons_price_idx',
      'cons_conf_idx',
      'euribor3m',
      'nr_employed',
      'y',
    ]);
  });

  test('a user file is merged over the default: objects by key, arrays replaced', () => {
    const config = parseConfig({ features: { edge: false }, replication: { tables: ['banking'] } });
    expect(config.features).toEqual({
      amazonMl: true,
      replication: true,
      governance: true,
      edge: false,
    });
    expect(mergeConfig({ a: [1, 2], b: { c: 1, d: 2 } }, { a: [3], b: { d: 4 } })).toEqual({
      a: [3],
      b: { c: 1, d: 4 },
    });
  });

  test('an unknown key, a bad bucket name and a string switch are reported together, each with its path', () => {
    const problems = configProblems({
      storage: { bucketNames: { dataLake: 'My_Bucket' }, retention: 'forever' },
      features: { amazonMl: 'yes' },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'storage.retention: unknown key',
        expect.stringMatching(
          /^storage\.bucketNames\.dataLake: bucket names use lower-case letters/,
        ),
        'features.amazonMl: Invalid input: expected boolean, received string',
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  test('the error message lists every problem on its own line', () => {
    expect(() => parseConfig({ projectName: 'X', nope: true })).toThrow(
      /Invalid configuration \(inline configuration\): 2 problems\n {2}- projectName: .+\n {2}- nope: unknown key/,
    );
  });

  test.each([
    [
      'a bucket that the app does not have',
      { storage: { bucketNames: { staging: 'x' } } },
      'storage.bucketNames.staging: unknown key',
    ],
    [
      'a bucket name with adjacent dots',
      { storage: { bucketNames: { dataLake: 'a..b' } } },
      'storage.bucketNames.dataLake: bucket names must not contain two adjacent dots',
    ],
    [
      'a bucket name like an IP address',
      { storage: { bucketNames: { dataLake: '192.168.1.1' } } },
      'storage.bucketNames.dataLake: bucket names must not look like an IP address',
    ],
    [
      'an RDS identifier with a double hyphen',
      { sources: { mysql: { instanceIdentifier: 'my--db' } } },
      expect.stringMatching(/^sources\.mysql\.instanceIdentifier: DB instance identifiers/),
    ],
    [
      'an upper-case Redshift cluster identifier',
      { sources: { redshift: { clusterIdentifier: 'MyCluster' } } },
      expect.stringMatching(/^sources\.redshift\.clusterIdentifier: Redshift cluster identifiers/),
    ],
    [
      'a negative expiration',
      { storage: { athenaResultsExpirationDays: -1 } },
      expect.stringMatching(/^storage\.athenaResultsExpirationDays: /),
    ],
    [
      'an unknown column type',
      {
        datasets: [
          {
            name: 't',
            mysqlDatabase: 'd',
            primaryKey: ['a'],
            columns: [{ name: 'a', type: 'blob' }],
          },
        ],
        amazonMl: { datasources: [] },
        replication: { tables: ['t'] },
      },
      expect.stringMatching(/^datasets\[0\]\.columns\[0\]\.type: must be one of/),
    ],
    [
      'a primary key that is not a column',
      {
        datasets: [
          {
            name: 'banking',
            mysqlDatabase: 'd',
            primaryKey: ['nope'],
            columns: [{ name: 'a', type: 'int' }],
          },
        ],
      },
      'datasets[0].primaryKey[0]: primary key column "nope" is not one of the dataset\'s columns',
    ],
    [
      'a datasource over an undeclared dataset',
      {
        amazonMl: {
          datasources: [{ id: 'x', source: 'mysql', dataset: 'nope', stagingPrefix: 'x/' }],
        },
      },
      'amazonMl.datasources[0].dataset: dataset "nope" is not declared in datasets',
    ],
    [
      'governance without the catalog',
      { features: { replication: false } },
      'features.governance: governance needs the catalog, which comes with features.replication',
    ],
    [
      'route tables that do not match the subnets of an existing VPC',
      { network: { ...IMPORTED_NETWORK, privateSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60718'] } },
      'network.privateSubnetRouteTableIds: needs one route table per private subnet, in the same order',
    ],
    [
      'an S3 gateway endpoint in an existing VPC without its route tables',
      { network: IMPORTED_NETWORK, replication: { vpcEndpoints: ['s3'] } },
      'replication.vpcEndpoints: an S3 gateway endpoint in an existing VPC needs its route tables: set network.privateSubnetRouteTableIds',
    ],
  ])('%s is reported with its path', (_name, override, expected) => {
    expect(configProblems(override)).toContainEqual(expected);
  });

  test.each([
    [
      'amazonMl',
      {
        amazonMl: {
          datasources: [{ id: 'x', source: 'mysql', dataset: 'nope', stagingPrefix: 'x/' }],
        },
      },
      {},
    ],
    // Governance needs the catalog, which comes with replication.
    ['replication', { replication: { tables: ['nope'] } }, { governance: false }],
    [
      'governance',
      { governance: { associations: { tables: [{ name: 'orders', tags: [] }] } } },
      {},
    ],
    ['edge', { edge: { inferenceClient: { componentName: 'part-inspection-model' } } }, {}],
  ] as const)(
    'the cross-section checks of %s run only while it is on, so that its section does not block the rest',
    (feature, overrides, alsoOff) => {
      expect(configProblems(overrides)).toContainEqual(expect.stringMatching(`^${feature}\\.`));
      const off = expectValidConfig({ ...overrides, features: { [feature]: false, ...alsoOff } });
      expect(off.features[feature]).toBe(false);
    },
  );

  test('a lookup of an undeclared dataset is a defect that names the declared ones', () => {
    const { datasets } = expectValidConfig();
    expect(datasetNamed(datasets, 'banking').name).toBe('banking');
    expect(() => datasetNamed(datasets, 'loans')).toThrow(
      'dataset "loans" is not declared in datasets (declared: banking)',
    );
  });

  test('a structural problem and a cross-reference problem are reported in one error', () => {
    const problems = configProblems({
      projectName: 'Bad Name',
      amazonMl: {
        datasources: [{ id: 'x', source: 'mysql', dataset: 'nope', stagingPrefix: 'x/' }],
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^projectName: /),
      'amazonMl.datasources[0].dataset: dataset "nope" is not declared in datasets',
    ]);
  });

  describe('resolveConfig', () => {
    test('reads a file named by the context', () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'config-')), 'config.json');
      fs.writeFileSync(file, JSON.stringify({ features: { edge: false } }));
      expect(resolveConfig(file).features.edge).toBe(false);
    });

    test('accepts an inline object (cdk.json) and a JSON string (-c config=...)', () => {
      expect(resolveConfig({ features: { edge: false } }).features.edge).toBe(false);
      expect(resolveConfig('{"features":{"edge":false}}').features.edge).toBe(false);
    });

    test('falls back to the built-in default', () => {
      expect(resolveConfig(undefined).projectName).toBe('ml-foundation');
    });

    test('reports a missing file and invalid JSON plainly', () => {
      expect(
        problemsThrownBy(ConfigError, () => resolveConfig('/nonexistent/config.json'))[0],
      ).toMatch(/^cannot read the file: /);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'config-')), 'bad.json');
      fs.writeFileSync(file, '{ "features": ');
      expect(problemsThrownBy(ConfigError, () => resolveConfig(file))[0]).toMatch(
        /^not valid JSON: /,
      );
    });
  });
});
