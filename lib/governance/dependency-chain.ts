import type { CfnResource } from 'aws-cdk-lib';

/** The stages of governance, in the order they must deploy. */
export const GOVERNANCE_STAGES = [
  'settings',
  'location',
  'ledger',
  'database-permissions',
  'tags',
  'associations',
  'grants',
  'handover',
  'schedule',
] as const;
export type GovernanceStage = (typeof GOVERNANCE_STAGES)[number];

/**
 * Makes resources deploy one after another, in the order they are added. Lake Formation
 * refuses concurrent changes to permissions with ConcurrentModificationException, and each
 * stage needs the one before it (a grant needs its tag, a tag needs the deployment role to be a
 * data lake admin, a crawler needs its location registered and its grants). Deleting runs the
 * chain backwards.
 */
export class DependencyChain {
  private readonly links: Array<{ stage: GovernanceStage; resource: CfnResource }> = [];

  /** Appends `resources` to the chain as part of `stage`; stages may not go backwards. */
  add(stage: GovernanceStage, ...resources: CfnResource[]): void {
    const last = this.links[this.links.length - 1];
    if (last && GOVERNANCE_STAGES.indexOf(stage) < GOVERNANCE_STAGES.indexOf(last.stage)) {
      throw new Error(`The ${stage} stage cannot follow the ${last.stage} stage.`);
    }
    for (const resource of resources) {
      const previous = this.links[this.links.length - 1];
      if (previous) resource.addResourceDependency(previous.resource);
      this.links.push({ stage, resource });
    }
  }

  /** The resources of the chain with their stages, in deployment order. */
  get members(): ReadonlyArray<{ stage: GovernanceStage; resource: CfnResource }> {
    return [...this.links];
  }
}
