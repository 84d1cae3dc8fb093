import { datasetSchema } from '../../lib/config/dataset';
import { beforeImageColumn } from '../../lib/replication/dms-columns';
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

  test('selects each table, adds the change sequence and the key before-image, pins boolean columns, with unique ids', () => {
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
        'rule-name': 'before-image-core-accounts',
        'rule-type': 'transformation',
        'rule-target': 'column',
        'object-locator': { 'schema-name': 'core', 'table-name': 'accounts' },
        'rule-action': 'add-before-image-columns',
        'before-image-def': {
          'column-prefix': 'bi_',
          'column-suffix': '',
          'column-filter': 'pk-only',
        },
      },
      {
        'rule-id': '4',
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
        'rule-id': '5',
        'object-locator': {
          'schema-name': 'core',
          'table-name': 'accounts',
          'column-name': 'verified',
        },
      }),
      expect.objectContaining({
        'rule-id': '6',
        'rule-type': 'selection',
        'object-locator': { 'schema-name': 'audit', 'table-name': 'events' },
      }),
      expect.objectContaining({ 'rule-id': '7', 'rule-action': 'add-column' }),
      expect.objectContaining({ 'rule-id': '8', 'rule-action': 'add-before-image-columns' }),
    ]);
    const names = rules.map((rule) => rule['rule-name']);
    expect(new Set(names).size).toBe(names.length);
  });

  test('the mapping is the JSON document DMS expects', () => {
    expect(JSON.parse(JSON.stringify(tableMappings([events])))).toEqual({
      rules: [
        expect.objectContaining({ 'rule-type': 'selection' }),
        expect.objectContaining({ value: 'change_seq' }),
        expect.objectContaining({ 'rule-action': 'add-before-image-columns' }),
      ],
    });
  });

  test('every table gets the before-image of its primary key, named as the as-of query reads it', () => {
    // An update that changes a primary key is one U row with the new key; the old key is in the
    // output only with "the add-before-image-columns transformation rule ... They contain the
    // original primary key values before it was updated" (AWS re:Post, DMS S3 target:
    // https://repost.aws/questions/QUfXtCkhI9SGepdNLbsqTzjQ/how-to-determine-which-record-was-updated-when-primary-key-is-updated).
    // The rule, with "column-prefix", "column-suffix" and "column-filter": "pk-only", is the DMS
    // transformation rules guide's "Add a before image column" example:
    // https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Transformations.html
    const { rules } = tableMappings([accounts, events]);
    const beforeImages = rules.filter((rule) => rule['rule-action'] === 'add-before-image-columns');
    expect(beforeImages.map((rule) => rule['object-locator'])).toEqual([
      { 'schema-name': 'core', 'table-name': 'accounts' },
      { 'schema-name': 'audit', 'table-name': 'events' },
    ]);
    for (const rule of beforeImages) {
      const def = rule['before-image-def'] as Record<string, string>;
      expect(def['column-filter']).toBe('pk-only');
      expect(`${def['column-prefix']}id${def['column-suffix']}`).toBe(beforeImageColumn('id'));
    }
  });
});
