import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import {
  GENERATION_COLUMN,
  generationBucketFolder,
  generationPartitionProjection,
  tableKeyPrefix,
  tableLocationTemplate,
} from '../replication/data-lake-layout';
import { beforeImageColumn, DMS_COLUMNS } from '../replication/dms-columns';
import { glueColumnType } from './glue-types';

/** Properties of {@link ReplicatedTable}. */
export interface ReplicatedTableProps {
  /** The Glue database; pass its `ref` so that the table is created after it. */
  readonly databaseName: string;
  /** The source table whose change history the Glue table reads. */
  readonly dataset: DatasetConfig;
  /** The data lake bucket. */
  readonly bucket: s3.IBucket;
  /** The prefix that every replication generation writes under, ending with a slash. */
  readonly bucketFolder: string;
  /** The current replication generation: the table reads generations 1 to this one. */
  readonly generation: number;
}

/**
 * The columns DMS adds to every row. DMS writes the commit timestamp as a string
 * (`yyyy-MM-dd HH:mm:ss.SSSSSS`, UTC), and Athena reads a Parquet column only as its stored
 * type, so the column is declared a string; queries compare `CAST(commit_ts AS timestamp)`.
 */
export const CHANGE_COLUMNS: readonly glue.CfnTable.ColumnProperty[] = [
  {
    name: DMS_COLUMNS.operation,
    type: 'string',
    comment: 'I insert (full-load rows too), U update, D delete',
  },
  {
    name: DMS_COLUMNS.commitTimestamp,
    type: 'string',
    comment:
      "Commit time in the source, UTC, as 'yyyy-MM-dd HH:mm:ss.SSSSSS'; the task start time for full-load rows",
  },
  {
    name: DMS_COLUMNS.changeSequence,
    type: 'string',
    comment:
      'Source change sequence, which orders changes of the same instant; empty for full-load rows',
  },
];

/**
 * The Glue table over one source table's change history: every row DMS wrote, full load and
 * changes, in every replication generation, declared in code from the dataset's columns so
 * that its schema is reviewed with the code and exists before any crawler runs.
 *
 * Each generation writes its own folder, above the schema and table folders
 * (`lib/replication/data-lake-layout.ts`), so the table is partitioned by `generation` and
 * Athena finds each generation's files through partition projection on a location template,
 * generations 1 to the current one; nothing registers partitions. Within a generation there
 * are no partitions: the table's folder holds the full-load files next to the change files,
 * and all of them are needed. The table's own location is the current generation's folder,
 * which is what tools that ignore projection (and the declared-tables crawler) read.
 *
 * Besides the dataset's columns and the DMS columns, it has the before-image of each primary
 * key column (`bi_<key>`, typed as the key), which DMS writes for every change.
 */
export class ReplicatedTable extends Construct {
  readonly table: glue.CfnTable;
  readonly tableName: string;
  /** `s3://bucket/prefix/` of the table's files in the current generation. */
  readonly location: string;
  /** The key prefix of the table's files in the current generation, ending with a slash. */
  readonly keyPrefix: string;

  constructor(scope: Construct, id: string, props: ReplicatedTableProps) {
    super(scope, id);
    const { dataset } = props;
    this.tableName = dataset.name;
    this.keyPrefix = tableKeyPrefix(
      generationBucketFolder(props.bucketFolder, props.generation),
      dataset,
    );
    this.location = `s3://${props.bucket.bucketName}/${this.keyPrefix}`;
    const beforeImages = dataset.primaryKey.map((key) => {
      const column = dataset.columns.find((candidate) => candidate.name === key);
      if (!column) throw new Error(`dataset "${dataset.name}": primary key "${key}" is no column`);
      return {
        name: beforeImageColumn(key),
        type: glueColumnType(column.type),
        comment: `${key} before the change (DMS before-image); an update that changes the key holds the old key here`,
      };
    });

    const reserved = new Set([
      ...CHANGE_COLUMNS.map((column) => column.name),
      GENERATION_COLUMN,
      ...beforeImages.map((column) => column.name),
    ]);
    this.node.addValidation({
      validate: () =>
        dataset.columns
          .filter((column) => reserved.has(column.name))
          .map(
            (column) =>
              `dataset "${dataset.name}": column "${column.name}" clashes with a column DMS adds to every row, or with the generation partition`,
          ),
    });

    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: Stack.of(this).account,
      databaseName: props.databaseName,
      tableInput: {
        name: dataset.name,
        description: `Change history of ${dataset.mysqlDatabase}.${dataset.name}, one row per insert, update and delete, written by DMS`,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          'source.database': dataset.mysqlDatabase,
          'primary.key': dataset.primaryKey.join(','),
          ...generationPartitionProjection(
            tableLocationTemplate(props.bucket.bucketName, props.bucketFolder, dataset),
            props.generation,
          ),
        },
        partitionKeys: [
          {
            name: GENERATION_COLUMN,
            type: 'int',
            comment: 'Replication generation: each one is a full load and the changes after it',
          },
        ],
        storageDescriptor: {
          location: this.location,
          columns: [
            ...CHANGE_COLUMNS,
            ...beforeImages,
            ...dataset.columns.map((column) => ({
              name: column.name,
              type: glueColumnType(column.type),
              comment: `MySQL ${column.type}`,
            })),
          ],
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            parameters: { 'serialization.format': '1' },
          },
          compressed: false,
          storedAsSubDirectories: false,
        },
      },
    });
  }
}
