import { glueColumnType } from '../../lib/catalog/glue-types';

describe('glueColumnType', () => {
  test.each([
    ['tinyint', 'tinyint'],
    ['smallint', 'smallint'],
    ['int', 'int'],
    ['integer', 'int'],
    ['bigint', 'bigint'],
    ['boolean', 'boolean'],
    ['bool', 'boolean'],
    ['float', 'float'],
    ['real', 'double'],
    ['double', 'double'],
    ['decimal(10,2)', 'decimal(10,2)'],
    ['numeric(6, 3)', 'decimal(6,3)'],
    ['char(3)', 'string'],
    ['VARCHAR(64)', 'string'],
    ['text', 'string'],
    ['date', 'date'],
    ['datetime', 'timestamp'],
    ['timestamp', 'timestamp'],
  ])('%s is read as %s', (sqlType, glueType) => {
    expect(glueColumnType(sqlType)).toBe(glueType);
  });

  test('an unknown type is refused by name', () => {
    expect(() => glueColumnType('geometry')).toThrow('no Glue type for the SQL type "geometry"');
  });
});
