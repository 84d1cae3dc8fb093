import { z } from 'zod';

/** The settings of one mode: an object schema whose `mode` key is a literal. */
type ModeSchema = z.ZodObject<{ mode: z.ZodLiteral<string> }>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keys that a merged object took from the built-in default alone (see `mergeConfig`). */
const defaultOnlyKeys = new WeakMap<object, ReadonlySet<string>>();

/** Records that `merged` took `keys` from the built-in default, not from the user's file. */
export function recordDefaultOnlyKeys(merged: object, keys: Iterable<string>): void {
  defaultOnlyKeys.set(merged, new Set(keys));
}

/**
 * Exclusive modes, told apart by their `mode` key, each with only its own settings. A user
 * file is merged over the built-in default, so a file that switches mode also carries the
 * default mode's settings: those are dropped before validation. A setting of another mode that
 * the user wrote is reported on its path, a key that no mode has as an unknown key, and a mode
 * that does not exist on `mode`.
 */
export function exclusiveModes<const Modes extends readonly [ModeSchema, ...ModeSchema[]]>(
  modes: Modes,
) {
  const settingsOf = new Map(
    modes.flatMap((mode) =>
      [...mode.shape.mode.values].map((value) => [value, new Set(Object.keys(mode.shape))]),
    ),
  );
  const modesWith = (key: string) =>
    [...settingsOf]
      .filter(([, settings]) => settings.has(key))
      .map(([value]) => `"${value}"`)
      .join(' or ');
  const names = [...settingsOf.keys()].map((value) => `"${value}"`).join(' or ');

  return z.preprocess(
    (value, ctx) => {
      if (!isPlainObject(value)) return value;
      const mode = value.mode as string;
      const own = settingsOf.get(mode);
      if (!own) return value;
      const fromDefault = defaultOnlyKeys.get(value) ?? new Set<string>();
      const kept: Record<string, unknown> = {};
      for (const [key, setting] of Object.entries(value)) {
        const others = modesWith(key);
        if (own.has(key) || !others) kept[key] = setting;
        else if (!fromDefault.has(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `only mode ${others} has this setting, and mode is "${mode}"`,
          });
        }
      }
      return kept;
    },
    z.discriminatedUnion('mode', modes, {
      error: (issue) => {
        if (issue.code === 'invalid_union') return `must be ${names}`;
        if (issue.code === 'invalid_type') return `must be an object whose "mode" is ${names}`;
        return undefined;
      },
    }),
  );
}
