import type { z } from 'zod';

/** A path into the configuration object, as zod reports it. */
export type ConfigPath = ReadonlyArray<PropertyKey>;

/** Reports one problem found in the configuration; checks call it once per problem. */
export type ReportIssue = (path: ConfigPath, message: string) => void;

/** Adapts a zod refinement context to a {@link ReportIssue}. */
export function reporterFor(ctx: z.RefinementCtx): ReportIssue {
  return (path, message) => ctx.addIssue({ code: 'custom', path: [...path], message });
}
