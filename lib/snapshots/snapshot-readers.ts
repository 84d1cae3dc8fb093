import type { DatasetConfig } from '../config/dataset';
import type { GovernanceConfig } from '../governance/config';
import type { QueryPersona } from '../governance/tag-model';
import { selectableColumns } from '../governance/tag-model';

/**
 * Who may read a snapshot. A snapshot's files hold every column of its table, personal ones
 * included, and Lake Formation cannot hide a column of a file: it governs what integrated
 * services read through the credentials it vends, not what a principal reads from S3 with its
 * own rights. So a persona reads a snapshot's prefix through IAM, all of it or nothing: only a
 * persona whose Lake Formation grants give it SELECT on every column of the snapshot's table,
 * as the governance tag model evaluates them at synth time (lib/governance/tag-model.ts).
 */

/** Whether a persona may read a snapshot, and if not, which columns it lacks. */
export interface SnapshotReader {
  readonly persona: QueryPersona;
  readonly canRead: boolean;
  /** The columns of the snapshot its grants do not let it SELECT. */
  readonly missingColumns: readonly string[];
}

/** For each persona, whether its grants let it SELECT every column of the snapshot's table. */
export function snapshotReaders(
  governance: GovernanceConfig,
  personas: readonly QueryPersona[],
  dataset: Pick<DatasetConfig, 'name' | 'primaryKey' | 'columns'>,
): SnapshotReader[] {
  return personas.map((persona) => {
    const selectable = new Set(selectableColumns(governance, persona, dataset));
    const missingColumns = dataset.columns
      .map((column) => column.name)
      .filter((column) => !selectable.has(column));
    return { persona, canRead: missingColumns.length === 0, missingColumns };
  });
}
