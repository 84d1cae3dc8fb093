import type { DatasetConfig } from '../config/dataset';

/**
 * Where DMS writes each replicated table, shared by the replication stack (which writes) and
 * the catalog stack (which reads).
 *
 * One folder per table, with no date partitioning: DMS writes a table's full-load files
 * (LOAD00000001.parquet, ...) directly into `<bucketFolder>/<schema>/<table>/` even when
 * `DatePartitionEnabled` is on, and only the change files into `YYYY/MM/DD/` subfolders. A
 * Glue table partitioned by date would never see the full load, and reading a table "as of" a
 * moment needs every row since the first load. So every file of a table stays under the
 * table's own folder, and the Glue table reads that whole folder.
 */

/** The `BucketFolder` endpoint setting: the configured prefix without its trailing slash. */
export function dmsBucketFolder(bucketFolder: string): string {
  return bucketFolder.replace(/\/+$/, '');
}

/** The key prefix of one table's files: `<bucketFolder>/<mysqlDatabase>/<table>/`. */
export function tableKeyPrefix(
  bucketFolder: string,
  dataset: Pick<DatasetConfig, 'mysqlDatabase' | 'name'>,
): string {
  return `${dmsBucketFolder(bucketFolder)}/${dataset.mysqlDatabase}/${dataset.name}/`;
}
