import type { DatasetConfig } from '../../config/dataset';
import type { ConfigPath, ReportIssue } from '../../config/issues';
import { BANKING_SAMPLE_ROWS, BANKING_SAMPLE_SEED, bankingSample } from './banking-sample';
import type { SqlValue } from './column-types';
import { parseColumnType, valueProblem } from './column-types';

/** Rows to load into a dataset's empty table, with the comment that labels them. */
export interface DatasetSample {
  /** The rows, keyed by column name; each has a value for every column of the dataset. */
  readonly rows: ReadonlyArray<Readonly<Record<string, SqlValue>>>;
  /** The table comment that says the rows are synthetic. */
  readonly comment: string;
}

/** Generates a sample on first use only: every synth checks it, and its rows never change. */
function once(generate: () => DatasetSample): () => DatasetSample {
  let sample: DatasetSample | undefined;
  return () => (sample ??= generate());
}

/** The generators of the built-in samples, by dataset name. */
const SAMPLES: Readonly<Record<string, () => DatasetSample>> = {
  banking: once(() => ({
    rows: bankingSample(),
    comment: `Synthetic sample (${BANKING_SAMPLE_ROWS} generated rows, seed ${BANKING_SAMPLE_SEED}) of the Amazon ML tutorials banking table: not real customer data`,
  })),
};

/** Whether the app has a sample for the dataset: only the tutorials' `banking` table has one. */
export function hasSample(dataset: DatasetConfig): boolean {
  return Object.hasOwn(SAMPLES, dataset.name);
}

/**
 * Reports why the built-in sample of the dataset's name cannot be loaded into the dataset's
 * table as declared: columns it lacks or has in addition, or values its types cannot hold.
 * Reports nothing for a dataset without a sample.
 */
export function checkDatasetSample(
  dataset: DatasetConfig,
  path: ConfigPath,
  report: ReportIssue,
): void {
  if (hasSample(dataset)) checkSample(dataset, SAMPLES[dataset.name](), path, report);
}

/**
 * The built-in sample of the dataset, or undefined when there is none. Throws one error listing
 * every problem when the sample does not fit the dataset's columns.
 */
export function sampleFor(dataset: DatasetConfig): DatasetSample | undefined {
  if (!hasSample(dataset)) return undefined;
  const sample = SAMPLES[dataset.name]();
  const problems: string[] = [];
  checkSample(dataset, sample, [], (path, message) =>
    problems.push(`${path.join('.')}: ${message}`),
  );
  if (problems.length > 0) {
    throw new Error(
      `The sample of dataset "${dataset.name}" cannot be loaded: ${problems.join('; ')}.`,
    );
  }
  return sample;
}

function checkSample(
  dataset: DatasetConfig,
  { rows }: DatasetSample,
  path: ConfigPath,
  report: ReportIssue,
): void {
  const sampleColumns = Object.keys(rows[0] ?? {});
  const declared = new Set(dataset.columns.map((column) => column.name));
  const missing = sampleColumns.filter((name) => !declared.has(name));
  const extra = [...declared].filter((name) => !sampleColumns.includes(name));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `it lacks ${missing.join(', ')}` : '',
      extra.length > 0 ? `the sample has no ${extra.join(', ')}` : '',
    ].filter(Boolean);
    report(
      [...path, 'columns'],
      `the built-in "${dataset.name}" sample does not fit these columns (${parts.join('; ')}): declare the tutorial's columns or do not load the sample`,
    );
    return;
  }
  dataset.columns.forEach((column, index) => {
    const type = parseColumnType(column.type);
    const misfit = rows
      .map((row) => valueProblem(type, row[column.name]))
      .find((problem) => problem !== undefined);
    if (misfit) {
      report(
        [...path, 'columns', index, 'type'],
        `the built-in "${dataset.name}" sample does not fit ${column.type}: ${misfit}`,
      );
    }
  });
}
