/** The SQL dialects that Amazon ML reads from. */
export type SqlEngine = 'redshift' | 'mysql';

/** A table and the columns to read from it. */
export interface SelectSource {
  /** The schema (Redshift) or database (MySQL) of the table. */
  readonly schema: string;
  /** The table name. */
  readonly table: string;
  /** The columns, in the order the data schema lists them. */
  readonly columns: readonly string[];
}

/** The random function that shuffles rows in each dialect. */
const SHUFFLE: Record<SqlEngine, string> = { redshift: 'random()', mysql: 'rand()' };

function quote(engine: SqlEngine, identifier: string): string {
  return engine === 'mysql' ? `\`${identifier}\`` : `"${identifier}"`;
}

/**
 * The query that Amazon ML runs to read `source`: its columns, every row, shuffled as the
 * Amazon ML guides recommend so that training and evaluation splits see the same mix.
 * Identifiers are quoted because column names such as `default` are reserved words.
 */
export function shuffledSelect(engine: SqlEngine, source: SelectSource): string {
  const columns = source.columns.map((column) => quote(engine, column)).join(', ');
  const table = `${quote(engine, source.schema)}.${quote(engine, source.table)}`;
  return `SELECT ${columns} FROM ${table} ORDER BY ${SHUFFLE[engine]};`;
}

/** A query as Amazon ML will receive it, with what is wrong or doubtful about it. */
export interface CheckedQuery {
  /** The query with one trailing semicolon, which the Amazon ML console requires. */
  readonly sql: string;
  /** Reasons the query cannot work. */
  readonly problems: string[];
  /** Reasons the query may not be what was meant. */
  readonly warnings: string[];
}

/**
 * Normalises a SELECT for Amazon ML (trims it and ends it with exactly one semicolon) and
 * checks it: one statement that reads rows, preferably shuffled.
 */
export function checkSelectQuery(engine: SqlEngine, query: string): CheckedQuery {
  const body = query.trim().replace(/[\s;]+$/, '');
  const sql = `${body};`;
  const problems: string[] = [];
  const warnings: string[] = [];
  if (!body) {
    problems.push('the SQL query is empty');
    return { sql, problems, warnings };
  }
  if (!/^(select|with)\b/i.test(body)) {
    problems.push(`the SQL query must be a SELECT (it starts with "${body.split(/\s/)[0]}")`);
  }
  if (body.includes(';')) {
    problems.push('the SQL query must be a single statement: only a trailing ";" is allowed');
  }
  const shuffle = new RegExp(
    `order\\s+by\\s+${SHUFFLE[engine].replace('()', '\\s*\\(\\s*\\)')}`,
    'i',
  );
  if (!shuffle.test(body)) {
    warnings.push(
      `the SQL query does not shuffle rows (ORDER BY ${SHUFFLE[engine]}): Amazon ML splits training and evaluation data in the order the rows arrive`,
    );
  }
  return { sql, problems, warnings };
}
