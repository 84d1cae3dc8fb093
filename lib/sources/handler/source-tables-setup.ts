import type { DatasetConfig } from '../../config/dataset';
import { accountIn, accountPhysicalId } from '../../shared/handler/account-physical-id';
import type * as cfn from '../../shared/handler/custom-resource';
import { plainError } from '../../shared/handler/plain-error';
import type {
  SourceTablesAttributes,
  SourceTablesProperties,
  TableDefinition,
} from './source-tables-properties';
import { isTrue } from './source-tables-properties';

/**
 * What the MySQL and Redshift table setup handlers share: the request their properties make,
 * the response that names the reader, the grants an update takes back from the reader, and the
 * check of a table's columns. How each engine runs its statements stays in its handler.
 */

/** The engines a table setup runs in, as its messages name them. */
export type SourceEngine = 'MySQL' | 'Redshift';

/** What the app creates a database of each engine as. */
const CREATED_DATABASE: Record<SourceEngine, string> = {
  MySQL: 'an instance',
  Redshift: 'a cluster',
};

/** What a create or update of a table setup asks for. */
export interface TableSetupRequest {
  /** Every dataset's table. */
  readonly tables: readonly TableDefinition[];
  /** The tables the reader reads; none without a reader. */
  readonly readerTables: readonly TableDefinition[];
  /** Create every table: the app created the database. */
  readonly createTables: boolean;
  /** Load the built-in samples into empty tables. */
  readonly loadSample: boolean;
}

/** The request of `properties`; a reader of a dataset that is not among `Datasets` fails. */
export function tableSetupRequest(properties: SourceTablesProperties): TableSetupRequest {
  const tables = properties.Datasets ?? [];
  const byName = new Map(tables.map((table) => [table.name, table]));
  const readerTables = (properties.Reader?.Tables ?? []).map((name) => {
    const table = byName.get(name);
    if (!table)
      throw plainError(`The reader reads dataset "${name}", which is not among Datasets.`);
    return table;
  });
  return {
    tables,
    readerTables,
    createTables: isTrue(properties.CreateTables),
    loadSample: isTrue(properties.LoadSample),
  };
}

/**
 * What a create or update of a table setup returns: the physical id names the reader user, which
 * a delete drops, and the database `where`; a setup without a reader names none.
 */
export function tableSetupResponse(
  prefix: string,
  reader: string | undefined,
  where: string,
): cfn.OnEventResponse<SourceTablesAttributes> {
  return {
    PhysicalResourceId: accountPhysicalId(prefix, reader ?? '', where),
    Data: { ReaderUsername: reader ?? '' },
  };
}

/** The dataset as the sample-data modules read it. */
export function datasetOf(table: TableDefinition): DatasetConfig {
  return { ...table, columns: table.columns.map(({ name, type }) => ({ name, type })) };
}

/** The table as its engine names it, unquoted: `database.table` or `schema.table`. */
export function qualifiedName(engine: SourceEngine, table: TableDefinition): string {
  return `${engine === 'MySQL' ? table.mysqlDatabase : table.redshiftSchema}.${table.name}`;
}

/**
 * The tables the reader read before an update and reads no more, when the update keeps the
 * reader user (the physical id, `prefix` and the user, names it): they lose its grant. A new
 * reader user holds no grant to take back.
 */
export function tablesNoLongerRead(
  event: cfn.OnEvent<SourceTablesProperties>,
  prefix: string,
  reader: string,
  readerTables: readonly TableDefinition[],
): TableDefinition[] {
  if (event.RequestType !== 'Update') return [];
  const old = event.OldResourceProperties;
  if (!old.Reader || accountIn(event.PhysicalResourceId, prefix) !== reader) return [];
  return (old.Reader.Tables ?? [])
    .filter((name) => !readerTables.some((table) => table.name === name))
    .map((name) => old.Datasets?.find((table) => table.name === name))
    .filter((table): table is TableDefinition => table !== undefined);
}

/**
 * Fails, naming them, unless the dataset's table exists with every declared column: the setup
 * creates tables but never changes one, so an older table, or one someone else made, is
 * reported rather than read wrongly.
 * @param present the table's column names in lower case; none when the table does not exist
 * @param created whether the setup has just created the table
 */
export function checkDeclaredColumns(
  engine: SourceEngine,
  table: TableDefinition,
  present: ReadonlySet<string>,
  created: boolean,
): void {
  const where = qualifiedName(engine, table);
  if (present.size === 0) {
    throw plainError(
      created
        ? `The table ${where} of dataset "${table.name}" is missing after its creation.`
        : `The table ${where} of dataset "${table.name}" does not exist in the existing ${engine} database: create it (the app creates tables only in ${CREATED_DATABASE[engine]} it creates).`,
    );
  }
  const missing = table.columns.map((column) => column.name).filter((name) => !present.has(name));
  if (missing.length > 0) {
    throw plainError(
      `The table ${where} lacks the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} that dataset "${table.name}" declares. ` +
        'The app creates tables but never changes them: add the columns, or drop the table so that the next deploy creates it.',
    );
  }
}
