import type { GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import { DescribeComponentCommand, GetComponentCommand } from '@aws-sdk/client-greengrassv2';
import { errorName, isError } from '../../shared/handler/aws-errors';
import type { RetryOptions } from '../../shared/handler/retry';
import { withRetry } from '../../shared/handler/retry';
import { EDGE_AGENT_COMPONENT } from '../edge-agent';
import { satisfies, UnreadableRangeError } from './version-range';

/** What the handlers read about Greengrass component versions: whether one can be deployed, its recipe. */

/**
 * Whether a component version can be deployed: `deployable`; `pending` while Greengrass is still
 * creating it (REQUESTED, INITIATED); `missing` with the reason otherwise.
 */
export type ComponentVersionState =
  | { readonly state: 'deployable' }
  | { readonly state: 'pending'; readonly reason: string }
  | { readonly state: 'missing'; readonly reason: string };

const PENDING = new Set(['REQUESTED', 'INITIATED']);

/**
 * The state of the component version `arn`. Greengrass documents neither what DescribeComponent
 * answers for a version its owner deleted nor which state it then has, so every answer but
 * DEPLOYABLE (not found, FAILED, DEPRECATED, a publisher's DELETED) counts as missing.
 */
export async function componentVersionState(
  greengrass: GreengrassV2Client,
  arn: string,
  retry?: RetryOptions,
): Promise<ComponentVersionState> {
  let status;
  try {
    ({ status } = await withRetry(
      () => greengrass.send(new DescribeComponentCommand({ arn })),
      retry,
    ));
  } catch (error) {
    if (!isError(error, 'ResourceNotFoundException')) throw error;
    const said = error instanceof Error ? `: ${error.message}` : '';
    return { state: 'missing', reason: `it does not exist (${errorName(error)}${said})` };
  }
  const state = status?.componentState;
  const details = status?.message ? `: ${status.message}` : '';
  if (status?.vendorGuidance === 'DELETED') {
    const why = status.vendorGuidanceMessage ? `: ${status.vendorGuidanceMessage}` : '';
    return { state: 'missing', reason: `its publisher deleted it${why}` };
  }
  if (state === 'DEPLOYABLE') return { state: 'deployable' };
  if (state && PENDING.has(state)) {
    return { state: 'pending', reason: `Greengrass is still creating it (${state}${details})` };
  }
  return { state: 'missing', reason: `its state is ${state ?? 'not reported'}${details}` };
}

/** A component recipe as JSON: only what the handlers read is typed. */
export type Recipe = Record<string, unknown>;

/** The recipe of the component version `arn`, or `undefined` when the version does not exist. */
export async function recipeOf(
  greengrass: GreengrassV2Client,
  arn: string,
  retry?: RetryOptions,
): Promise<Recipe | undefined> {
  try {
    const { recipe } = await withRetry(
      () => greengrass.send(new GetComponentCommand({ arn, recipeOutputFormat: 'JSON' })),
      retry,
    );
    return JSON.parse(new TextDecoder().decode(recipe)) as Recipe;
  } catch (error) {
    if (isError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/** The value of `key` in `value`, whose keys Greengrass reads in any case. */
function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = Object.entries(value).find(([name]) => name.toLowerCase() === key.toLowerCase());
  return entry?.[1];
}

/** The URI of every artifact in every manifest of the recipe. */
export function artifactUris(recipe: Recipe): string[] {
  const manifests = field(recipe, 'Manifests');
  if (!Array.isArray(manifests)) return [];
  return manifests.flatMap((manifest) => {
    const artifacts = field(manifest, 'Artifacts');
    if (!Array.isArray(artifacts)) return [];
    return artifacts
      .map((artifact) => field(artifact, 'Uri'))
      .filter((uri): uri is string => typeof uri === 'string');
  });
}

/** The `VersionRequirement` of the recipe's dependency on `component`, if it declares one. */
export function dependencyRequirement(recipe: Recipe, component: string): string | undefined {
  const dependencies = field(recipe, 'ComponentDependencies');
  if (typeof dependencies !== 'object' || dependencies === null) return undefined;
  const dependency = (dependencies as Record<string, unknown>)[component];
  const requirement = field(dependency, 'VersionRequirement');
  return typeof requirement === 'string' ? requirement : undefined;
}

/**
 * Why the model component `name` `version` (its recipe) cannot run with EdgeAgent
 * `edgeAgentVersion`, or `undefined` when it can. Devices would otherwise fail with
 * NoAvailableComponentVersionException while the stack succeeds.
 */
export function edgeAgentMismatch(
  recipe: Recipe,
  component: { readonly name: string; readonly version: string },
  edgeAgentVersion: string,
): string | undefined {
  const which = `Model component ${component.name} ${component.version}`;
  const requirement = dependencyRequirement(recipe, EDGE_AGENT_COMPONENT);
  if (requirement === undefined) {
    return `${which} declares no dependency on ${EDGE_AGENT_COMPONENT}, so which version edge.edgeAgentVersion ${edgeAgentVersion} must be is unknown: is it a Lookout for Vision model component?`;
  }
  try {
    if (satisfies(edgeAgentVersion, requirement)) return undefined;
  } catch (error) {
    if (!(error instanceof UnreadableRangeError)) throw error;
    return `${which} requires ${EDGE_AGENT_COMPONENT} "${requirement}", which this stack cannot check edge.edgeAgentVersion ${edgeAgentVersion} against (${error.message}).`;
  }
  return `${which} requires ${EDGE_AGENT_COMPONENT} "${requirement}", which edge.edgeAgentVersion ${edgeAgentVersion} does not satisfy: set edge.edgeAgentVersion to a version in that range.`;
}
