import { Construct } from 'constructs';
import type { DataRearrangement } from './data-rearrangement';
import { dataRearrangementJson } from './data-rearrangement';
import type { DataSchema } from './data-schema';
import { DataSourceResource } from './datasource-resource';
import { dataSourceIdProblems, dataSourceNameProblems } from './datasource-validation';

/** What a complement takes from the datasource whose other rows it reads. */
export interface ComplementOrigin {
  /** The origin's id prefix. */
  readonly dataSourceIdPrefix: string;
  /** The origin's datasource id; a replaced origin replaces its complement. */
  readonly dataSourceId: string;
  /** The schema of the origin's staged data, which the complement reads with it. */
  readonly schema: DataSchema;
  /** The share of the rows the origin reads; the complement reads the others. */
  readonly dataRearrangement?: DataRearrangement;
}

/** Properties of a {@link ComplementDataSource}. */
export interface ComplementDataSourceProps {
  /** The datasource id, 1 to 48 of `[a-zA-Z0-9_.-]`; a version suffix is appended. */
  readonly dataSourceIdPrefix: string;
  /**
   * The name shown in the Amazon ML console.
   * @default - no name
   */
  readonly dataSourceName?: string;
  /** The split datasource whose other rows this datasource reads. */
  readonly origin: ComplementOrigin;
  /**
   * Compute statistics, which a datasource needs to evaluate a model.
   * @default true
   */
  readonly computeStatistics?: boolean;
}

/**
 * The complement of a split datasource (`CreateDataSourceFromS3`): the rows outside the
 * origin's `DataRearrangement` range, read from the data the origin staged, with the same
 * schema. Reading the same staged bytes is what makes the pair complementary: each database
 * datasource runs its own query, and a shuffled query (`ORDER BY rand()`) orders the rows
 * differently every time, so a second export would share rows with the first. Amazon ML reads
 * the staged data as itself, which the staging bucket policy admits for the origin's prefix.
 */
export class ComplementDataSource extends Construct {
  /** The id of the datasource in Amazon ML. */
  readonly dataSourceId: string;
  /** The datasource's status once deployed: `COMPLETED`. */
  readonly status: string;

  constructor(scope: Construct, id: string, props: ComplementDataSourceProps) {
    super(scope, id);
    const { origin } = props;
    const split = origin.dataRearrangement;
    const problems = [
      ...dataSourceIdProblems(props.dataSourceIdPrefix),
      ...dataSourceNameProblems(props.dataSourceName),
      ...(split
        ? []
        : [
            `datasource "${origin.dataSourceIdPrefix}" reads every row (it has no dataRearrangement), so a complement of it would read none`,
          ]),
    ];
    this.node.addValidation({ validate: () => problems });

    const resource = new DataSourceResource(this, 'DataSource', {
      source: 'complement',
      originIdPrefix: origin.dataSourceIdPrefix,
      properties: {
        Engine: 's3',
        DataSourceIdPrefix: props.dataSourceIdPrefix,
        DataSourceName: props.dataSourceName,
        ComputeStatistics: props.computeStatistics ?? true,
        OriginDataSourceId: origin.dataSourceId,
        DataSchema: origin.schema.toJson(),
        DataRearrangement: split ? dataRearrangementJson(split, { complement: true }) : undefined,
      },
    });
    this.dataSourceId = resource.dataSourceId;
    this.status = resource.status;
  }
}
