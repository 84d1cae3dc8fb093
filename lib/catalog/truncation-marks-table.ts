import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { truncationsKeyPrefix } from '../replication/data-lake-layout';
import { TRUNCATIONS_TABLE } from './as-of-query';

/** Properties of {@link TruncationMarksTable}. */
export interface TruncationMarksTableProps {
  /** The Glue database; pass its `ref` so that the table is created after it. */
  readonly databaseName: string;
  /** The data lake bucket. */
  readonly bucket: s3.IBucket;
  /** The prefix that the replication writes under, ending with a slash. */
  readonly bucketFolder: string;
}

/**
 * The Glue table of truncation marks (`history_truncations`): one row per `TRUNCATE` or
 * `DROP TABLE` of a replicated source table, which DMS does not pass on to the history (see
 * `as-of-query.ts`). Users add a mark with Athena:
 *
 * ```sql
 * INSERT INTO history_truncations VALUES ('banking', TIMESTAMP '2024-03-01 10:20:00')
 * ```
 *
 * Comma-separated text without a header, which Athena writes for `INSERT INTO`, under
 * `<bucketFolder>truncations/`: next to the generation folders, where no DMS task writes.
 */
export class TruncationMarksTable extends Construct {
  readonly table: glue.CfnTable;
  readonly tableName = TRUNCATIONS_TABLE.name;
  /** `s3://bucket/prefix/` of the marks' files. */
  readonly location: string;
  /** The key prefix of the marks' files, ending with a slash. */
  readonly keyPrefix: string;

  constructor(scope: Construct, id: string, props: TruncationMarksTableProps) {
    super(scope, id);
    this.keyPrefix = truncationsKeyPrefix(props.bucketFolder);
    this.location = `s3://${props.bucket.bucketName}/${this.keyPrefix}`;
    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: Stack.of(this).account,
      databaseName: props.databaseName,
      tableInput: {
        name: TRUNCATIONS_TABLE.name,
        description:
          'Truncation marks: a TRUNCATE or DROP TABLE of a replicated source table, which its as-of query reads as the moment the table was emptied',
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'csv', EXTERNAL: 'TRUE' },
        partitionKeys: [],
        storageDescriptor: {
          location: this.location,
          columns: [
            {
              name: TRUNCATIONS_TABLE.tableColumn,
              type: 'string',
              comment: 'The replicated table (dataset name) that was truncated or dropped',
            },
            {
              name: TRUNCATIONS_TABLE.timeColumn,
              type: 'timestamp',
              comment: 'When the truncate committed in the source, UTC',
            },
          ],
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
            parameters: { 'field.delim': ',', 'serialization.format': ',' },
          },
          compressed: false,
          storedAsSubDirectories: false,
        },
      },
    });
  }
}
