import { attributesFromColumns } from '../amazon-ml/data-schema';
import { asOfQuery, replicatedTableSpec } from '../catalog/as-of-query';
import { glueColumnType } from '../catalog/glue-types';
import type { DatasetConfig } from '../config/dataset';
import type { SnapshotConfig } from './config';
import type { SnapshotColumn, SnapshotDefinition } from './handler/snapshot-properties';
import { redshiftSelect } from './handler/snapshot-sql';

/** Where a snapshot's rows are read from. */
export type SnapshotOrigin =
  | { readonly source: 'history'; readonly database: string }
  | { readonly source: 'redshift'; readonly clusterIdentifier: string; readonly database: string };

/** A snapshot as the handler makes it: what it is, and the SELECT that reads its rows. */
export interface PlannedSnapshot {
  readonly definition: SnapshotDefinition;
  readonly select: string;
}

/** The columns of a dataset as the snapshot's files type them. */
function columnsOf(dataset: DatasetConfig, source: SnapshotOrigin['source']): SnapshotColumn[] {
  const mlTypes = attributesFromColumns(dataset.columns);
  return dataset.columns.map((column, index) => ({
    name: column.name,
    type: source === 'history' ? glueColumnType(column.type) : column.type,
    mlType: mlTypes[index].type,
  }));
}

/**
 * The definition and SELECT of a declared snapshot: every column of its dataset, from the
 * change history as of its moment (the as-of query) or from the Redshift table as it is.
 */
export function planSnapshot(
  snapshot: Pick<
    SnapshotConfig,
    'source' | 'dataset' | 'targetAttribute' | 'rowIdAttribute' | 'excludedAttributes'
  > & { readonly at?: string },
  dataset: DatasetConfig,
  origin: SnapshotOrigin,
): PlannedSnapshot {
  const schema = {
    ...(snapshot.targetAttribute ? { targetAttribute: snapshot.targetAttribute } : {}),
    ...(snapshot.rowIdAttribute ? { rowIdAttribute: snapshot.rowIdAttribute } : {}),
    excludedAttributes: [...snapshot.excludedAttributes],
  };
  const common = {
    dataset: dataset.name,
    primaryKey: [...dataset.primaryKey],
    columns: columnsOf(dataset, origin.source),
    schema,
  };
  if (origin.source === 'history') {
    if (snapshot.at === undefined)
      throw new Error(`a history snapshot of ${dataset.name} needs a moment`);
    const at = new Date(snapshot.at);
    return {
      definition: { source: 'history', ...common, at: at.toISOString(), database: origin.database },
      select: asOfQuery(replicatedTableSpec(origin.database, dataset), { at }),
    };
  }
  return {
    definition: {
      source: 'redshift',
      ...common,
      cluster: origin.clusterIdentifier,
      database: origin.database,
      tableSchema: dataset.redshiftSchema,
    },
    select: redshiftSelect(
      dataset.redshiftSchema,
      dataset.name,
      dataset.columns.map((column) => column.name),
    ),
  };
}
