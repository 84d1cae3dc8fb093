import { z } from 'zod';
import type { AppConfig } from '../config/schema';
import type { ReportIssue } from '../config/issues';

export const edgeConfigSchema = z.strictObject({
  lookoutVision: z.strictObject({
    /** The Lookout for Vision project that holds the model. */
    projectName: z
      .string()
      .regex(
        /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/,
        'project names are 1 to 255 letters, digits, "_" or "-"',
      ),
    /** The trained model version to package. */
    modelVersion: z.string().regex(/^[1-9][0-9]*$/, 'model versions are positive integers'),
  }),
  /** The IoT thing group that receives the deployment. */
  thingGroupName: z
    .string()
    .regex(
      /^[a-zA-Z0-9:_-]{1,128}$/,
      'thing group names are 1 to 128 letters, digits, ":", "_" or "-"',
    ),
});
export type EdgeConfig = z.infer<typeof edgeConfigSchema>;

export const DEFAULT_EDGE_CONFIG: z.input<typeof edgeConfigSchema> = {
  lookoutVision: { projectName: 'part-inspection', modelVersion: '1' },
  thingGroupName: 'part-inspection-line',
};

/** Cross-section checks for the edge deployment. */
export function checkEdgeConfig(_config: AppConfig, _report: ReportIssue): void {}
