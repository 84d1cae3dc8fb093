import type { GovernanceConfig, TagGrantConfig } from '../governance/config';

/**
 * Who may read a snapshot. A snapshot's files hold every column of its table, personal ones
 * included, and Lake Formation cannot hide a column of a file: it governs what integrated
 * services read through the credentials it vends, not what a principal reads from S3 with its
 * own rights. So a persona reads a snapshot's prefix through IAM, all of it or nothing: only a
 * persona whose Lake Formation grants give it SELECT on every column of the snapshot's table.
 * The grants are evaluated here, at synth time, from the same tags Lake Formation evaluates:
 * a column carries the tag of its own association for a key, else its table's, else the
 * database's; a TABLE grant with SELECT covers a column when, for every key of its
 * expression, the column's value is one of the expression's values.
 */

/** A persona whose grants decide whether it reads snapshots. */
export interface PersonaGrants {
  readonly persona: string;
  readonly grants: readonly TagGrantConfig[];
}

/** Whether a persona may read a snapshot, and if not, which columns it lacks. */
export interface SnapshotReader {
  readonly persona: string;
  readonly canRead: boolean;
  /** The columns its grants do not let it SELECT. */
  readonly missingColumns: readonly string[];
}

type Tags = ReadonlyMap<string, string>;

function tagMap(tags: ReadonlyArray<{ key: string; value: string }>): Map<string, string> {
  return new Map(tags.map((tag) => [tag.key, tag.value]));
}

/** The tags of each column of `table`, as Lake Formation resolves them. */
export function columnTags(
  governance: Pick<GovernanceConfig, 'associations'>,
  table: string,
  columns: readonly string[],
): Map<string, Tags> {
  const { associations } = governance;
  const tableAssociation = associations.tables.find((candidate) => candidate.name === table);
  const inherited = new Map([
    ...tagMap(associations.database),
    ...tagMap(tableAssociation?.tags ?? []),
  ]);
  const result = new Map<string, Tags>();
  for (const column of columns) {
    const own = (tableAssociation?.columns ?? [])
      .filter((group) => group.names.includes(column))
      .flatMap((group) => group.tags);
    result.set(column, new Map([...inherited, ...tagMap(own)]));
  }
  return result;
}

function selects(grant: TagGrantConfig, tags: Tags): boolean {
  return (
    grant.resourceType === 'TABLE' &&
    grant.permissions.includes('SELECT') &&
    grant.expression.every((term) => {
      const value = tags.get(term.key);
      return value !== undefined && term.values.includes(value);
    })
  );
}

/** For each persona, whether its grants let it SELECT every column of the snapshot's table. */
export function snapshotReaders(
  governance: Pick<GovernanceConfig, 'associations'>,
  personas: readonly PersonaGrants[],
  table: string,
  columns: readonly string[],
): SnapshotReader[] {
  const tags = columnTags(governance, table, columns);
  return personas.map(({ persona, grants }) => {
    const missingColumns = columns.filter(
      (column) => !grants.some((grant) => selects(grant, tags.get(column)!)),
    );
    return { persona, canRead: missingColumns.length === 0, missingColumns };
  });
}
