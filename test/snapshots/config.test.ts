import { checkSnapshotsConfig, snapshotWorkgroupName } from '../../lib/config/checks/snapshots';
import { BANKING_DATASET } from '../../lib/config/dataset';
import { LENDING_DATASET } from '../support/datasets';
import { configProblems, expectValidConfig } from '../support/problems';

/** A history snapshot of `banking`, with `overrides`. */
const history = (overrides: Record<string, unknown> = {}) => ({
  source: 'history',
  name: 'banking-2026-11-01',
  dataset: 'banking',
  at: '2026-11-01T00:00:00Z',
  ...overrides,
});

const withSnapshots = (declared: unknown[], settings: Record<string, unknown> = {}) => ({
  snapshots: { declared, ...settings },
});

describe('snapshots configuration', () => {
  test('the default declares no snapshot, and the workgroup is named after the project', () => {
    const config = expectValidConfig();
    expect(config.snapshots).toEqual({
      declared: [],
      bytesScannedCutoffPerQuery: 100 * 1024 ** 3,
      replicationLagMinutes: 60,
      stagingExpirationDays: 7,
    });
    expect(snapshotWorkgroupName(config)).toBe('ml-foundation-snapshots');
  });

  test('a history snapshot and a Redshift snapshot of a replicated dataset are valid', () => {
    const config = expectValidConfig(
      withSnapshots([
        history({ targetAttribute: 'y', amazonMlDatasource: { id: 'banking-snapshot' } }),
        { source: 'redshift', name: 'banking-redshift', dataset: 'banking' },
      ]),
    );
    expect(config.snapshots.declared[0]).toMatchObject({
      allowEmpty: false,
      excludedAttributes: [],
      amazonMlDatasource: { id: 'banking-snapshot', computeStatistics: true },
    });
  });

  test('names are S3 folder and Glue table safe, and unique', () => {
    expect(
      configProblems(
        withSnapshots([
          history({ name: 'Banking' }),
          history({ name: 'a_b' }),
          history({ name: 'ends-' }),
          history({ name: 'two--hyphens' }),
          history(),
          history(),
        ]),
      ),
    ).toEqual([
      ...[0, 1, 2, 3].map(
        (index) =>
          `snapshots.declared[${index}].name: snapshot names are 1 to 63 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen`,
      ),
      'snapshots.declared[5].name: snapshot "banking-2026-11-01" is declared twice',
    ]);
  });

  test('the moment names its zone, exists, and is older than the replication lag', () => {
    const now = Date.now();
    const recent = new Date(now - 30 * 60_000).toISOString();
    expect(
      configProblems(
        withSnapshots([
          history({ at: '2026-11-01 00:00:00' }),
          history({ name: 'b', at: '2026-02-30T00:00:00Z' }),
          history({ name: 'c', at: recent }),
        ]),
      ),
    ).toEqual([
      'snapshots.declared[0].at: must be an ISO 8601 time with its zone, such as 2026-11-01T00:00:00Z',
      'snapshots.declared[1].at: there is no such date or time of day',
      'snapshots.declared[2].at: must be at least snapshots.replicationLagMinutes (60) in the past: changes committed before it may not be in the history yet',
    ]);
  });

  test('the lag bound is at least how long DMS holds changes before it writes them', () => {
    expect(configProblems(withSnapshots([history()], { replicationLagMinutes: 4 }))).toEqual([
      'snapshots.replicationLagMinutes: must be at least replication.cdcMaxBatchIntervalSeconds (300 s): DMS holds changes that long before it writes them',
    ]);
  });

  test('a history snapshot needs a dataset that is declared and replicated', () => {
    expect(
      configProblems({
        ...withSnapshots([
          history({ dataset: 'nope' }),
          history({ name: 'loans', dataset: 'loans' }),
        ]),
        datasets: [BANKING_DATASET, LENDING_DATASET],
      }),
    ).toEqual([
      'snapshots.declared[0].dataset: "nope" has no change history: it is not in replication.tables',
      'snapshots.declared[0].dataset: dataset "nope" is not declared in datasets',
      'snapshots.declared[1].dataset: "loans" has no change history: it is not in replication.tables',
    ]);
    expect(
      configProblems({
        ...withSnapshots([history()]),
        features: { replication: false, governance: false },
      }),
    ).toEqual([
      'snapshots.declared[0].source: a snapshot of the change history needs features.replication',
    ]);
  });

  test('a Redshift snapshot needs the cluster, and a role for UNLOAD on an existing one', () => {
    expect(
      configProblems({
        ...withSnapshots([{ source: 'redshift', name: 'r', dataset: 'banking' }]),
        features: { amazonMl: false, replication: false, governance: false },
      }),
    ).toEqual([
      'snapshots.declared[0].source: a Redshift snapshot needs the Redshift cluster, which deploys with features.amazonMl or features.replication',
    ]);
    const existing = {
      mode: 'import',
      clusterIdentifier: 'analytics',
      databaseName: 'dev',
      endpointAddress: 'analytics.abc123xyz789.eu-west-1.redshift.amazonaws.com',
      port: 5439,
      securityGroupId: 'sg-0a1b2c3d4e5f60718',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:analytics-admin-AbCdEf',
    };
    expect(
      configProblems({
        ...withSnapshots([{ source: 'redshift', name: 'r', dataset: 'banking' }]),
        sources: { redshift: existing },
      }),
    ).toEqual([
      'snapshots.redshiftUnloadRoleArn: a Redshift snapshot of an existing cluster needs a role associated with the cluster for UNLOAD to write with',
    ]);
    expectValidConfig({
      ...withSnapshots([{ source: 'redshift', name: 'r', dataset: 'banking' }], {
        redshiftUnloadRoleArn: 'arn:aws:iam::123456789012:role/RedshiftUnload',
      }),
      sources: { redshift: existing },
    });
  });

  test('schema roles are columns of the dataset, as the data schema builder checks them', () => {
    expect(
      configProblems(
        withSnapshots([
          history({ targetAttribute: 'nope', excludedAttributes: ['y'], rowIdAttribute: 'y' }),
        ]),
      ),
    ).toEqual([
      expect.stringMatching(
        /^snapshots\.declared\[0\]: the target attribute "nope" is not one of the attributes \(id, age, /,
      ),
    ]);
  });

  test('an Amazon ML datasource needs Amazon ML, and an id prefix no other datasource shares', () => {
    expect(
      configProblems({
        ...withSnapshots([
          history({ amazonMlDatasource: { id: 'banking-redshift-old' } }),
          history({ name: 'b', amazonMlDatasource: { id: 'snap' } }),
          history({ name: 'c', amazonMlDatasource: { id: 'snap' } }),
        ]),
      }),
    ).toEqual([
      'snapshots.declared[0].amazonMlDatasource.id: "banking-redshift-old" overlaps the datasource id "banking-redshift" of amazonMl.datasources: each id prefix names the datasources its handler may manage',
      'snapshots.declared[2].amazonMlDatasource.id: "snap" overlaps the datasource id "snap" of snapshots.declared[1]: each id prefix names the datasources its handler may manage',
    ]);
    expect(
      configProblems({
        ...withSnapshots([history({ amazonMlDatasource: { id: 'snap' } })]),
        features: { amazonMl: false },
      }),
    ).toEqual([
      'snapshots.declared[0].amazonMlDatasource: an Amazon ML datasource needs features.amazonMl',
    ]);
  });

  test('snapshot queries never run in the workgroup whose results every persona reads', () => {
    expect(configProblems(withSnapshots([history()], { workgroupName: 'ml-foundation' }))).toEqual([
      'snapshots.workgroupName: must differ from catalog.athena.workgroupName: every persona reads the results of that workgroup, and a snapshot query returns personal columns',
    ]);
  });

  test('the moment is judged against the clock of the synth', () => {
    const config = expectValidConfig(withSnapshots([history()]));
    const problems: string[] = [];
    checkSnapshotsConfig(
      config,
      (path, message) => problems.push(`${path.join('.')}: ${message}`),
      Date.parse('2026-11-01T00:30:00Z'),
    );
    expect(problems).toEqual([
      'snapshots.declared.0.at: must be at least snapshots.replicationLagMinutes (60) in the past: changes committed before it may not be in the history yet',
    ]);
  });
});
