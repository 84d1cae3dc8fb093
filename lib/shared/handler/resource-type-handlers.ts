import type {
  CdkCustomResourceEvent,
  CdkCustomResourceIsCompleteEvent,
  CdkCustomResourceIsCompleteResponse,
  CdkCustomResourceResponse,
} from 'aws-lambda';
import { plainError } from './plain-error';

/**
 * The handlers of one custom resource type, as its `<name>Handlers(deps)` factory returns them.
 * Each reads the properties of its own type, which only the resource type tells apart: the
 * dispatcher hands the event on as it came.
 */
interface TypeHandlers {
  onEvent(event: never): Promise<CdkCustomResourceResponse>;
  /** Present when the provider polls: reports whether the change that onEvent began is done. */
  isComplete?(event: never): Promise<CdkCustomResourceIsCompleteResponse>;
}

/**
 * The onEvent and isComplete handlers of a provider that serves several resource types, each
 * by the handlers of its type. A type without isComplete is complete once onEvent returns. A
 * delete of a type the provider does not serve has nothing of its own to undo and succeeds;
 * any other request for such a type fails.
 */
export function resourceTypeHandlers(byType: Readonly<Record<string, TypeHandlers>>) {
  function unsupported(event: CdkCustomResourceEvent): Error {
    return plainError(`Unsupported resource type ${event.ResourceType}.`);
  }

  return {
    async onEvent(event: CdkCustomResourceEvent): Promise<CdkCustomResourceResponse> {
      console.log(JSON.stringify({ requestType: event.RequestType, type: event.ResourceType }));
      const handlers = byType[event.ResourceType];
      if (handlers) return handlers.onEvent(event as never);
      if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
      throw unsupported(event);
    },

    async isComplete(
      event: CdkCustomResourceIsCompleteEvent,
    ): Promise<CdkCustomResourceIsCompleteResponse> {
      const handlers = byType[event.ResourceType];
      if (handlers) {
        return handlers.isComplete ? handlers.isComplete(event as never) : { IsComplete: true };
      }
      if (event.RequestType === 'Delete') return { IsComplete: true };
      throw unsupported(event);
    },
  };
}
