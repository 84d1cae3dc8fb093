import type { ColumnConfig, DatasetConfig } from '../config/dataset';
import type { AmazonMlDatasourceConfig } from './config';

/** The columns of `dataset` that `datasource` reads, in order. */
export function datasourceColumns(
  datasource: Pick<AmazonMlDatasourceConfig, 'columns' | 'rowIdAttribute'>,
  dataset: DatasetConfig,
): ColumnConfig[] {
  if (datasource.columns) {
    return datasource.columns.flatMap((name) => {
      const column = dataset.columns.find((candidate) => candidate.name === name);
      return column ? [column] : [];
    });
  }
  return dataset.columns.filter(
    (column) =>
      !dataset.primaryKey.includes(column.name) || column.name === datasource.rowIdAttribute,
  );
}
