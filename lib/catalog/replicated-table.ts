import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import { DMS_COLUMNS } from '../replication/dms-columns';
import { glueColumnType } from './glue-types';

/** Properties of {@link ReplicatedTable}. */
export interface ReplicatedTableProps {
  /** The Glue database; pass its `ref` so that the table is created after it. */
  readonly databaseName: string;
  /** The source table whose change history the Glue table reads. */
  readonly dataset: DatasetConfig;
  /** The data lake bucket. */
  readonly bucket: s3.IBucket;
  /** The key prefix that DMS writes the table's files under, ending with a slash. */
  readonly keyPrefix: string;
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
 * changes, declared in code from the dataset's columns so that its schema is reviewed with the
 * code and exists before any crawler runs. It has no partitions: the table's folder holds the
 * full-load files next to the change files, and all of them are needed (see
 * `lib/replication/data-lake-layout.ts`).
 */
export class ReplicatedTable extends Construct {
  readonly table: glue.CfnTable;
  readonly tableName: string;
  /** `s3://bucket/prefix/` of the table's files. */
  readonly location: string;

  constructor(scope: Construct, id: string, props: ReplicatedTableProps) {
    super(scope, id);
    const { dataset } = props;
    this.tableName = dataset.name;
    this.location = `s3://${props.bucket.bucketName}/${props.keyPrefix}`;

    const reserved = new Set(CHANGE_COLUMNS.map((column) => column.name));
    this.node.addValidation({
      validate: () =>
        dataset.columns
          .filter((column) => reserved.has(column.name))
          .map(
            (column) =>
              `dataset "${dataset.name}": column "${column.name}" clashes with a column DMS adds to every row`,
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
        },
        partitionKeys: [],
        storageDescriptor: {
          location: this.location,
          columns: [
            ...CHANGE_COLUMNS,
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
