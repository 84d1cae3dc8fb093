import type { SnapshotColumn, SnapshotDefinition } from './snapshot-properties';

/**
 * `manifest.json`, the last object of a snapshot: written once every other file is in place
 * and checked, so that its presence means the snapshot is complete. It says what the snapshot
 * is (the definition and its digest, which a second deploy compares), how it was made (the
 * SQL and the query or statement ids), and what it holds (rows, columns, every file with its
 * size and SHA-256).
 */

/** The version of the manifest's shape. */
export const MANIFEST_FORMAT = 1;

/** One file of the snapshot. */
export interface ManifestFile {
  /** The key in the snapshots bucket. */
  readonly key: string;
  readonly format: 'parquet' | 'csv' | 'amazon-ml-schema';
  readonly size: number;
  /** Hex SHA-256 of the bytes, as `sha256sum` prints it. */
  readonly sha256: string;
  /** Rows in the file (the CSV's header not counted). */
  readonly rows?: number;
}

/** How the CSV is written, since the two sources write it differently. */
export interface CsvDialect {
  readonly header: true;
  readonly delimiter: ',';
  /**
   * `all`: every value in double quotes (Athena); `minimal`: only values with a comma, quote or
   * line break (Redshift).
   */
  readonly quoting: 'all' | 'minimal';
  /** `unquoted-empty`: NULL is an empty field without quotes, `""` the empty string (Athena); `empty`: both are empty (Redshift). */
  readonly null: 'unquoted-empty' | 'empty';
  /** The columns with a value that holds a line break (in quotes). */
  readonly columnsWithLineBreaks: readonly string[];
}

/** The manifest. */
export interface SnapshotManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly name: string;
  readonly dataset: string;
  readonly source: SnapshotDefinition['source'];
  /** The moment of a history snapshot, UTC. */
  readonly at?: string;
  readonly definition: SnapshotDefinition;
  readonly definitionDigest: string;
  /** The SELECT that both files were written from. */
  readonly sql: string;
  /** Athena query ids (history) or the Redshift Data API statement id (redshift). */
  readonly queries: Readonly<Record<string, string>>;
  readonly rows: number;
  readonly columns: readonly SnapshotColumn[];
  readonly files: readonly ManifestFile[];
  readonly csv: CsvDialect;
  /** Whether Amazon ML can read the CSV: it refuses line breaks inside values, quoted or not. */
  readonly amazonMl: { readonly readable: boolean; readonly reason?: string };
  /** When the rows were read: when the queries or the statement finished. */
  readonly createdAt: string;
  readonly appVersion: string;
}

/** Whether `text` is a manifest (of this format), and which. */
export function parseManifest(text: string, where: string): SnapshotManifest {
  let value: Partial<SnapshotManifest>;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not JSON: ${(error as Error).message}`);
  }
  if (value?.format !== MANIFEST_FORMAT || typeof value.definitionDigest !== 'string') {
    throw new Error(`${where} is not a snapshot manifest of format ${MANIFEST_FORMAT}`);
  }
  return value as SnapshotManifest;
}
