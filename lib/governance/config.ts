import { z } from 'zod';
import type { AppConfig } from '../config/schema';
import type { ReportIssue } from '../config/issues';
import { iamPrincipalArn } from '../config/names';

/** `account` stands for this account's root principal: any IAM principal the account allows. */
const principal = z.union([z.literal('account'), iamPrincipalArn]);

const persona = z.strictObject({
  /** Principals allowed to assume the persona's role. */
  principals: z
    .array(principal)
    .min(1, 'a persona needs at least one principal that can assume it'),
});

export const governanceConfigSchema = z.strictObject({
  personas: z.strictObject({
    dataLakeAdmin: persona,
    analyst: persona,
    projectLeader: persona,
  }),
});
export type GovernanceConfig = z.infer<typeof governanceConfigSchema>;

export const DEFAULT_GOVERNANCE_CONFIG: z.input<typeof governanceConfigSchema> = {
  personas: {
    dataLakeAdmin: { principals: ['account'] },
    analyst: { principals: ['account'] },
    projectLeader: { principals: ['account'] },
  },
};

/** Cross-section checks for governance. */
export function checkGovernanceConfig(config: AppConfig, report: ReportIssue): void {
  if (config.features.governance && !config.features.replication) {
    report(
      ['features', 'governance'],
      'governance needs the catalog, which comes with features.replication',
    );
  }
}
