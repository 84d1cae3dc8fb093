/** A share of a datasource's rows, as Amazon ML's `DataRearrangement` splitting selects it. */
export interface DataRearrangement {
  /** Where the share begins, in percent of the rows, 0 to 99. */
  readonly percentBegin: number;
  /** Where it ends, in percent of the rows, greater than `percentBegin` and at most 100. */
  readonly percentEnd: number;
  /**
   * `sequential` takes the rows in the order of the data; `random` by a pseudo-random number
   * seeded with `randomSeed` and each row's byte offset.
   * @default 'sequential'
   */
  readonly strategy?: 'sequential' | 'random';
  /**
   * The seed of a `random` split, required with it.
   * @default - none
   */
  readonly randomSeed?: string;
}

/** What Amazon ML would reject in a splitting, one sentence each. */
export function dataRearrangementProblems(split: DataRearrangement): string[] {
  const problems: string[] = [];
  const { percentBegin, percentEnd } = split;
  for (const [name, value] of Object.entries({ percentBegin, percentEnd })) {
    if (!Number.isInteger(value) || value < 0 || value > 100) {
      problems.push(`${name} must be a whole number from 0 to 100 (it is ${value})`);
    }
  }
  if (percentBegin >= percentEnd) {
    problems.push(`percentEnd (${percentEnd}) must be greater than percentBegin (${percentBegin})`);
  }
  if (split.strategy === 'random' && !split.randomSeed) {
    problems.push('a random split needs a randomSeed');
  }
  if (split.strategy !== 'random' && split.randomSeed !== undefined) {
    problems.push('a randomSeed needs strategy "random"');
  }
  return problems;
}

/**
 * The `DataRearrangement` JSON of a split, or with `complement` of the rows outside it: "To
 * create a complementary datasource, use the same values for percentBegin and percentEnd,
 * along with the complement parameter" (Amazon ML API reference), which is the string "true".
 */
export function dataRearrangementJson(
  split: DataRearrangement,
  options: { readonly complement?: boolean } = {},
): string {
  return JSON.stringify({
    splitting: {
      percentBegin: split.percentBegin,
      percentEnd: split.percentEnd,
      ...(split.strategy === 'random' ? { strategy: 'random', randomSeed: split.randomSeed } : {}),
      ...(options.complement ? { complement: 'true' } : {}),
    },
  });
}
