import { checkSelectQuery, shuffledSelect } from '../../lib/amazon-ml/select-query';

describe('shuffledSelect', () => {
  const source = { schema: 'public', table: 'banking', columns: ['age', 'default', 'y'] };

  test('Redshift: quoted identifiers, shuffled with random(), one trailing semicolon', () => {
    expect(shuffledSelect('redshift', source)).toBe(
      'SELECT "age", "default", "y" FROM "public"."banking" ORDER BY random();',
    );
  });

  test('MySQL: backquoted identifiers, shuffled with rand()', () => {
    expect(shuffledSelect('mysql', { ...source, schema: 'banking' })).toBe(
      'SELECT `age`, `default`, `y` FROM `banking`.`banking` ORDER BY rand();',
    );
  });

  test('the derived queries pass the checks without a warning', () => {
    for (const engine of ['redshift', 'mysql'] as const) {
      const checked = checkSelectQuery(engine, shuffledSelect(engine, source));
      expect(checked.problems).toEqual([]);
      expect(checked.warnings).toEqual([]);
    }
  });
});

describe('checkSelectQuery', () => {
  test.each([
    ['select * from t order by random()', 'select * from t order by random();'],
    ['  select * from t order by random();  ', 'select * from t order by random();'],
    ['select * from t order by random() ;;\n', 'select * from t order by random();'],
  ])('normalises the trailing semicolon of %j', (query, expected) => {
    expect(checkSelectQuery('redshift', query).sql).toBe(expected);
  });

  test('warns when rows are not shuffled the way the engine shuffles', () => {
    expect(checkSelectQuery('redshift', 'SELECT * FROM t').warnings).toEqual([
      'the SQL query does not shuffle rows (ORDER BY random()): Amazon ML splits training and evaluation data in the order the rows arrive',
    ]);
    expect(checkSelectQuery('mysql', 'SELECT * FROM t ORDER BY random()').warnings).toHaveLength(1);
    expect(checkSelectQuery('mysql', 'SELECT * FROM t ORDER BY RAND( )').warnings).toEqual([]);
  });

  test.each([
    ['', 'the SQL query is empty'],
    [';', 'the SQL query is empty'],
    ['DELETE FROM banking', 'the SQL query must be a SELECT (it starts with "DELETE")'],
    [
      'SELECT 1; DROP TABLE banking',
      'the SQL query must be a single statement: only a trailing ";" is allowed',
    ],
  ])('rejects %j', (query, expected) => {
    expect(checkSelectQuery('mysql', query).problems).toContain(expected);
  });

  test('accepts a query with a common table expression', () => {
    expect(
      checkSelectQuery(
        'redshift',
        'WITH b AS (SELECT * FROM banking) SELECT * FROM b ORDER BY random()',
      ).problems,
    ).toEqual([]);
  });
});
