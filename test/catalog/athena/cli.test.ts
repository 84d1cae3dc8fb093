import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { asOfQuery, replicatedTableSpec } from '../../../lib/catalog/as-of-query';
import type { CliEnvironment, OutputStream } from '../../../lib/catalog/athena/cli';
import { main, USAGE } from '../../../lib/catalog/athena/cli';
import type { ResultObjectReader } from '../../../lib/catalog/athena/result-objects';
import { BANKING_DATASET } from '../../../lib/config/dataset';
import { BANKING_ANALYST_COLUMNS, BANKING_PERSONAL_COLUMNS } from '../../../lib/governance/config';
import {
  RESULT_LOCATION,
  athenaCsv,
  column,
  execution,
  fakeClock,
  fakeResultObjects,
  headerOf,
  page,
  row,
  s3Error,
} from './fake-athena';

const athena = mockClient(AthenaClient);

const ACCOUNT_COLUMNS = [
  column('id', 'bigint'),
  column('name', 'varchar'),
  column('balance', 'decimal', { Precision: 12, Scale: 2 }),
  column('opened', 'date'),
  column('updated_at', 'timestamp'),
];

let configDir: string;
let configFile: string;
let governedConfigFile: string;

beforeAll(() => {
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'athena-cli-'));
  configFile = path.join(configDir, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      datasets: [
        BANKING_DATASET,
        {
          name: 'accounts',
          mysqlDatabase: 'bank',
          primaryKey: ['id'],
          columns: [
            { name: 'id', type: 'bigint' },
            { name: 'name', type: 'varchar(64)' },
            { name: 'balance', type: 'decimal(12,2)' },
            { name: 'opened', type: 'date' },
            { name: 'updated_at', type: 'timestamp' },
          ],
        },
        {
          name: 'branches',
          mysqlDatabase: 'bank',
          primaryKey: ['code'],
          columns: [{ name: 'code', type: 'varchar(8)' }],
        },
      ],
      replication: { tables: ['banking', 'accounts'] },
      features: { governance: false },
    }),
  );
  governedConfigFile = path.join(configDir, 'governed.json');
  fs.writeFileSync(governedConfigFile, JSON.stringify({}));
});

afterAll(() => fs.rmSync(configDir, { recursive: true, force: true }));

/** The rows the mocked Athena serves in two pages, and as its result CSV. */
const ACCOUNT_ROWS = [
  ['1', 'alice', '100.50', '2020-01-31', '2024-03-01 10:00:00.000'],
  ['9007199254740993', 'O"Brien, Jr', '-0.05', '2021-12-01', '2024-03-01 09:30:00.250'],
  ['3', '', null, null, null],
];

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly regions: (string | undefined)[];
  readonly objects: ReturnType<typeof fakeResultObjects>;
}

function memoryStream(): OutputStream & { text: string } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
    once: () => undefined,
  };
}

async function run(argv: string[], overrides: Partial<CliEnvironment> = {}): Promise<Run> {
  const stdout = memoryStream();
  let stderr = '';
  const regions: (string | undefined)[] = [];
  const clock = fakeClock();
  const objects = fakeResultObjects({
    [RESULT_LOCATION]: athenaCsv(ACCOUNT_COLUMNS, ACCOUNT_ROWS),
  });
  const status = await main(argv, {
    stdout,
    stderr: { write: (chunk: string) => (stderr += chunk) },
    createClient: (region) => {
      regions.push(region);
      return new AthenaClient({ region: region ?? 'us-east-1' });
    },
    createResultObjects: () => objects,
    runOptions: { sleep: clock.sleep, now: clock.now },
    now: clock.now,
    ...overrides,
  });
  return { status, stdout: stdout.text, stderr, regions, objects };
}

/** The arguments of a command line: its text split at white space, each interpolated value one argument. */
function argv(text: TemplateStringsArray, ...values: string[]): string[] {
  return text.flatMap((part, index) => [
    ...part.split(/\s+/).filter(Boolean),
    ...(index < values.length ? [values[index]] : []),
  ]);
}

const startInput = () => athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;

beforeEach(() => {
  athena.reset();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'query-1' });
  athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED', { scanned: 1_500_000 }));
  athena
    .on(GetQueryResultsCommand)
    .callsFake(async (input: { NextToken?: string }) =>
      input.NextToken === 'page-2'
        ? page(ACCOUNT_COLUMNS, [row(...ACCOUNT_ROWS[2])])
        : page(
            ACCOUNT_COLUMNS,
            [headerOf(ACCOUNT_COLUMNS), row(...ACCOUNT_ROWS[0]), row(...ACCOUNT_ROWS[1])],
            'page-2',
          ),
    );
});

describe('athena snapshot', () => {
  test('runs the as-of query of a configured table and writes CSV', async () => {
    const result = await run(
      argv`snapshot --table accounts --at 2024-03-01T12:00:00+02:00 --config ${configFile}`,
    );
    expect(result.status).toBe(0);
    expect(startInput()).toMatchObject({
      WorkGroup: 'ml-foundation',
      QueryExecutionContext: { Database: 'ml_foundation' },
      QueryString: asOfQuery(
        replicatedTableSpec('ml_foundation', {
          name: 'accounts',
          primaryKey: ['id'],
          columns: ['id', 'name', 'balance', 'opened', 'updated_at'].map((name) => ({
            name,
            type: 'text',
          })),
        }),
        { at: new Date('2024-03-01T10:00:00Z') },
      ),
    });
    expect(result.stdout).toBe(
      [
        'id,name,balance,opened,updated_at',
        '1,alice,100.50,2020-01-31,2024-03-01T10:00:00.000Z',
        '9007199254740993,"O""Brien, Jr",-0.05,2021-12-01,2024-03-01T09:30:00.250Z',
        '3,"",,,',
        '',
      ].join('\n'),
    );
    expect(result.stderr.split('\n')).toEqual([
      'athena: ml_foundation.accounts as of 2024-03-01 10:00:00.000 UTC, workgroup ml-foundation',
      'athena: query query-1 SUCCEEDED: 1.5 MB scanned, 0.0 s',
      `athena: reading rows from ${RESULT_LOCATION}`,
      'athena: 3 rows fetched',
      'athena: 3 rows fetched, all rows read',
      'athena: done: 3 rows, 1.5 MB scanned',
      '',
    ]);
    expect(result.objects.calls).toHaveLength(1);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(1);
  });

  const SNAPSHOT = ['snapshot', '--table', 'accounts', '--at', '2024-03-01', '--config'];
  const SNAPSHOT_CSV = [
    'id,name,balance,opened,updated_at',
    '1,alice,100.50,2020-01-31,2024-03-01T10:00:00.000Z',
    '9007199254740993,"O""Brien, Jr",-0.05,2021-12-01,2024-03-01T09:30:00.250Z',
    '3,"",,,',
    '',
  ].join('\n');

  test('--paging reads every page with GetQueryResults, and says so', async () => {
    const result = await run([...SNAPSHOT, configFile, '--paging']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(SNAPSHOT_CSV);
    expect(result.objects.calls).toEqual([]);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
    expect(result.stderr.split('\n').slice(2, 5)).toEqual([
      'athena: reading rows page by page (GetQueryResults): --paging was given',
      'athena: 2 rows fetched',
      'athena: 3 rows fetched, all rows read',
    ]);
  });

  test('where S3 refuses the result object, warns and reads page by page', async () => {
    const refused: ResultObjectReader = {
      getObjectStream: () => Promise.reject(s3Error('AccessDenied', 'Access Denied', 403)),
    };
    const result = await run([...SNAPSHOT, configFile], {
      createResultObjects: () => refused,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(SNAPSHOT_CSV);
    expect(result.stderr.split('\n')[2]).toBe(
      `athena: warning: reading rows page by page (GetQueryResults): S3 refused ${RESULT_LOCATION} ` +
        '(AccessDenied: Access Denied); reading it takes s3:GetObject on it and kms:Decrypt through S3 on its key',
    );
  });

  test('a result object that is not what Athena writes fails, status 1', async () => {
    const result = await run([...SNAPSHOT, configFile], {
      createResultObjects: () => fakeResultObjects({ [RESULT_LOCATION]: '"id","name"\n"1","a"\n' }),
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').slice(-2)).toEqual([
      `athena: result object ${RESULT_LOCATION}: record 1 (the header is record 1): the header ` +
        '["id","name"] is not the columns of the result ["id","name","balance","opened","updated_at"]',
      '',
    ]);
  });

  test('writes JSON Lines, with bigints and decimals as exact numbers', async () => {
    const result = await run([
      'snapshot',
      '--table=accounts',
      '--at=2024-03-01',
      '--format=jsonl',
      `--config=${configFile}`,
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        '{"id":1,"name":"alice","balance":100.50,"opened":"2020-01-31","updated_at":"2024-03-01T10:00:00.000Z"}',
        '{"id":9007199254740993,"name":"O\\"Brien, Jr","balance":-0.05,"opened":"2021-12-01","updated_at":"2024-03-01T09:30:00.250Z"}',
        '{"id":3,"name":"","balance":null,"opened":null,"updated_at":null}',
        '',
      ].join('\n'),
    );
    expect(
      result.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    ).toHaveLength(3);
  });

  test('uses the workgroup, database and region given', async () => {
    const result = await run(
      argv`snapshot --table banking --at 2024-03-01T10:00:00Z --persona analyst --workgroup analysts --database lake --region eu-west-1`,
    );
    expect(result.status).toBe(0);
    expect(startInput()).toMatchObject({
      WorkGroup: 'analysts',
      QueryExecutionContext: { Database: 'lake' },
      QueryString: expect.stringContaining('FROM "lake"."banking"'),
    });
    expect(result.regions).toEqual(['eu-west-1']);
  });

  test('--print-sql prints the query and runs nothing', async () => {
    const result = await run(
      argv`snapshot --table banking --at 2024-03-01 --print-sql --persona project-leader`,
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('FROM "ml_foundation"."banking"');
    expect(result.stdout).toContain("<= TIMESTAMP '2024-03-01 00:00:00.000'");
    expect(athena.calls()).toHaveLength(0);
  });

  test.each<[string, string[], string]>([
    [
      'an unknown table',
      ['--table', 'nope', '--at', '2024-03-01', '--config', 'CONFIG'],
      'athena: unknown table "nope": the datasets are banking, accounts, branches',
    ],
    [
      'a table that is not replicated',
      ['--table', 'branches', '--at', '2024-03-01', '--config', 'CONFIG'],
      'athena: table "branches" has no change history: it is not in replication.tables (banking, accounts)',
    ],
    [
      'a time that is not a time',
      ['--table', 'banking', '--at', 'yesterday'],
      'athena: --at "yesterday" is not a usable time: use ISO 8601, such as 2024-03-01T10:00:00Z or 2024-03-01 10:00:00.250+02:00',
    ],
    [
      'a date that does not exist',
      ['--table', 'banking', '--at', '2023-02-29T10:00:00Z'],
      'athena: --at "2023-02-29T10:00:00Z" is not a usable time: there is no such date or time of day',
    ],
    [
      'a time finer than milliseconds',
      ['--table', 'banking', '--at', '2024-03-01T10:00:00.123456Z'],
      'athena: --at "2024-03-01T10:00:00.123456Z" is not a usable time: give at most 3 fractional digits (milliseconds)',
    ],
    ['a missing table', ['--at', '2024-03-01'], 'athena: --table is required'],
    ['a missing time', ['--table', 'banking'], 'athena: --at is required'],
    [
      'an unknown format',
      ['--table', 'banking', '--at', '2024-03-01', '--format', 'xml'],
      'athena: --format must be csv or jsonl, not "xml"',
    ],
    [
      'a timeout that is not a number',
      ['--table', 'banking', '--at', '2024-03-01', '--timeout', 'soon'],
      'athena: --timeout must be a positive number of seconds, not "soon"',
    ],
  ])('rejects %s in one line, with status 2, before calling Athena', async (_name, args, line) => {
    const result = await run([
      'snapshot',
      ...args.map((arg) => (arg === 'CONFIG' ? configFile : arg)),
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.stdout).toBe('');
    expect(athena.calls()).toHaveLength(0);
  });

  test('an invalid configuration file is reported with its problems, status 2', async () => {
    const bad = path.join(configDir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ catalog: { databaseName: 'Bad-Name' } }));
    const result = await run(argv`snapshot --table banking --at 2024-03-01 --config ${bad}`);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^athena: Invalid configuration \(.*bad\.json\): 1 problem\n {2}- catalog\.databaseName: Glue names/,
    );
  });
});

describe('athena snapshot under governance', () => {
  const BANKING = ['snapshot', '--table', 'banking', '--at', '2024-03-01', '--print-sql'];
  const sqlOf = (columns: readonly string[]) =>
    asOfQuery(
      replicatedTableSpec('ml_foundation', {
        ...BANKING_DATASET,
        columns: BANKING_DATASET.columns.filter((c) => columns.includes(c.name)),
      }),
      { at: new Date('2024-03-01T00:00:00Z') },
    );

  // Under Lake Formation a query that names a column the caller may not select fails
  // ("Column ... cannot be resolved or requester is not authorized", metabase/metabase#40355):
  // the snapshot names only the columns the persona's grants cover.
  test('an analyst selects every banking column but the personal ones', async () => {
    const result = await run([...BANKING, '--persona', 'analyst', '--config', governedConfigFile]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${sqlOf(BANKING_ANALYST_COLUMNS)}\n`);
    for (const personal of BANKING_PERSONAL_COLUMNS) {
      expect(result.stdout).not.toContain(`"${personal}"`);
    }
  });

  test('a project leader selects every banking column', async () => {
    const result = await run([
      ...BANKING,
      ...argv`--persona project-leader --config ${governedConfigFile}`,
    ]);
    expect(result.stdout).toBe(`${sqlOf(BANKING_DATASET.columns.map((column) => column.name))}\n`);
  });

  test("runs in the persona's own workgroup, or finds the persona from its workgroup", async () => {
    const at = ['snapshot', '--table', 'banking', '--at', '2024-03-01'];
    await run([...at, '--persona', 'analyst', '--config', governedConfigFile]);
    expect(startInput()?.WorkGroup).toBe('ml-foundation-analyst');
    athena.resetHistory();
    await run([
      ...at,
      ...argv`--workgroup ml-foundation-project-leader --config ${governedConfigFile}`,
    ]);
    expect(startInput()?.QueryString).toContain('"age"');
  });

  test('without a persona it refuses, naming the personas, before calling Athena', async () => {
    const result = await run([...BANKING, '--config', governedConfigFile]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'athena: the catalog is governed by Lake Formation: name your persona with --persona analyst or project-leader\n',
    );
    const unknown = await run([...BANKING, '--persona', 'intern', '--config', governedConfigFile]);
    expect(unknown.stderr).toBe(
      'athena: --persona must be analyst or project-leader, not "intern"\n',
    );
    expect(athena.calls()).toHaveLength(0);
  });

  test("any SQL runs in the persona's workgroup, or in a workgroup named outright", async () => {
    const sql = ['query', '--sql', 'SELECT 1', '--config', governedConfigFile];
    expect((await run(sql)).status).toBe(2);
    await run([...sql, '--persona', 'project-leader']);
    expect(startInput()?.WorkGroup).toBe('ml-foundation-project-leader');
    athena.resetHistory();
    await run([...sql, '--workgroup', 'sandbox']);
    expect(startInput()?.WorkGroup).toBe('sandbox');
  });

  test('a persona without governance is refused', async () => {
    const result = await run([...BANKING, '--persona', 'analyst', '--config', configFile]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--persona needs governance');
  });
});

describe('athena query', () => {
  test('runs any SQL and writes JSON Lines of every type', async () => {
    const types = [
      column('n', 'bigint'),
      column('ratio', 'double'),
      column('ok', 'boolean'),
      column('doc', 'json'),
      column('tags', 'array'),
    ];
    athena
      .on(GetQueryResultsCommand)
      .resolves(
        page(types, [
          headerOf(types),
          row('-9223372036854775808', 'NaN', 'true', '{"a":{"b":[1,2]}}', '[x, y]'),
          row(null, '-Infinity', 'false', 'null', null),
        ]),
      );
    const result = await run(
      argv`query --sql ${'SELECT * FROM t'} --format jsonl --config ${configFile}`,
    );
    expect(result.status).toBe(0);
    expect(startInput()).toMatchObject({
      QueryString: 'SELECT * FROM t',
      WorkGroup: 'ml-foundation',
    });
    expect(result.stdout).toBe(
      '{"n":-9223372036854775808,"ratio":"NaN","ok":true,"doc":{"a":{"b":[1,2]}},"tags":"[x, y]"}\n' +
        '{"n":null,"ratio":"-Infinity","ok":false,"doc":null,"tags":null}\n',
    );
  });

  test('reads the SQL from a file', async () => {
    const file = path.join(configDir, 'query.sql');
    fs.writeFileSync(file, '  SELECT id FROM accounts\n');
    const result = await run(['query', '--file', file, '--config', configFile]);
    expect(result.status).toBe(0);
    expect(startInput()?.QueryString).toBe('SELECT id FROM accounts');
  });

  test('bad SQL fails with Athena reason in one line, status 1, nothing on stdout', async () => {
    athena.on(GetQueryExecutionCommand).resolves(
      execution('FAILED', {
        reason: "line 1:1: mismatched input 'SELEC'.\nExpecting: 'ALTER', 'ANALYZE', <query>",
      }),
    );
    const result = await run(['query', '--sql', 'SELEC 1', '--config', configFile]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').slice(-2)).toEqual([
      "athena: Athena query query-1 FAILED: line 1:1: mismatched input 'SELEC'. Expecting: 'ALTER', 'ANALYZE', <query>",
      '',
    ]);
  });

  test('a request Athena refuses is reported in one line, status 1', async () => {
    athena.on(StartQueryExecutionCommand).rejects(
      Object.assign(new Error('WorkGroup nope is not found.'), {
        name: 'InvalidRequestException',
      }),
    );
    const result = await run(['query', '--sql', 'SELECT 1', '--workgroup', 'nope']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('athena: InvalidRequestException: WorkGroup nope is not found.\n');
  });

  test('a query that outlives --timeout is cancelled, status 1', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});
    const result = await run(argv`query --sql ${'SELECT 1'} --timeout 1 --config ${configFile}`);
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n').slice(-2)).toEqual([
      'athena: Athena query query-1 did not finish within 1 s (still RUNNING); it was cancelled',
      '',
    ]);
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  });

  test.each<[string, string[], string]>([
    ['no SQL', ['query'], 'athena: give the SQL with exactly one of --sql or --file'],
    [
      'both --sql and --file',
      ['query', '--sql', 'SELECT 1', '--file', 'x.sql'],
      'athena: give the SQL with exactly one of --sql or --file',
    ],
    ['empty SQL', ['query', '--sql', '  '], 'athena: the SQL is empty'],
    [
      'an unknown command',
      ['drop'],
      'athena: unknown command "drop": use snapshot, query or export (see --help)',
    ],
    ['no command', [], 'athena: name a command: snapshot, query or export (see --help)'],
    [
      'an extra argument',
      ['query', 'extra', '--sql', 'SELECT 1'],
      'athena: unexpected argument "extra"',
    ],
  ])('rejects %s with status 2', async (_name, argv, line) => {
    const result = await run(argv);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
    expect(athena.calls()).toHaveLength(0);
  });

  test('rejects an unknown option and a missing file with status 2', async () => {
    const unknown = await run(['query', '--sql', 'SELECT 1', '--limit', '5']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^athena: Unknown option '--limit'/);
    const missing = await run(['query', '--file', path.join(configDir, 'missing.sql')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^athena: cannot read --file .*missing\.sql: ENOENT/);
  });

  test('--help prints the usage', async () => {
    const result = await run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(USAGE);
  });

  test('waits for stdout to drain when it is full', async () => {
    const many = Array.from({ length: 3000 }, (_, index) =>
      row(String(index), `name-${'x'.repeat(40)}`, '1.00', '2020-01-01', '2024-01-01 00:00:00.000'),
    );
    athena
      .on(GetQueryResultsCommand)
      .resolves(page(ACCOUNT_COLUMNS, [headerOf(ACCOUNT_COLUMNS), ...many]));
    const drains: (() => void)[] = [];
    let text = '';
    const stdout: OutputStream = {
      write: (chunk) => {
        text += chunk;
        return false;
      },
      once: (_event, listener) => {
        drains.push(listener);
        setImmediate(listener);
      },
    };
    const result = await run(['query', '--sql', 'SELECT 1', '--config', configFile], { stdout });
    expect(result.status).toBe(0);
    expect(drains.length).toBeGreaterThan(1);
    expect(text.split('\n')).toHaveLength(3002);
  });
});
