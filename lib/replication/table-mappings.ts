import type { DatasetConfig } from '../config/dataset';
import { BEFORE_IMAGE_PREFIX, DMS_COLUMNS } from './dms-columns';

/** One rule of a DMS table mapping, as the DMS API spells it. */
export type TableMappingRule = Record<string, unknown> & {
  readonly 'rule-type': 'selection' | 'transformation';
  readonly 'rule-id': string;
  readonly 'rule-name': string;
};

/** A DMS table mapping document. */
export interface TableMappings {
  readonly rules: TableMappingRule[];
}

/** The SQL types that MySQL stores as TINYINT(1) and DMS would otherwise write as integers. */
const BOOLEAN_TYPES = new Set(['boolean', 'bool']);

/**
 * The table mapping of the replication: for each dataset, a rule that selects its MySQL table,
 * a rule that adds the change sequence column, a rule that adds the before-image of the primary
 * key (`bi_<key>`, so that an update that changes a key also says which key it removed), and one
 * rule per boolean column that pins its DMS type to boolean, so that the Parquet files hold the
 * types the Glue table declares.
 *
 * DMS takes the before-image key columns from the source table's primary key, so a dataset's
 * `primaryKey` must be the MySQL table's primary key.
 */
export function tableMappings(datasets: readonly DatasetConfig[]): TableMappings {
  const rules: TableMappingRule[] = [];
  const add = (name: string, rule: Record<string, unknown>) =>
    rules.push({
      'rule-id': String(rules.length + 1),
      'rule-name': name,
      ...rule,
    } as TableMappingRule);

  for (const dataset of datasets) {
    const table = { 'schema-name': dataset.mysqlDatabase, 'table-name': dataset.name };
    const slug = `${dataset.mysqlDatabase}-${dataset.name}`;
    add(`select-${slug}`, {
      'rule-type': 'selection',
      'object-locator': table,
      'rule-action': 'include',
    });
    add(`${DMS_COLUMNS.changeSequence}-${slug}`, {
      'rule-type': 'transformation',
      'rule-target': 'column',
      'object-locator': table,
      'rule-action': 'add-column',
      value: DMS_COLUMNS.changeSequence,
      expression: '$AR_H_CHANGE_SEQ',
      'data-type': { type: 'string', length: 50 },
    });
    add(`before-image-${slug}`, {
      'rule-type': 'transformation',
      'rule-target': 'column',
      'object-locator': table,
      'rule-action': 'add-before-image-columns',
      'before-image-def': {
        'column-prefix': BEFORE_IMAGE_PREFIX,
        'column-suffix': '',
        'column-filter': 'pk-only',
      },
    });
    for (const column of dataset.columns.filter((candidate) => BOOLEAN_TYPES.has(candidate.type))) {
      add(`boolean-${slug}-${column.name}`, {
        'rule-type': 'transformation',
        'rule-target': 'column',
        'object-locator': { ...table, 'column-name': column.name },
        'rule-action': 'change-data-type',
        'data-type': { type: 'boolean' },
      });
    }
  }
  return { rules };
}
