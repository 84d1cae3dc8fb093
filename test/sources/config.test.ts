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
    // The reader user is a setting of both modes: the default's name carries over.
    expect(config.sources.mysql).toEqual({ ...IMPORTED_MYSQL, readerUsername: 'mlreader' });
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

describe('sources.mysql.engineVersion', () => {
  test('a version RDS withdrew is refused with the supported versions', () => {
    // aws-cdk-lib 2.276 MysqlEngineVersion.VER_8_0_40: "@deprecated MySQL 8.0.40 is no longer
    // supported by Amazon RDS." RDS answers "Cannot find version 8.0.40 for mysql".
    const [problem] = configProblems({ sources: { mysql: { engineVersion: '8.0.40' } } });
    expect(problem).toMatch(
      /^sources\.mysql\.engineVersion: MySQL 8\.0\.40 is no longer supported by Amazon RDS \(aws-cdk-lib \d+\.\d+\.\d+ deprecates MysqlEngineVersion\.VER_8_0_40\): use one of 8\.4\.10, /,
    );
    expect(problem).not.toMatch(/8\.0\.41|8\.4\.4\b/);
  });

  test('a version aws-cdk-lib does not name, or a major-only one, is refused', () => {
    expect(configProblems({ sources: { mysql: { engineVersion: '8.4.99' } } })).toEqual([
      expect.stringMatching(
        /^sources\.mysql\.engineVersion: aws-cdk-lib \S+ names no MySQL version 8\.4\.99: use one of 8\.4\.10/,
      ),
    ]);
    expect(configProblems({ sources: { mysql: { engineVersion: '8.0' } } })).toEqual([
      expect.stringMatching(
        /^sources\.mysql\.engineVersion: MySQL 8\.0 is not a full 8\.0 or 8\.4 version/,
      ),
    ]);
  });

  test('the default is a current 8.4 release', () => {
    const { mysql } = expectValidConfig().sources;
    expect(mysql.mode === 'create' && mysql.engineVersion).toBe('8.4.10');
  });
});

describe('sample data and tables', () => {
  test('is loaded into created databases by default, and refused for an existing one', () => {
    const { mysql, redshift } = expectValidConfig().sources;
    expect(mysql.mode === 'create' && mysql.sampleData).toBe(true);
    expect(redshift.mode === 'create' && redshift.sampleData).toBe(true);
    expect(configProblems({ sources: { mysql: { ...IMPORTED_MYSQL, sampleData: true } } })).toEqual(
      ['sources.mysql.sampleData: only mode "create" has this setting, and mode is "import"'],
    );
  });

  test('a dataset whose table cannot be created, or the sample not loaded, fails at synth with its path', () => {
    const banking = expectValidConfig().datasets[0];
    const columns = banking.columns.map((column) =>
      column.name === 'duration' ? { ...column, type: 'tinyint' } : column,
    );
    expect(configProblems({ datasets: [{ ...banking, columns }] })).toEqual([
      expect.stringMatching(
        /^datasets\[0\]\.columns\[11\]\.type: the built-in "banking" sample does not fit tinyint: /,
      ),
    ]);
    expect(
      configProblems({
        datasets: [
          {
            ...banking,
            primaryKey: ['job'],
            columns: banking.columns.map((c) => (c.name === 'job' ? { ...c, type: 'text' } : c)),
          },
        ],
      }),
    ).toContainEqual(
      'datasets[0].primaryKey[0]: "job" is a text column, which MySQL cannot index whole: declare it varchar(n)',
    );
  });

  test('without the sample, the same dataset is accepted', () => {
    const banking = expectValidConfig().datasets[0];
    const columns = banking.columns.map((column) =>
      column.name === 'duration' ? { ...column, type: 'tinyint' } : column,
    );
    expectValidConfig({
      datasets: [{ ...banking, columns }],
      sources: { mysql: { sampleData: false }, redshift: { sampleData: false } },
    });
  });

  test('the MySQL setup function of a created instance needs a NAT gateway to reach Secrets Manager', () => {
    expect(configProblems({ network: { natGateways: 0 } })).toContainEqual(
      'network.natGateways: the function that creates the dataset tables in the created MySQL instance reads its admin secret from Secrets Manager through a NAT gateway: set network.natGateways to at least 1',
    );
  });
});

describe('sources.redshift.publiclyAccessible', () => {
  test('false, while a datasource reads Redshift, is a configuration error naming the fix', () => {
    // Amazon ML Developer Guide, "Creating an Amazon ML Amazon Redshift IAM Role": Amazon ML
    // configures access "from the list of IP addresses (CIDRs) associated with Amazon ML"; a
    // private cluster in isolated subnets is out of its reach.
    expect(configProblems({ sources: { redshift: { publiclyAccessible: false } } })).toEqual([
      'sources.redshift.publiclyAccessible: is false, but amazonMl.datasources[0] reads Redshift, and Amazon ML connects to a cluster from its own address ranges: leave it unset (or true) for a public endpoint that admits only Amazon ML and requires TLS, or read the dataset from MySQL',
    ]);
    expectValidConfig({
      features: { amazonMl: false },
      sources: { redshift: { publiclyAccessible: false } },
    });
  });

  test('a public cluster needs public subnets', () => {
    expect(configProblems({ network: { natGateways: 0 } })).toContainEqual(
      'network.natGateways: the public Redshift cluster needs the public subnets, which the VPC has only with NAT gateways: set network.natGateways to at least 1',
    );
    expect(
      configProblems({
        network: {
          mode: 'import',
          vpcId: 'vpc-0123456789abcdef0',
          availabilityZones: ['us-east-1a', 'us-east-1b'],
          privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
        },
      }),
    ).toContainEqual(
      'sources.redshift.publiclyAccessible: a public cluster needs public subnets, and an imported network provides private subnets only: create the cluster in a network the app creates, or import an existing cluster',
    );
  });
});

describe('reader users', () => {
  test('are users of their own', () => {
    expect(configProblems({ sources: { mysql: { readerUsername: 'mladmin' } } })).toEqual([
      'sources.mysql.readerUsername: must differ from the master user "mladmin": Amazon ML reads with its own, narrower user',
    ]);
    expect(configProblems({ sources: { mysql: { readerUsername: 'dms_cdc' } } })).toEqual([
      'sources.mysql.readerUsername: must differ from the DMS user "dms_cdc": each client has its own user',
    ]);
    expect(configProblems({ sources: { redshift: { readerUsername: 'MLReader' } } })).toEqual([
      'sources.redshift.readerUsername: user names are 1 to 16 lower-case letters, digits or underscores, starting with a letter',
    ]);
  });
});
