/**
 * The statements that write a snapshot's two files from its SELECT. Both read the same SELECT,
 * wrapped as a subquery, so that the Parquet and the CSV hold the same columns in the same
 * order; the CSV is sorted by the primary key, so that two runs over the same rows write the
 * same bytes.
 */

/** The identifier in double quotes, embedded quotes doubled (Trino, DuckDB and Redshift). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The text as a SQL string literal, embedded single quotes doubled. */
export function stringLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function wrapped(select: string, columns: readonly string[]): string {
  return `SELECT ${columns.map(quoteIdentifier).join(', ')} FROM (\n${select.trim()}\n) AS "snapshot"`;
}

/** Whether `uri` is an `s3://bucket/prefix/` folder. */
function isFolder(uri: string): boolean {
  return /^s3:\/\/[^/]+\/(.+\/)?$/.test(uri);
}

/**
 * Athena's UNLOAD of the rows to Parquet in `target`, a folder that must be empty (UNLOAD
 * refuses to write where data is), compressed with Snappy rather than Athena's default gzip,
 * which every Parquet reader reads and which splits.
 */
export function athenaUnload(select: string, columns: readonly string[], target: string): string {
  if (!isFolder(target))
    throw new Error(`UNLOAD needs an s3:// folder ending in "/", not "${target}"`);
  return [
    `UNLOAD (${wrapped(select, columns)})`,
    `TO ${stringLiteral(target)}`,
    "WITH (format = 'PARQUET', compression = 'SNAPPY')",
  ].join('\n');
}

/** The SELECT whose result CSV (the query's own result file) is the snapshot's CSV. */
export function athenaCsvSelect(
  select: string,
  columns: readonly string[],
  primaryKey: readonly string[],
): string {
  return `${wrapped(select, columns)}\nORDER BY ${primaryKey.map(quoteIdentifier).join(', ')}`;
}

/** What a Redshift UNLOAD needs besides its SELECT. */
export interface RedshiftUnloadTarget {
  /** The role the cluster assumes to write to S3. */
  readonly roleArn: string;
  /** The KMS key id the files are encrypted with (SSE-KMS). */
  readonly kmsKeyId: string;
}

/** Redshift takes the SELECT of an UNLOAD as a string literal. */
function unloadOf(select: string): string {
  return `UNLOAD (${stringLiteral(select)})`;
}

function common(target: RedshiftUnloadTarget): string[] {
  return [
    `IAM_ROLE ${stringLiteral(target.roleArn)}`,
    'MANIFEST VERBOSE',
    // Without KMS_KEY_ID and ENCRYPTED, UNLOAD writes SSE-S3, not the snapshots key.
    `KMS_KEY_ID ${stringLiteral(target.kmsKeyId)}`,
    'ENCRYPTED',
  ];
}

/**
 * The two UNLOADs of a Redshift snapshot: Parquet (in parallel, Snappy row groups) and one CSV
 * file with a header (`PARALLEL OFF`, sorted). Run them in one transaction
 * (`BatchExecuteStatement`), so that both read the same state of the table.
 */
export function redshiftUnloads(
  select: string,
  columns: readonly string[],
  primaryKey: readonly string[],
  prefixes: { readonly parquet: string; readonly csv: string },
  target: RedshiftUnloadTarget,
): [parquet: string, csv: string] {
  const body = wrapped(select, columns);
  return [
    [
      unloadOf(body),
      `TO ${stringLiteral(prefixes.parquet)}`,
      'FORMAT AS PARQUET',
      ...common(target),
    ].join('\n'),
    [
      unloadOf(`${body} ORDER BY ${primaryKey.map(quoteIdentifier).join(', ')}`),
      `TO ${stringLiteral(prefixes.csv)}`,
      'FORMAT AS CSV',
      'HEADER',
      'PARALLEL OFF',
      ...common(target),
    ].join('\n'),
  ];
}

/** The SELECT of a Redshift table's columns, every row. */
export function redshiftSelect(schema: string, table: string, columns: readonly string[]): string {
  return `SELECT ${columns.map(quoteIdentifier).join(', ')} FROM ${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}
