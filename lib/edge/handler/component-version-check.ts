import { GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import type * as cfn from '../../shared/handler/custom-resource';
import { deployedHandlers } from '../../shared/handler/deployed-handlers';
import { plainError } from '../../shared/handler/plain-error';
import { requireProperties } from '../../shared/handler/required';
import type { RetryOptions } from '../../shared/handler/retry';
import type { ComponentVersionCheckProperties } from './component-version-check-properties';
import { componentVersionState, edgeAgentMismatch, recipeOf } from './greengrass-components';

/**
 * `Custom::GreengrassComponentVersionCheck`: fails the deploy, before the deployment reaches any
 * device, when the model component version cannot be deployed or needs another EdgeAgent than
 * the one the deployment pins. It reads and changes nothing else; delete has nothing to undo.
 */

/** The client and retry behaviour of the handler; tests replace them. */
export interface ComponentVersionCheckHandlerDependencies {
  readonly greengrass: GreengrassV2Client;
  /**
   * How throttling and server errors are retried.
   * @default - withRetry's defaults
   */
  readonly retry?: RetryOptions;
}

const REQUIRED: ReadonlyArray<keyof ComponentVersionCheckProperties> = [
  'ComponentName',
  'ComponentVersion',
  'ComponentVersionArn',
  'EdgeAgentVersion',
  'Source',
];

/** What the user changes when the component version itself is the problem. */
function remedyFor(props: ComponentVersionCheckProperties): string {
  return props.Source === 'package'
    ? 'Raise edge.modelComponent.version to package the model again.'
    : 'Set edge.modelComponent.name and version to a component version that exists in this account and Region.';
}

export type ComponentVersionCheckEvent = cfn.OnEvent<ComponentVersionCheckProperties>;

/** The onEvent handler of `Custom::GreengrassComponentVersionCheck`. */
export function componentVersionCheckHandlers(deps: ComponentVersionCheckHandlerDependencies) {
  async function check(props: ComponentVersionCheckProperties): Promise<void> {
    const which = `Model component ${props.ComponentName} ${props.ComponentVersion}`;
    const arn = props.ComponentVersionArn;
    const version = await componentVersionState(deps.greengrass, arn, deps.retry);
    if (version.state !== 'deployable') {
      throw plainError(`${which} cannot be deployed: ${version.reason}. ${remedyFor(props)}`);
    }
    const recipe = await recipeOf(deps.greengrass, arn, deps.retry);
    if (!recipe) {
      throw plainError(`${which} cannot be deployed: it was deleted. ${remedyFor(props)}`);
    }
    const mismatch = edgeAgentMismatch(
      recipe,
      { name: props.ComponentName, version: props.ComponentVersion },
      props.EdgeAgentVersion,
    );
    if (mismatch) {
      const rollback =
        props.Source === 'package'
          ? ' If this deploy packaged the component, its rollback deletes it: raise edge.modelComponent.version as well.'
          : '';
      throw plainError(`${mismatch}${rollback}`);
    }
  }

  async function onEvent(event: ComponentVersionCheckEvent): Promise<cfn.OnEventResponse> {
    if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
    const props = event.ResourceProperties;
    requireProperties(props, REQUIRED);
    await check(props);
    return { PhysicalResourceId: props.ComponentVersionArn };
  }

  return { onEvent };
}

/** The Lambda entry point. */
export const { onEvent } = deployedHandlers(() =>
  componentVersionCheckHandlers({ greengrass: new GreengrassV2Client({}) }),
);
