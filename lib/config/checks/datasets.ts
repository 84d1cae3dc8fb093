import type { ConfigPath, ReportIssue } from '../issues';
import type { AppConfig } from '../schema';

/** Dataset names are unique: every other section refers to a dataset by its name. */
export function checkDatasets(config: AppConfig, report: ReportIssue): void {
  const names = new Set<string>();
  config.datasets.forEach((dataset, index) => {
    if (names.has(dataset.name))
      report(['datasets', index, 'name'], `dataset "${dataset.name}" is declared twice`);
    names.add(dataset.name);
  });
}

/**
 * Whether a dataset called `name` is declared; reports `name` at `path` when it is not. Every
 * reference to a dataset passes through here, which is what lets the stacks look datasets up
 * with `datasetNamed`.
 */
export function checkDatasetReference(
  config: AppConfig,
  name: string,
  path: ConfigPath,
  report: ReportIssue,
): boolean {
  if (config.datasets.some((dataset) => dataset.name === name)) return true;
  report(path, `dataset "${name}" is not declared in datasets`);
  return false;
}
