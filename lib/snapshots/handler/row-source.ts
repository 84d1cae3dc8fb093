import type { CsvDialect } from './snapshot-manifest';

/**
 * What writes a snapshot's rows into staging: Athena (the history) or Redshift. Each step is a
 * call that returns at once, so that the handler can resume it in its next invocation from
 * the state it saved; the ids it returns are that state.
 */
export interface RowSource {
  /** How the source writes its CSV. */
  readonly dialect: Pick<CsvDialect, 'quoting' | 'null'>;
  /** Starts writing both files; the ids of what runs, by name (`parquet`, `csv` or `statement`). */
  start(): Promise<Record<string, string>>;
  /** Whether what `start` began is done; throws, with the source's reason, if it failed. */
  poll(ids: Readonly<Record<string, string>>): Promise<SourceStatus>;
  /** Asks what runs to stop. */
  stop(ids: Readonly<Record<string, string>>): Promise<void>;
}

/** Where a finished source wrote the rows, in the snapshots bucket. */
export interface StagedFiles {
  /** The Parquet files, in order. */
  readonly parquet: readonly string[];
  /** The one CSV file with a header. */
  readonly csv: string;
  /** Rows the source says it wrote, per format, when it says so. */
  readonly reportedRows?: { readonly parquet?: number; readonly csv?: number };
}

export type SourceStatus =
  | { readonly done: false; readonly detail: string }
  | { readonly done: true; readonly finishedAt: string; readonly files: StagedFiles };

/** The key of an `s3://` URI in `bucket` under `prefix`; anything else is refused. */
export function stagedKey(uri: string, bucket: string, prefix: string, what: string): string {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri.trim());
  if (!match || match[1] !== bucket || !match[2].startsWith(prefix)) {
    throw new Error(`${what} names ${uri}, which is not under s3://${bucket}/${prefix}`);
  }
  return match[2];
}
