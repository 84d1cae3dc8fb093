import {
  CreateDataSourceFromRDSCommand,
  CreateDataSourceFromRedshiftCommand,
  CreateDataSourceFromS3Command,
  MachineLearningClient,
} from '@aws-sdk/client-machine-learning';
import type { GetDataSourceOutput } from '@aws-sdk/client-machine-learning';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { explainRefusal, explainUnreachable, isError } from '../../shared/handler/aws-errors';
import type * as cfn from '../../shared/handler/custom-resource';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import { credentialsIn } from '../../shared/handler/secret-credentials';
import { AMAZON_ML_REGIONS } from '../regions';
import type { CreateCall } from './datasource-lifecycle';
import { dataSourceLifecycle } from './datasource-lifecycle';
import type {
  ComplementDataSourceProperties,
  DataSourceProperties,
  DatabaseDataSourceProperties,
} from './datasource-properties';
import type { CreateDataSourceRequest, DatabaseCredentials } from './datasource-request';
import {
  contentDigest,
  createComplementRequest,
  createDataSourceRequest,
  redacted,
  stagingLocationOf,
} from './datasource-request';
import type { FirstLine } from './staged-data';
import { StagedData, headerMismatch } from './staged-data';

/** The clients and retry behaviour of the handler; tests replace them. */
export interface DataSourceHandlerDependencies {
  readonly ml: MachineLearningClient;
  readonly secrets: SecretsManagerClient;
  /** Reads the first staged line, and deletes the staged data with its datasource. */
  readonly s3: S3Client;
  /** The Region the handler runs in, whose Amazon ML endpoint it calls. */
  readonly region: string;
  /**
   * How throttling and server errors are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

const SERVICE = 'Amazon Machine Learning';
const CONFIG_SWITCH = 'features.amazonMl';

/** Turns what Amazon ML answered into an error a person can act on. */
function explain(error: unknown, dataSourceId: string, region: string): unknown {
  const refusal = explainRefusal(error, { service: SERVICE, configSwitch: CONFIG_SWITCH });
  if (refusal) return refusal;
  const unreachable = explainUnreachable(error, {
    service: SERVICE,
    configSwitch: CONFIG_SWITCH,
    regions: AMAZON_ML_REGIONS,
    region,
  });
  if (unreachable) return unreachable;
  if (isError(error, 'IdempotentParameterMismatchException')) {
    return plainError(
      `Amazon ML already has a datasource "${dataSourceId}" created from a different request: ${messageOf(error)}`,
    );
  }
  if (isError(error, 'InvalidInputException')) {
    return plainError(`Amazon ML rejected datasource "${dataSourceId}": ${messageOf(error)}`);
  }
  return error;
}

/**
 * What a FAILED datasource's message suggests about the staging location: Amazon ML reads and
 * writes it as its service principal, which the documents describe for buckets without a KMS
 * key only.
 */
function stagingHint(message: string): string {
  if (!/access ?denied|forbidden|not authorized|kms|permission/i.test(message)) return '';
  return (
    ' Amazon ML uses the staging location as machinelearning.amazonaws.com, which the staging bucket policy' +
    ' (AmazonMlListsStaging, AmazonMlReadsStaging, AmazonMlWritesStaging) and the data key policy (AmazonMlUsesKeyThroughS3)' +
    ' admit for this account; the Amazon ML documentation does not say what else a KMS-encrypted bucket needs.'
  );
}

export type DataSourceEvent = cfn.OnEvent<DataSourceProperties>;
export type DataSourceIsCompleteEvent = cfn.IsCompleteEvent<DataSourceProperties>;

/** The onEvent and isComplete handlers of `Custom::AmazonMlDataSource`. */
export function dataSourceHandlers(deps: DataSourceHandlerDependencies) {
  const staged = new StagedData(deps.s3, deps.retry);

  async function readCredentials(secretArn: string): Promise<DatabaseCredentials> {
    let secretString: string | undefined;
    try {
      const secret = await withRetry(
        () => deps.secrets.send(new GetSecretValueCommand({ SecretId: secretArn })),
        deps.retry,
      );
      secretString = secret.SecretString;
    } catch (error) {
      throw plainError(
        `Cannot read the database credentials from ${secretArn}: ${messageOf(error)}`,
      );
    }
    const { username, password } = credentialsIn(secretArn, secretString);
    return { Username: username, Password: password };
  }

  async function send(request: CreateDataSourceRequest): Promise<void> {
    if (request.engine === 'redshift') {
      await deps.ml.send(new CreateDataSourceFromRedshiftCommand(request.input));
    } else if (request.engine === 'rds') {
      await deps.ml.send(new CreateDataSourceFromRDSCommand(request.input));
    } else {
      await deps.ml.send(new CreateDataSourceFromS3Command(request.input));
    }
  }

  /**
   * The request of a complement: where its origin's data is staged, which Amazon ML reports
   * once the origin is COMPLETED (the complement depends on it).
   */
  async function complementRequest(
    properties: ComplementDataSourceProperties,
    id: string,
  ): Promise<CreateDataSourceRequest> {
    const originId = properties.OriginDataSourceId;
    const origin = await describe(originId);
    if (origin?.Status !== 'COMPLETED' || !origin.DataLocationS3) {
      throw plainError(
        `Datasource "${id}" reads the staged data of "${originId}", which is ` +
          (origin ? `${origin.Status ?? 'of unknown status'}` : 'missing') +
          (origin?.Status === 'COMPLETED' ? ' but has no DataLocationS3' : '') +
          ': it needs a COMPLETED datasource whose data Amazon ML has staged.',
      );
    }
    return createComplementRequest(properties, id, origin.DataLocationS3);
  }

  async function databaseRequest(
    properties: DatabaseDataSourceProperties,
    id: string,
  ): Promise<CreateDataSourceRequest> {
    const credentials = await readCredentials(properties.SecretArn);
    return createDataSourceRequest(properties, id, credentials);
  }

  /** The create request of datasource `id`, logged without the password. */
  async function prepareCreate(properties: DataSourceProperties, id: string): Promise<CreateCall> {
    const request =
      properties.Engine === 's3'
        ? await complementRequest(properties, id)
        : await databaseRequest(properties, id);
    console.log('creating datasource', JSON.stringify(redacted(request)));
    return () => send(request);
  }

  /**
   * Where the datasource's data is staged: where Amazon ML reports it, else where the handler
   * asked it to stage.
   */
  function stagedLocation(
    properties: DatabaseDataSourceProperties,
    id: string,
    dataSource?: GetDataSourceOutput,
  ): string {
    return dataSource?.DataLocationS3 ?? stagingLocationOf(properties, id);
  }

  /**
   * Fails unless the first staged line agrees with the schema's `dataFileContainsHeader`: the
   * documents do not say whether Amazon ML's exports start with the column names.
   */
  async function checkHeader(
    properties: DatabaseDataSourceProperties,
    id: string,
    dataSource: GetDataSourceOutput,
  ): Promise<void> {
    const location = stagedLocation(properties, id, dataSource);
    let first: FirstLine | undefined;
    try {
      first = await staged.firstLine(location);
    } catch (error) {
      throw plainError(
        `Could not read the data of datasource "${id}" under ${location} to check its dataFileContainsHeader: ${messageOf(error)}`,
      );
    }
    if (!first) {
      throw plainError(
        `Amazon ML completed datasource "${id}" but staged no data under ${location}, so its dataFileContainsHeader cannot be checked.`,
      );
    }
    const mismatch = headerMismatch(properties.DataSchema, first, location);
    if (mismatch)
      throw plainError(`Datasource "${id}" (${properties.DataSourceIdPrefix}): ${mismatch}.`);
  }

  /** After the datasource is gone, the data it staged goes too: nothing else reads it. */
  async function deleteStaged(properties: DataSourceProperties, id: string): Promise<void> {
    if (properties.Engine === 's3') return;
    const location = stagingLocationOf(properties, id);
    const count = await staged.deleteAll(location);
    console.log(`deleted ${count} staged objects under ${location}`);
  }

  /** A COMPLETED datasource read from a database must agree with its schema's header flag. */
  async function checkCompleted(
    properties: DataSourceProperties,
    id: string,
    dataSource: GetDataSourceOutput,
  ): Promise<void> {
    if (properties.Engine !== 's3') await checkHeader(properties, id, dataSource);
  }

  const { describe, onEvent, isComplete } = dataSourceLifecycle<DataSourceProperties>({
    ml: deps.ml,
    retry: deps.retry,
    contentDigest,
    prepareCreate,
    explain: (error, id) => explain(error, id, deps.region),
    logs: {
      deleted: (id) => `deleted datasource ${id}`,
      notADataSource: (id) => `"${id}" is not an Amazon ML datasource id; nothing to delete`,
      alreadyGone: (id) => `datasource ${id} is already gone`,
      pending: (id, status) => `datasource ${id} is ${status}`,
    },
    checkCompleted,
    afterGone: deleteStaged,
    failureHint: stagingHint,
  });

  return { onEvent, isComplete };
}

/** The Lambda entry points. */
export const { onEvent, isComplete } = deployedHandlers(() =>
  dataSourceHandlers({
    ml: new MachineLearningClient({}),
    secrets: new SecretsManagerClient({}),
    s3: new S3Client({}),
    region: process.env.AWS_REGION ?? '',
  }),
);
