import { datasourceColumns } from '../../amazon-ml/datasource-columns';
import { datasetNamed } from '../dataset';
import type { ReportIssue } from '../issues';
import type { AppConfig } from '../schema';
import { checkDatasetReference } from './datasets';

/**
 * Cross-section checks: every datasource names a declared dataset and columns of it, staging
 * prefixes do not overlap (Amazon ML reads everything under a datasource's location), RDS
 * datasources have a network route for their Data Pipeline instances, and each complement
 * names a split datasource.
 */
export function checkAmazonMlConfig(config: AppConfig, report: ReportIssue): void {
  const ids = new Set<string>();
  checkDatasources(config, ids, report);
  checkComplements(config, ids, report);
}

/**
 * A complement reads the other rows of a datasource with a `dataRearrangement`, one complement
 * per split: two would be the same datasource.
 */
function checkComplements(config: AppConfig, ids: Set<string>, report: ReportIssue): void {
  const splits = new Map(
    config.amazonMl.datasources.map((datasource) => [datasource.id, datasource.dataRearrangement]),
  );
  const complemented = new Map<string, number>();
  config.amazonMl.complements.forEach((complement, index) => {
    const path = ['amazonMl', 'complements', index];
    if (ids.has(complement.id)) {
      report([...path, 'id'], `datasource id "${complement.id}" is used twice`);
    }
    ids.add(complement.id);
    const of = complement.complementOf;
    if (!splits.has(of)) {
      const known = [...splits.keys()].join(', ') || 'none';
      report(
        [...path, 'complementOf'],
        `"${of}" is not the id of a datasource in amazonMl.datasources (${known})`,
      );
    } else if (!splits.get(of)) {
      report(
        [...path, 'complementOf'],
        `datasource "${of}" reads every row (it has no dataRearrangement), so there are no other rows to read`,
      );
    } else if (complemented.has(of)) {
      report(
        [...path, 'complementOf'],
        `complements[${complemented.get(of)}] already reads the other rows of "${of}"`,
      );
    }
    complemented.set(of, complemented.get(of) ?? index);
  });
}

function checkDatasources(config: AppConfig, ids: Set<string>, report: ReportIssue): void {
  const prefixes: Array<{ prefix: string; index: number }> = [];
  config.amazonMl.datasources.forEach((datasource, index) => {
    const path = ['amazonMl', 'datasources', index];
    if (ids.has(datasource.id))
      report([...path, 'id'], `datasource id "${datasource.id}" is used twice`);
    ids.add(datasource.id);

    for (const other of prefixes) {
      if (
        datasource.stagingPrefix.startsWith(other.prefix) ||
        other.prefix.startsWith(datasource.stagingPrefix)
      ) {
        report(
          [...path, 'stagingPrefix'],
          `"${datasource.stagingPrefix}" overlaps the staging prefix "${other.prefix}" of datasources[${other.index}]`,
        );
      }
    }
    prefixes.push({ prefix: datasource.stagingPrefix, index });

    if (
      datasource.source === 'mysql' &&
      config.network.mode === 'create' &&
      config.network.natGateways === 0
    ) {
      report(
        [...path, 'source'],
        'RDS datasources run an AWS Data Pipeline instance that needs a route to AWS APIs: set network.natGateways to at least 1',
      );
    }

    if (!checkDatasetReference(config, datasource.dataset, [...path, 'dataset'], report)) return;
    const dataset = datasetNamed(config.datasets, datasource.dataset);
    const declared = new Set(dataset.columns.map((column) => column.name));
    (datasource.columns ?? []).forEach((column, columnIndex) => {
      if (!declared.has(column)) {
        report(
          [...path, 'columns', columnIndex],
          `column "${column}" is not a column of dataset "${dataset.name}"`,
        );
      }
    });
    const read = new Set(datasourceColumns(datasource, dataset).map((column) => column.name));
    const mustBeRead = (where: PropertyKey[], role: string, name: string | undefined) => {
      if (name !== undefined && !read.has(name)) {
        report(
          [...path, ...where],
          `the ${role} "${name}" is not one of the columns read (${[...read].join(', ')})`,
        );
      }
    };
    mustBeRead(['targetAttribute'], 'target attribute', datasource.targetAttribute);
    mustBeRead(['rowIdAttribute'], 'row id attribute', datasource.rowIdAttribute);
    datasource.excludedAttributes.forEach((name, excludedIndex) =>
      mustBeRead(['excludedAttributes', excludedIndex], 'excluded attribute', name),
    );
  });
}
