import type { Construct } from 'constructs';
import { RegionCheck } from '../shared/region-check';
import { EDGE_AGENT_COMPONENT, EDGE_AGENT_REGIONS } from './edge-agent';

/** The message for a Region that AWS does not publish the EdgeAgent in. */
export function unsupportedRegionMessage(region: string): string {
  return (
    `${EDGE_AGENT_COMPONENT} is published only in ${EDGE_AGENT_REGIONS.join(', ')}; ` +
    `this stack deploys to ${region}. Deploy the edge stack to one of those Regions, or set features.edge to false.`
  );
}

/**
 * Stops a deployment to a Region without the EdgeAgent before anything is created: a synth
 * error when the stack's Region is known, otherwise a CloudFormation rule on `AWS::Region`.
 */
export class EdgeAgentRegionCheck extends RegionCheck {
  constructor(scope: Construct, id: string) {
    super(scope, id, { regions: EDGE_AGENT_REGIONS, message: unsupportedRegionMessage });
  }
}
