import { datasetSchema } from '../../lib/config/dataset';
import { tableMappings } from '../../lib/replication/table-mappings';

const dataset = (input: unknown) => datasetSchema.parse(input);

describe('tableMappings', () => {
  const accounts = dataset({
    name: 'accounts',
    mysqlDatabase: 'core',
    primaryKey: ['id'],
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'active', type: 'boolean' },
      { name: 'verified', type: 'BOOL' },
      { name: 'balance', type: 'decimal(12,2)' },
    ],
  });
  const events = dataset({
    name: 'events',
    mysqlDatabase: 'audit',
    primaryKey: ['id'],
    columns: [{ name: 'id', type: 'bigint' }],
  });

  test('selects each table, adds the change sequence and pins boolean columns, with unique ids', () => {
    const { rules } = tableMappings([accounts, events]);
    expect(rules).toEqual([
      {
        'rule-id': '1',
        'rule-name': 'select-core-accounts',
        'rule-type': 'selection',
        'object-locator': { 'schema-name': 'core', 'table-name': 'accounts' },
        'rule-action': 'include',
      },
      {
        'rule-id': '2',
        'rule-name': 'change_seq-core-accounts',
        'rule-type': 'transformation',
        'rule-target': 'column',
        'object-locator': { 'schema-name': 'core', 'table-name': 'accounts' },
        'rule-action': 'add-column',
        value: 'change_seq',
        expression: '$AR_H_CHANGE_SEQ',
        'data-type': { type: 'string', length: 50 },
      },
      {
        'rule-id': '3',
        'rule-name': 'boolean-core-accounts-active',
        'rule-type': 'transformation',
        'rule-target': 'column',
        'object-locator': {
          'schema-name': 'core',
          'table-name': 'accounts',
          'column-name': 'active',
        },
        'rule-action': 'change-data-type',
        'data-type': { type: 'boolean' },
      },
      expect.objectContaining({
        'rule-id': '4',
        'object-locator': {
          'schema-name': 'core',
          'table-name': 'accounts',
          'column-name': 'verified',
        },
      }),
      expect.objectContaining({
        'rule-id': '5',
        'rule-type': 'selection',
        'object-locator': { 'schema-name': 'audit', 'table-name': 'events' },
      }),
      expect.objectContaining({ 'rule-id': '6', 'rule-action': 'add-column' }),
    ]);
    const names = rules.map((rule) => rule['rule-name']);
    expect(new Set(names).size).toBe(names.length);
  });

  test('the mapping is the JSON document DMS expects', () => {
    expect(JSON.parse(JSON.stringify(tableMappings([events])))).toEqual({
      rules: [
        expect.objectContaining({ 'rule-type': 'selection' }),
        expect.objectContaining({ value: 'change_seq' }),
      ],
    });
  });
});
