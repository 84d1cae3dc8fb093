import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
} from '@aws-sdk/client-redshift-data';
import { errorName, isAccessDenied } from '../../shared/handler/aws-errors';
import { messageOf, plainError } from '../../shared/handler/plain-error';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import type { RowSource, SourceStatus, StagedFiles } from './row-source';
import { stagedKey } from './row-source';
import type { SnapshotObjects } from './snapshot-objects';
import type { RedshiftUnloadTarget } from './snapshot-sql';
import { redshiftUnloads } from './snapshot-sql';

/** Properties of a {@link RedshiftRows}. */
export interface RedshiftRowsProps {
  readonly redshiftData: Pick<RedshiftDataClient, 'send'>;
  readonly objects: SnapshotObjects;
  readonly clusterIdentifier: string;
  readonly database: string;
  readonly secretArn: string;
  readonly select: string;
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
  readonly unload: RedshiftUnloadTarget;
  /** The name prefixes of the two unloads in the snapshots bucket (`.../parquet/part_`). */
  readonly prefixes: { readonly parquet: string; readonly csv: string };
  /** The ClientToken: the same attempt gets the same statement. */
  readonly attempt: string;
  readonly retry?: RetryOptions;
}

/** The parts of `MANIFEST VERBOSE` that are read; its `schema` is not. */
interface UnloadManifest {
  readonly entries?: ReadonlyArray<{
    readonly url?: string;
    readonly meta?: { readonly content_length?: number; readonly record_count?: number };
  }>;
}

/**
 * A Redshift table's rows, written by two UNLOADs through the Redshift Data API in one
 * `BatchExecuteStatement`, which runs its statements as one transaction: both read the same
 * state of the table. A Data API statement can be described only by the identity that ran it,
 * so the same role must start and poll it (the handler does both from `isComplete`).
 */
export class RedshiftRows implements RowSource {
  readonly dialect = { quoting: 'minimal', null: 'empty' } as const;

  constructor(private readonly props: RedshiftRowsProps) {}

  private send<T>(operation: () => Promise<T>): Promise<T> {
    return withRetry(operation, this.props.retry).catch((error: unknown) => {
      if (!isAccessDenied(error)) throw error;
      throw plainError(
        `The Redshift Data API refused the snapshot handler (${errorName(error)}: ${messageOf(error)}); its role needs redshift-data:BatchExecuteStatement on cluster ${this.props.clusterIdentifier}, redshift-data:DescribeStatement and secretsmanager:GetSecretValue on ${this.props.secretArn}.`,
      );
    });
  }

  async start(): Promise<Record<string, string>> {
    const { props } = this;
    const sqls = redshiftUnloads(
      props.select,
      props.columns,
      props.primaryKey,
      {
        parquet: props.objects.uri(props.prefixes.parquet),
        csv: props.objects.uri(props.prefixes.csv),
      },
      props.unload,
    );
    const started = await this.send(() =>
      props.redshiftData.send(
        new BatchExecuteStatementCommand({
          ClusterIdentifier: props.clusterIdentifier,
          Database: props.database,
          SecretArn: props.secretArn,
          Sqls: sqls,
          StatementName: 'training-snapshot',
          ClientToken: props.attempt,
        }),
      ),
    );
    if (!started.Id) throw new Error('The Redshift Data API started a statement without an id');
    return { statement: started.Id };
  }

  async poll(ids: Readonly<Record<string, string>>): Promise<SourceStatus> {
    const statement = await this.send(() =>
      this.props.redshiftData.send(new DescribeStatementCommand({ Id: ids.statement })),
    );
    const status = statement.Status ?? 'SUBMITTED';
    if (status === 'FAILED' || status === 'ABORTED') {
      const failed = statement.SubStatements?.find((sub) => sub.Error);
      const reason =
        statement.Error ??
        failed?.Error ??
        (status === 'ABORTED' ? 'it was cancelled' : 'Redshift gave no reason');
      throw plainError(`Redshift UNLOAD statement ${ids.statement} ${status}: ${reason}`);
    }
    if (status !== 'FINISHED')
      return { done: false, detail: `statement ${ids.statement} ${status}` };
    return {
      done: true,
      finishedAt: (statement.UpdatedAt ?? new Date()).toISOString(),
      files: await this.unloadedFiles(),
    };
  }

  async stop(ids: Readonly<Record<string, string>>): Promise<void> {
    if (!ids.statement) return;
    try {
      await this.props.redshiftData.send(new CancelStatementCommand({ Id: ids.statement }));
    } catch (error) {
      console.log(`cancelling statement ${ids.statement} failed: ${messageOf(error)}`);
    }
  }

  /** The files of both unloads, from their `MANIFEST VERBOSE` (written to `<prefix>manifest`). */
  private async unloadedFiles(): Promise<StagedFiles> {
    const parquet = await this.manifestEntries(this.props.prefixes.parquet);
    const csv = await this.manifestEntries(this.props.prefixes.csv);
    if (csv.length !== 1) {
      throw plainError(
        `The CSV UNLOAD wrote ${csv.length} files; a snapshot holds one CSV (PARALLEL OFF writes one file of up to 6.2 GB).`,
      );
    }
    const sum = (entries: typeof parquet) =>
      entries.every((entry) => entry.rows !== undefined)
        ? entries.reduce((total, entry) => total + (entry.rows ?? 0), 0)
        : undefined;
    const csvRecords = sum(csv);
    return {
      // An unload of no rows may write empty objects, which are no Parquet files.
      parquet: parquet.filter((entry) => entry.size !== 0).map((entry) => entry.key),
      csv: csv[0].key,
      // With HEADER, a file's record count includes its header line.
      reportedRows: {
        parquet: sum(parquet),
        csv: csvRecords === undefined ? undefined : csvRecords - 1,
      },
    };
  }

  private async manifestEntries(
    prefix: string,
  ): Promise<Array<{ key: string; size?: number; rows?: number }>> {
    const { objects } = this.props;
    const key = `${prefix}manifest`;
    const text = await objects.text(key);
    if (text === undefined) throw plainError(`The UNLOAD manifest ${objects.uri(key)} is missing`);
    let manifest: UnloadManifest;
    try {
      manifest = JSON.parse(text);
    } catch (error) {
      throw plainError(`The UNLOAD manifest ${objects.uri(key)} is not JSON: ${messageOf(error)}`);
    }
    const where = `The UNLOAD manifest ${objects.uri(key)}`;
    return (manifest.entries ?? []).map((entry) => ({
      key: stagedKey(entry.url ?? '', objects.bucket, prefix, where),
      size: entry.meta?.content_length,
      rows: entry.meta?.record_count,
    }));
  }
}
