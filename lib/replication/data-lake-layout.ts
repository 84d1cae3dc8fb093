import type { DatasetConfig } from '../config/dataset';

/**
 * Where DMS writes each replicated table, shared by the replication stack (which writes) and
 * the catalog stack (which reads).
 *
 * History is append-only across replication generations. A generation is one replication task
 * (or serverless replication) and everything it writes: its full load, then its changes. A
 * change of endpoint, instance or engine replaces the task, and a new task loads every table
 * again and numbers its load files from `LOAD00000001.parquet` on; in the folder of the previous
 * task it would overwrite that task's load. So each generation's target endpoint has its own
 * `BucketFolder`, and nothing is ever written to a key that another generation wrote:
 *
 * ```
 * cdc/generation=1/banking/banking/LOAD00000001.parquet      first task, full load
 * cdc/generation=1/banking/banking/20240301-101500123.parquet first task, changes
 * cdc/generation=2/banking/banking/LOAD00000001.parquet      replacement task, full load
 * cdc/generation=2/banking/banking/20240402-080000456.parquet replacement task, changes
 * cdc/truncations/...                                        truncation marks (see as-of-query.ts)
 * ```
 *
 * Within a generation, one folder per table and no date partitioning: DMS writes a table's
 * full-load files directly into `<BucketFolder>/<schema>/<table>/` even when
 * `DatePartitionEnabled` is on, and only the change files into `YYYY/MM/DD/` subfolders, so a
 * Glue table partitioned by date would never see the full load. The Glue table of a replicated
 * table reads every generation through a `generation` partition column whose projected
 * locations are the generation folders ({@link generationPartitionProjection}); the as-of query
 * picks the generation to read (`lib/catalog/as-of-query.ts`).
 *
 * A generation never reloads in place: `reload-target` (or reloading a table from the console)
 * writes the load files again into the same folder and replaces the earlier load. A reload is a
 * new generation.
 */

/** The partition column of a replicated table's Glue table that holds the generation number. */
export const GENERATION_COLUMN = 'generation';

/** The `BucketFolder` endpoint setting: the configured prefix without its trailing slash. */
export function dmsBucketFolder(bucketFolder: string): string {
  return bucketFolder.replace(/\/+$/, '');
}

/**
 * The `BucketFolder` of one generation's target endpoint:
 * `<bucketFolder>/generation=<generation>`. Hive-style, so that tools that read partitions
 * from paths (Spark, DuckDB, Glue crawlers) see the generation too.
 */
export function generationBucketFolder(bucketFolder: string, generation: number): string {
  return `${dmsBucketFolder(bucketFolder)}/${GENERATION_COLUMN}=${checkedGeneration(generation)}`;
}

/**
 * The key prefix that DMS writes one table's files under, for an endpoint `BucketFolder`:
 * `<bucketFolder>/<mysqlDatabase>/<table>/`. For one generation's folder, pass
 * {@link generationBucketFolder}.
 */
export function tableKeyPrefix(
  bucketFolder: string,
  dataset: Pick<DatasetConfig, 'mysqlDatabase' | 'name'>,
): string {
  return `${dmsBucketFolder(bucketFolder)}/${dataset.mysqlDatabase}/${dataset.name}/`;
}

/**
 * The location of one table's files in any generation, with Athena's `${generation}`
 * placeholder: `s3://<bucket>/<bucketFolder>/generation=${generation}/<mysqlDatabase>/<table>/`.
 */
export function tableLocationTemplate(
  bucketName: string,
  bucketFolder: string,
  dataset: Pick<DatasetConfig, 'mysqlDatabase' | 'name'>,
): string {
  const generationFolder = `${dmsBucketFolder(bucketFolder)}/${GENERATION_COLUMN}=\${${GENERATION_COLUMN}}`;
  return `s3://${bucketName}/${tableKeyPrefix(generationFolder, dataset)}`;
}

/**
 * The Glue table parameters that make Athena read generations 1 to `currentGeneration` of a
 * table through partition projection on {@link GENERATION_COLUMN} (an `int` partition key),
 * each from its own folder. A generation with no files for the table reads as empty.
 */
export function generationPartitionProjection(
  locationTemplate: string,
  currentGeneration: number,
): Record<string, string> {
  return {
    'projection.enabled': 'true',
    [`projection.${GENERATION_COLUMN}.type`]: 'integer',
    [`projection.${GENERATION_COLUMN}.range`]: `1,${checkedGeneration(currentGeneration)}`,
    'storage.location.template': locationTemplate,
  };
}

/**
 * The key prefix of the truncation marks (`lib/catalog/as-of-query.ts`): `<bucketFolder>/truncations/`,
 * next to the generation folders and outside every one of them, so that no DMS task writes there.
 */
export function truncationsKeyPrefix(bucketFolder: string): string {
  return `${dmsBucketFolder(bucketFolder)}/truncations/`;
}

function checkedGeneration(generation: number): number {
  if (!Number.isSafeInteger(generation) || generation < 1) {
    throw new Error(`a replication generation is a whole number from 1, not ${generation}`);
  }
  return generation;
}
