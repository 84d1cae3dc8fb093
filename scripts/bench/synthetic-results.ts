/**
 * The synthetic query result that the Athena benchmarks read: ten columns of the types that
 * the result parsers handle, with values that vary from row to row.
 */

/** The columns, by name and Athena type; the varchar column is the seventh from zero. */
export const SYNTHETIC_COLUMNS: readonly (readonly [name: string, type: string])[] = [
  ['id', 'bigint'],
  ['age', 'integer'],
  ['score', 'double'],
  ['balance', 'decimal'],
  ['active', 'boolean'],
  ['opened', 'date'],
  ['updated_at', 'timestamp'],
  ['name', 'varchar'],
  ['attributes', 'json'],
  ['tags', 'array'],
];

/** The values of row `n`, with `name` as its varchar (`null` for a NULL). */
export function syntheticRow<Name extends string | null>(n: number, name: Name): (string | Name)[] {
  const day = String((n % 28) + 1).padStart(2, '0');
  const millis = String(n % 1000).padStart(3, '0');
  return [
    String(9_007_199_254_740_000n + BigInt(n)),
    String(18 + (n % 70)),
    (n / 7).toString(),
    `${n % 100000}.${String(n % 100).padStart(2, '0')}`,
    n % 3 === 0 ? 'true' : 'false',
    `2023-${String((n % 12) + 1).padStart(2, '0')}-${day}`,
    `2024-03-${day} ${String(n % 24).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:07.${millis}`,
    name,
    `{"segment":"s${n % 5}","score":${n % 100},"flags":[true,false]}`,
    `[a${n % 3}, b${n % 7}]`,
  ];
}
