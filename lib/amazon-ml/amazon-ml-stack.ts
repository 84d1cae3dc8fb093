import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import { datasetNamed } from '../config/dataset';
import type { DatabaseSources } from '../sources/database-source';
import type { StorageResources } from '../storage/storage-resources';
import { RegionCheck } from '../shared/region-check';
import { ComplementDataSource } from './complement-datasource';
import type { AmazonMlConfig, AmazonMlDatasourceConfig } from './config';
import type { DataRearrangement } from './data-rearrangement';
import { DataPipelineRoles } from './data-pipeline-roles';
import { datasourceColumns } from './datasource-columns';
import { DataSchema, attributesFromColumns } from './data-schema';
import { RdsDataSource } from './rds-datasource';
import { RedshiftDataSource } from './redshift-datasource';
import { AMAZON_ML_REGIONS, amazonMlRegionMessage } from './regions';
import { shuffledSelect } from './select-query';
import { StagingLocation } from './staging-location';

/** The dataset, schema and columns that a datasource reads. */
function definitionOf(datasource: AmazonMlDatasourceConfig, datasets: readonly DatasetConfig[]) {
  const dataset = datasetNamed(datasets, datasource.dataset);
  const columns = datasourceColumns(datasource, dataset);
  const schema = new DataSchema({
    attributes: attributesFromColumns(columns),
    targetAttribute: datasource.targetAttribute,
    rowIdAttribute: datasource.rowIdAttribute,
    excludedAttributes: datasource.excludedAttributes,
    dataFileContainsHeader: datasource.dataFileContainsHeader,
  });
  return { dataset, schema, columnNames: columns.map((column) => column.name) };
}

/** The splitting of a datasource, with its seed: the datasource id unless configured. */
function splitOf(datasource: AmazonMlDatasourceConfig): DataRearrangement | undefined {
  const split = datasource.dataRearrangement;
  if (!split) return undefined;
  return split.strategy === 'random'
    ? { ...split, randomSeed: split.randomSeed ?? datasource.id }
    : { percentBegin: split.percentBegin, percentEnd: split.percentEnd };
}

/** Properties of the {@link AmazonMlStack}. */
export interface AmazonMlStackProps extends StackProps {
  /** The datasources and complements to create, and which Data Pipeline roles they use. */
  readonly amazonMl: AmazonMlConfig;
  /** The declared datasets; each datasource reads the one it names. */
  readonly datasets: readonly DatasetConfig[];
  /** The staging bucket and the key that encrypts it. */
  readonly storage: StorageResources;
  /** The databases that the datasources read. */
  readonly sources: DatabaseSources;
}

/**
 * The Amazon ML datasources of the configuration, read from Redshift and RDS for MySQL, and
 * the complements of split ones; deployable only where Amazon ML exists.
 */
export class AmazonMlStack extends Stack {
  /** The datasources, by configured id. */
  readonly dataSources = new Map<string, RedshiftDataSource | RdsDataSource>();
  /** The complements, by configured id. */
  readonly complements = new Map<string, ComplementDataSource>();
  /** The Data Pipeline roles, when a datasource reads RDS. */
  readonly pipelineRoles?: DataPipelineRoles;

  constructor(scope: Construct, id: string, props: AmazonMlStackProps) {
    super(scope, id, props);
    const { amazonMl, storage, sources } = props;
    const { datasources } = amazonMl;
    new RegionCheck(this, 'AmazonMlRegion', {
      regions: AMAZON_ML_REGIONS,
      message: amazonMlRegionMessage,
    });

    if (datasources.some((datasource) => datasource.source === 'mysql')) {
      this.pipelineRoles = new DataPipelineRoles(this, 'DataPipelineRoles', {
        mode: amazonMl.dataPipelineRoles,
      });
    }

    for (const datasource of datasources) {
      const definition = definitionOf(datasource, props.datasets);
      const common = {
        dataSourceIdPrefix: datasource.id,
        dataSourceName: datasource.name,
        schema: definition.schema,
        staging: StagingLocation.inBucket(
          storage.amazonMlStagingBucket,
          datasource.stagingPrefix,
          storage.dataKey,
        ),
        computeStatistics: datasource.computeStatistics,
        dataRearrangement: splitOf(datasource),
      };
      const dataSource =
        datasource.source === 'redshift'
          ? new RedshiftDataSource(this, datasource.id, {
              ...common,
              cluster: sources.redshift,
              selectSqlQuery:
                datasource.selectSql ??
                shuffledSelect('redshift', {
                  schema: definition.dataset.redshiftSchema,
                  table: definition.dataset.name,
                  columns: definition.columnNames,
                }),
            })
          : new RdsDataSource(this, datasource.id, {
              ...common,
              database: sources.mysql,
              databaseName: definition.dataset.mysqlDatabase,
              vpc: sources.vpc,
              subnets: sources.workloadSubnets,
              pipelineRoles: this.pipelineRoles!,
              selectSqlQuery:
                datasource.selectSql ??
                shuffledSelect('mysql', {
                  schema: definition.dataset.mysqlDatabase,
                  table: definition.dataset.name,
                  columns: definition.columnNames,
                }),
            });
      this.dataSources.set(datasource.id, dataSource);
      new CfnOutput(this, `${datasource.id}-id`, {
        description: `Amazon ML datasource id of ${datasource.id}`,
        value: dataSource.dataSourceId,
      });
    }

    for (const complement of amazonMl.complements) {
      const origin = this.dataSources.get(complement.complementOf);
      if (!origin) {
        throw new Error(
          `complement ${complement.id} names "${complement.complementOf}", which is not a datasource`,
        );
      }
      const dataSource = new ComplementDataSource(this, complement.id, {
        dataSourceIdPrefix: complement.id,
        dataSourceName: complement.name,
        origin,
        computeStatistics: complement.computeStatistics,
      });
      this.complements.set(complement.id, dataSource);
      new CfnOutput(this, `${complement.id}-id`, {
        description: `Amazon ML datasource id of ${complement.id}, the other rows of ${complement.complementOf}`,
        value: dataSource.dataSourceId,
      });
    }
  }
}
