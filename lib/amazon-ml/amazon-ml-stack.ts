import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DatasetConfig } from '../config/dataset';
import { datasetNamed } from '../config/dataset';
import type { DatabaseSources } from '../sources/database-source';
import type { StorageResources } from '../storage/storage-resources';
import type { AmazonMlConfig, AmazonMlDatasourceConfig } from './config';
import { DataPipelineRoles } from './data-pipeline-roles';
import { datasourceColumns } from './datasource-columns';
import { DataSchema, attributesFromColumns } from './data-schema';
import { RdsDataSource } from './rds-datasource';
import { RedshiftDataSource } from './redshift-datasource';
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
  });
  return { dataset, schema, columnNames: columns.map((column) => column.name) };
}

/** Properties of the {@link AmazonMlStack}. */
export interface AmazonMlStackProps extends StackProps {
  /** The datasources to create, and whether the Data Pipeline roles exist. */
  readonly amazonMl: AmazonMlConfig;
  /** The declared datasets; each datasource reads the one it names. */
  readonly datasets: readonly DatasetConfig[];
  /** The staging bucket and the key that encrypts it. */
  readonly storage: StorageResources;
  /** The databases that the datasources read. */
  readonly sources: DatabaseSources;
}

/** The Amazon ML datasources of the configuration, read from Redshift and RDS for MySQL. */
export class AmazonMlStack extends Stack {
  /** The datasources, by configured id. */
  readonly dataSources = new Map<string, RedshiftDataSource | RdsDataSource>();
  /** The Data Pipeline roles, when a datasource reads RDS. */
  readonly pipelineRoles?: DataPipelineRoles;

  constructor(scope: Construct, id: string, props: AmazonMlStackProps) {
    super(scope, id, props);
    const { amazonMl, storage, sources } = props;
    const { datasources } = amazonMl;

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
  }
}
