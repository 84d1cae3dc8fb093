import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasourceColumns } from '../../lib/amazon-ml/datasource-columns';
import {
  DataSchema,
  attributeTypeOf,
  attributesFromColumns,
} from '../../lib/amazon-ml/data-schema';
import type { MlAttributeType } from '../../lib/config/dataset';
import { testConfig } from '../support/test-app';

/** The schema of banking.csv in the Amazon ML developer guide's tutorial. */
const GUIDE_BANKING_SCHEMA = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'fixtures', 'banking.csv.schema.json'), 'utf8'),
);

describe('DataSchema', () => {
  test('derived from the banking table, it equals the schema of the Amazon ML guide', () => {
    const config = testConfig();
    const [banking] = config.datasets;
    const datasource = config.amazonMl.datasources[0];
    const schema = new DataSchema({
      attributes: attributesFromColumns(datasourceColumns(datasource, banking)),
      targetAttribute: 'y',
      // The guide's banking.csv starts with the column names.
      dataFileContainsHeader: true,
    });
    expect(schema.problems()).toEqual([]);
    expect(JSON.parse(schema.toJson())).toEqual(GUIDE_BANKING_SCHEMA);
  });

  test('the surrogate key is read only when it is the row id', () => {
    const [banking] = testConfig().datasets;
    expect(datasourceColumns({}, banking).map((column) => column.name)).not.toContain('id');
    const withRowId = datasourceColumns({ rowIdAttribute: 'id' }, banking);
    expect(withRowId[0].name).toBe('id');
    expect(datasourceColumns({ columns: ['y', 'age'] }, banking).map((c) => c.name)).toEqual([
      'y',
      'age',
    ]);
  });

  test('renders every role and keeps the order of the fields of the guide', () => {
    const document = new DataSchema({
      attributes: [
        { name: 'customer_id', type: 'CATEGORICAL' },
        { name: 'weight', type: 'NUMERIC' },
        { name: 'notes', type: 'TEXT' },
        { name: 'responded', type: 'BINARY' },
      ],
      targetAttribute: 'responded',
      rowIdAttribute: 'customer_id',
      rowWeightAttribute: 'weight',
      excludedAttributes: ['notes'],
      dataFileContainsHeader: false,
    }).toDocument();
    expect(Object.keys(document)).toEqual([
      'version',
      'rowId',
      'rowWeight',
      'targetAttributeName',
      'dataFormat',
      'dataFileContainsHeader',
      'attributes',
      'excludedAttributeNames',
    ]);
    expect(document).toMatchObject({
      rowId: 'customer_id',
      rowWeight: 'weight',
      targetAttributeName: 'responded',
      dataFileContainsHeader: false,
      excludedAttributeNames: ['notes'],
    });
  });

  test('by default the data has no header line, as an export of a query has none', () => {
    // "Creating a Data Schema for Amazon ML": a CSV that starts with a row of data goes with
    // "dataFileContainsHeader": false.
    const document = new DataSchema({ attributes: [{ name: 'a', type: 'NUMERIC' }] }).toDocument();
    expect(document.dataFileContainsHeader).toBe(false);
  });

  test('without a target the schema is for batch predictions', () => {
    const document = new DataSchema({ attributes: [{ name: 'a', type: 'NUMERIC' }] }).toDocument();
    expect(document.targetAttributeName).toBeNull();
  });

  test.each<[string, ConstructorParameters<typeof DataSchema>[0], string]>([
    [
      'a duplicate attribute',
      {
        attributes: [
          { name: 'age', type: 'NUMERIC' },
          { name: 'age', type: 'TEXT' },
        ],
      },
      'attribute "age" is declared twice',
    ],
    [
      'a target that is not an attribute',
      { attributes: [{ name: 'age', type: 'NUMERIC' }], targetAttribute: 'y' },
      'the target attribute "y" is not one of the attributes (age)',
    ],
    [
      'a row id that is not an attribute',
      { attributes: [{ name: 'age', type: 'NUMERIC' }], rowIdAttribute: 'id' },
      'the row id attribute "id" is not one of the attributes (age)',
    ],
    [
      'an excluded name that does not exist',
      { attributes: [{ name: 'age', type: 'NUMERIC' }], excludedAttributes: ['ssn'] },
      'the excluded attribute "ssn" is not one of the attributes (age)',
    ],
    [
      'an invalid type',
      { attributes: [{ name: 'age', type: 'INTEGER' as MlAttributeType }] },
      'attribute "age" has type "INTEGER"; Amazon ML types are NUMERIC, CATEGORICAL, TEXT, BINARY',
    ],
    [
      'an excluded target',
      {
        attributes: [{ name: 'y', type: 'BINARY' }],
        targetAttribute: 'y',
        excludedAttributes: ['y'],
      },
      'the target attribute "y" cannot be excluded',
    ],
    [
      'a target that is also the row id',
      { attributes: [{ name: 'y', type: 'BINARY' }], targetAttribute: 'y', rowIdAttribute: 'y' },
      '"y" cannot be both the target and the row id',
    ],
    [
      'a text row weight',
      { attributes: [{ name: 'w', type: 'TEXT' }], rowWeightAttribute: 'w' },
      'the row weight attribute "w" must be NUMERIC',
    ],
    ['no attributes', { attributes: [] }, 'the data schema has no attributes'],
  ])('reports %s', (_name, props, expected) => {
    expect(new DataSchema(props).problems()).toContain(expected);
  });
});

describe('attribute types from SQL types', () => {
  test.each([
    ['tinyint', 'NUMERIC'],
    ['smallint', 'NUMERIC'],
    ['int', 'NUMERIC'],
    ['integer', 'NUMERIC'],
    ['bigint', 'NUMERIC'],
    ['decimal(6,3)', 'NUMERIC'],
    ['numeric(10, 2)', 'NUMERIC'],
    ['float', 'NUMERIC'],
    ['real', 'NUMERIC'],
    ['double', 'NUMERIC'],
    ['boolean', 'BINARY'],
    ['bool', 'BINARY'],
    ['char(2)', 'CATEGORICAL'],
    ['varchar(64)', 'TEXT'],
    ['text', 'TEXT'],
    ['date', 'TEXT'],
    ['datetime', 'TEXT'],
    ['TIMESTAMP', 'TEXT'],
  ])('%s is %s', (sqlType, expected) => {
    expect(attributeTypeOf(sqlType)).toBe(expected);
  });

  test('a column type is overridable per column', () => {
    expect(
      attributesFromColumns([
        { name: 'job', type: 'varchar(32)', mlType: 'CATEGORICAL' },
        { name: 'zip', type: 'int', mlType: 'CATEGORICAL' },
        { name: 'age', type: 'int' },
      ]),
    ).toEqual([
      { name: 'job', type: 'CATEGORICAL' },
      { name: 'zip', type: 'CATEGORICAL' },
      { name: 'age', type: 'NUMERIC' },
    ]);
  });

  test('an unknown SQL type asks for an explicit type', () => {
    expect(() => attributeTypeOf('blob')).toThrow(
      'no Amazon ML type for the SQL type "blob"; set mlType on the column',
    );
  });
});
