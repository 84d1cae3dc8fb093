import { checkAmazonMlConfig } from './checks/amazon-ml';
import { checkDatasets } from './checks/datasets';
import { checkEdgeConfig } from './checks/edge';
import { checkGovernanceConfig } from './checks/governance';
import { checkReplicationConfig } from './checks/replication';
import { checkSourcesConfig } from './checks/sources';
import { checkSnapshotsConfig } from './checks/snapshots';
import type { ReportIssue } from './issues';
import { reporterFor } from './issues';
import type { AppConfig, Features } from './schema';
import { appConfigSchema } from './schema';

/** A check that relates one section of the configuration to others. */
type CrossCheck = (config: AppConfig, report: ReportIssue) => void;

/**
 * The cross-section checks, each with the capability it belongs to. A capability's check runs
 * only when the capability is switched on, so that a section an account cannot use does not
 * block the rest.
 */
const CROSS_CHECKS: ReadonlyArray<{
  readonly feature?: keyof Features;
  readonly check: CrossCheck;
}> = [
  { check: checkDatasets },
  { check: checkSourcesConfig },
  { feature: 'amazonMl', check: checkAmazonMlConfig },
  { feature: 'replication', check: checkReplicationConfig },
  { feature: 'governance', check: checkGovernanceConfig },
  { feature: 'edge', check: checkEdgeConfig },
  // Snapshots have no switch: each one names the capability it reads from.
  { check: checkSnapshotsConfig },
];

/** The whole configuration: its structure, then the checks across its sections. */
export const checkedAppConfigSchema = appConfigSchema.superRefine(
  (config, ctx) => {
    const report = reporterFor(ctx);
    for (const { feature, check } of CROSS_CHECKS) {
      // Runs even when other parts are malformed, so that every problem is reported at once;
      // a check that trips over a malformed part has nothing reliable to add.
      try {
        if (feature && !config.features[feature]) continue;
        check(config, report);
      } catch {
        continue;
      }
    }
  },
  { when: () => true },
);
