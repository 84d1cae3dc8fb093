import { DataSchema } from '../../amazon-ml/data-schema';
import { plainError } from '../../shared/handler/plain-error';
import { CsvScanError, digestOf, scanCsv } from './file-checks';
import type { CsvScan } from './file-checks';
import { footerLength, ParquetFooterError, parquetRowCount } from './parquet-footer';
import type { RowSource, StagedFiles } from './row-source';
import type { ManifestFile, SnapshotManifest } from './snapshot-manifest';
import { MANIFEST_FORMAT, parseManifest } from './snapshot-manifest';
import type { SnapshotObjects } from './snapshot-objects';
import type { SnapshotDefinition } from './snapshot-properties';
import { definitionDigest, snapshotLayout, stagingLayout } from './snapshot-properties';

/** What the production of one snapshot is, and what it runs on. */
export interface ProductionRequest {
  readonly name: string;
  /**
   * The folder that holds the snapshot's folder.
   * @default `snapshots/`
   */
  readonly root?: string;
  readonly definition: SnapshotDefinition;
  /** The SELECT both files come from, recorded in the manifest. */
  readonly select: string;
  readonly allowEmpty: boolean;
  readonly appVersion: string;
  /** Names this attempt: its staging folder and its query tokens. */
  readonly attempt: string;
  readonly objects: SnapshotObjects;
  readonly source: RowSource;
  /**
   * The longest time from the start of the attempt to the manifest; past it, what runs is
   * stopped and the attempt fails. The provider's own limit must be longer.
   */
  readonly deadlineMs: number;
  /** Reports each step, one line each. */
  readonly log?: (line: string) => void;
  /** The clock, in milliseconds; replaced in tests. */
  readonly now?: () => number;
}

/** Where an attempt has got to, saved in its staging folder after each step. */
interface Progress {
  readonly attempt: string;
  readonly startedAt: number;
  ids?: Record<string, string>;
  finishedAt?: string;
  files?: StagedFiles;
  cleaned?: boolean;
  copied: number;
  parquet: ManifestFile[];
  csv?: CsvScan;
}

/** The outcome of one call of {@link advance}. */
export type Advance =
  | { readonly done: false; readonly detail: string }
  | { readonly done: true; readonly manifest: SnapshotManifest; readonly made: boolean };

const CSV_TYPE = 'text/csv';
const PARQUET_TYPE = 'application/vnd.apache.parquet';
const JSON_TYPE = 'application/json';

/** The bytes read from the end of a Parquet file at first; a longer footer is read again. */
const FOOTER_GUESS = 64 * 1024;

/**
 * The manifest of `name` if the snapshot is complete; throws if it is complete with another
 * definition, which a snapshot never changes to.
 */
export async function existingSnapshot(
  objects: SnapshotObjects,
  name: string,
  definition: SnapshotDefinition,
  root?: string,
): Promise<SnapshotManifest | undefined> {
  const layout = snapshotLayout(name, root);
  const key = layout.manifestKey;
  const text = await objects.text(key);
  if (text === undefined) return undefined;
  const manifest = parseManifest(text, objects.uri(key));
  if (manifest.definitionDigest !== definitionDigest(definition)) {
    throw plainError(
      `Snapshot "${name}" exists at ${objects.uri(layout.prefix)} with another definition ` +
        `(${describe(manifest.definition)}; now ${describe(definition)}). A snapshot never changes: ` +
        'declare the new definition under a new name.',
    );
  }
  return manifest;
}

function describe(definition: SnapshotDefinition): string {
  const columns = definition.columns.map((column) => `${column.name} ${column.type}`).join(', ');
  const source =
    definition.source === 'history'
      ? `as of ${definition.at}`
      : `from Redshift ${definition.cluster}`;
  return `${definition.dataset} ${source}, columns ${columns}`;
}

/**
 * Moves the snapshot on as far as `budgetMs` allows: starts the source, waits for it, copies
 * its files into place, checks them, and writes the schema file and the manifest last. Each
 * step is saved, so that the next call resumes where this one stopped.
 */
export async function advance(request: ProductionRequest, budgetMs: number): Promise<Advance> {
  const now = request.now ?? Date.now;
  const began = now();
  const log = request.log ?? ((line: string) => console.log(line));
  const { objects, source, name } = request;
  const layout = snapshotLayout(name, request.root);
  const staging = stagingLayout(name, request.attempt);

  const complete = await existingSnapshot(objects, name, request.definition, request.root);
  if (complete) return { done: true, manifest: complete, made: false };

  const progress = await loadProgress(request, staging.progressKey, now);
  const save = () => objects.putState(staging.progressKey, JSON.stringify(progress));
  const outOfBudget = () => now() - began >= budgetMs;
  const overdue = () => now() - progress.startedAt > request.deadlineMs;

  if (!progress.ids) {
    progress.ids = await source.start();
    log(
      `started ${Object.entries(progress.ids)
        .map(([what, id]) => `${what} ${id}`)
        .join(', ')}`,
    );
    await save();
  }

  if (!progress.files) {
    const status = await source.poll(progress.ids);
    if (!status.done) {
      if (overdue()) {
        await source.stop(progress.ids);
        throw plainError(
          `Snapshot "${name}" was not written within ${Math.round(request.deadlineMs / 60_000)} minutes (${status.detail}); it was stopped.`,
        );
      }
      return { done: false, detail: status.detail };
    }
    progress.files = status.files;
    progress.finishedAt = status.finishedAt;
    log(`the source wrote ${status.files.parquet.length} Parquet files and a CSV`);
    await save();
  }
  const files = progress.files;

  if (!progress.cleaned) {
    // No manifest: whatever is under the prefix is left from an attempt that did not finish.
    const left = await objects.deleteAll(layout.prefix);
    if (left > 0)
      log(
        `removed ${left} objects left under ${objects.uri(layout.prefix)} by an unfinished attempt`,
      );
    progress.cleaned = true;
    await save();
  }

  const copies = [
    ...files.parquet.map((key, index) => ({
      from: key,
      to: layout.parquetKey(index),
      type: PARQUET_TYPE,
    })),
    { from: files.csv, to: layout.csvKey, type: CSV_TYPE },
  ];
  while (progress.copied < copies.length) {
    if (overdue()) throw overdueError(name, request.deadlineMs, 'copying its files');
    if (outOfBudget())
      return { done: false, detail: `copied ${progress.copied} of ${copies.length} files` };
    const copy = copies[progress.copied];
    await objects.copyOnce(copy.from, copy.to, copy.type, request.attempt);
    progress.copied++;
    await save();
  }

  while (progress.parquet.length < files.parquet.length) {
    if (overdue()) throw overdueError(name, request.deadlineMs, 'checking its files');
    if (outOfBudget()) {
      return {
        done: false,
        detail: `checked ${progress.parquet.length} of ${files.parquet.length} Parquet files`,
      };
    }
    progress.parquet.push(await checkParquet(objects, layout.parquetKey(progress.parquet.length)));
    await save();
  }
  if (!progress.csv) {
    progress.csv = await checkCsv(objects, layout.csvKey);
    await save();
  }

  const manifest = await finish(request, progress as Required<Progress>);
  log(`snapshot ${name} complete: ${manifest.rows} rows in ${objects.uri(layout.prefix)}`);
  return { done: true, manifest, made: true };
}

function overdueError(name: string, deadlineMs: number, step: string): Error {
  return plainError(
    `Snapshot "${name}" was not complete within ${Math.round(deadlineMs / 60_000)} minutes (still ${step}); deploy again to start over.`,
  );
}

async function loadProgress(
  request: ProductionRequest,
  key: string,
  now: () => number,
): Promise<Progress> {
  const text = await request.objects.text(key);
  if (text) {
    const saved = JSON.parse(text) as Progress;
    if (saved.attempt === request.attempt) return saved;
  }
  return { attempt: request.attempt, startedAt: now(), copied: 0, parquet: [] };
}

async function checkParquet(objects: SnapshotObjects, key: string): Promise<ManifestFile> {
  const digest = await digestOf(await objects.stream(key));
  try {
    let tail = await objects.tail(key, Math.min(FOOTER_GUESS, digest.size));
    const length = footerLength(tail);
    if (length > tail.length) tail = await objects.tail(key, length);
    return { key, format: 'parquet', ...digest, rows: parquetRowCount(tail) };
  } catch (error) {
    if (error instanceof ParquetFooterError)
      throw plainError(`${objects.uri(key)} is ${error.message}`);
    throw error;
  }
}

async function checkCsv(objects: SnapshotObjects, key: string): Promise<CsvScan> {
  try {
    return await scanCsv(await objects.stream(key));
  } catch (error) {
    if (error instanceof CsvScanError) throw plainError(`${objects.uri(key)}: ${error.message}`);
    throw error;
  }
}

/** Checks the files against each other and the definition, then writes the schema and the manifest. */
async function finish(
  request: ProductionRequest,
  progress: Required<Progress>,
): Promise<SnapshotManifest> {
  const { objects, definition, name } = request;
  const layout = snapshotLayout(name, request.root);
  const csv = progress.csv;
  const expected = definition.columns.map((column) => column.name);
  if (JSON.stringify(csv.header) !== JSON.stringify(expected)) {
    throw plainError(
      `The CSV of snapshot "${name}" has the header ${JSON.stringify(csv.header)}, not the columns ${JSON.stringify(expected)}`,
    );
  }
  const parquetRows = progress.parquet.reduce((total, file) => total + (file.rows ?? 0), 0);
  const reported = progress.files.reportedRows;
  const counts = [
    `Parquet ${parquetRows}`,
    `CSV ${csv.rows}`,
    ...(reported?.parquet !== undefined ? [`UNLOAD Parquet ${reported.parquet}`] : []),
    ...(reported?.csv !== undefined ? [`UNLOAD CSV ${reported.csv}`] : []),
  ];
  const all = [parquetRows, csv.rows, reported?.parquet, reported?.csv].filter(
    (count) => count !== undefined,
  );
  if (all.some((count) => count !== csv.rows)) {
    throw plainError(
      `The two runs of snapshot "${name}" disagree (${counts.join(', ')} rows): the source changed between them. ` +
        'For the change history, pick a moment older than the replication lag.',
    );
  }
  if (csv.rows === 0 && !request.allowEmpty) {
    throw plainError(
      `Snapshot "${name}" has no rows: ${definition.source === 'history' ? `is ${definition.at} before the change history starts? ` : ''}` +
        'Set allowEmpty to keep an empty snapshot.',
    );
  }

  const types = new Map(definition.columns.map((column) => [column.name, column.mlType]));
  const schema = new DataSchema({
    attributes: csv.header.map((column) => ({ name: column, type: types.get(column)! })),
    targetAttribute: definition.schema.targetAttribute,
    rowIdAttribute: definition.schema.rowIdAttribute,
    excludedAttributes: definition.schema.excludedAttributes,
    dataFileContainsHeader: true,
  });
  const problems = schema.problems();
  if (problems.length > 0)
    throw plainError(`The Amazon ML schema of snapshot "${name}": ${problems.join('; ')}`);
  const schemaText = JSON.stringify(schema.toDocument(), null, 2);
  await writeOnce(objects, layout.schemaKey, schemaText, JSON_TYPE);

  const broken = csv.columnsWithLineBreaks;
  const manifest: SnapshotManifest = {
    format: MANIFEST_FORMAT,
    name,
    dataset: definition.dataset,
    source: definition.source,
    ...(definition.source === 'history' ? { at: definition.at } : {}),
    definition,
    definitionDigest: definitionDigest(definition),
    sql: request.select,
    queries: progress.ids,
    rows: csv.rows,
    columns: definition.columns,
    files: [
      ...progress.parquet,
      { key: layout.csvKey, format: 'csv', size: csv.size, sha256: csv.sha256, rows: csv.rows },
      {
        key: layout.schemaKey,
        format: 'amazon-ml-schema',
        ...(await digestOf([Buffer.from(schemaText)])),
      },
    ],
    csv: { header: true, delimiter: ',', ...request.source.dialect, columnsWithLineBreaks: broken },
    amazonMl:
      broken.length === 0
        ? { readable: true }
        : {
            readable: false,
            reason: `Amazon ML refuses line breaks inside values, and columns ${broken.join(', ')} have them`,
          },
    createdAt: progress.finishedAt,
    appVersion: request.appVersion,
  };
  await writeOnce(objects, layout.manifestKey, `${JSON.stringify(manifest, null, 2)}\n`, JSON_TYPE);
  return manifest;
}

/** Writes a file of the snapshot; one that exists must hold the same text. */
async function writeOnce(
  objects: SnapshotObjects,
  key: string,
  text: string,
  type: string,
): Promise<void> {
  const result = await objects.putOnce(key, text, type);
  if (result.outcome === 'exists' && result.body !== text) {
    throw plainError(
      `${objects.uri(key)} exists already with other content; a snapshot is written once.`,
    );
  }
}
