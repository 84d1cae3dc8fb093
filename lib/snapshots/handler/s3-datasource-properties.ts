/**
 * The properties of a `Custom::AmazonMlSnapshotDataSource`: an Amazon ML datasource read from
 * a snapshot's CSV (`CreateDataSourceFromS3`). The handler reads the schema from the schema
 * file the snapshot wrote, so that the datasource and the file never differ. Its attributes are
 * those of every datasource resource (`DataSourceAttributes` in
 * `lib/amazon-ml/handler/datasource-properties.ts`).
 */

/** The CloudFormation type of a datasource over a snapshot. */
export const S3_DATASOURCE_RESOURCE_TYPE = 'Custom::AmazonMlSnapshotDataSource';

export interface S3DataSourceProperties {
  /** The configured id; the handler appends a version suffix to it. */
  readonly DataSourceIdPrefix: string;
  /** The name shown in the Amazon ML console. */
  readonly DataSourceName?: string;
  /** `ComputeStatistics`; CloudFormation passes booleans as strings. */
  readonly ComputeStatistics: boolean | 'true' | 'false';
  /** The snapshots bucket. */
  readonly Bucket: string;
  /** The snapshot's name, which locates its manifest, CSV and schema file. */
  readonly SnapshotName: string;
}
