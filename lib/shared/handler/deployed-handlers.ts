/** What a `<name>Handlers(deps)` factory returns. */
interface Handlers {
  onEvent(event: never): Promise<unknown>;
  isComplete?(event: never): Promise<unknown>;
}

/**
 * The Lambda entry points of a handler module: they build the handlers with `build`, using the
 * clients of the Lambda environment, on the first event rather than on import, so that tests
 * import the module without credentials or a Region and build the handlers with their own
 * clients.
 */
export function deployedHandlers<H extends Handlers>(build: () => H): H {
  let handlers: H | undefined;
  const built = () => (handlers ??= build());
  const entryPoints: Handlers = {
    onEvent: (event) => built().onEvent(event),
    isComplete: (event) => {
      const { isComplete } = built();
      if (!isComplete) throw new Error('This handler does not poll: it has no isComplete.');
      return isComplete(event);
    },
  };
  return entryPoints as H;
}
