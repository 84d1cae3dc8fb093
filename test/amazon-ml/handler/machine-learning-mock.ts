import type { __MetadataBearer } from '@aws-sdk/client-machine-learning';
import { MachineLearningClient } from '@aws-sdk/client-machine-learning';
import type { CommandBehavior } from 'aws-sdk-client-mock';
import { mockClient } from 'aws-sdk-client-mock';

type Command<Input> = abstract new (input: Input) => unknown;
type Output = __MetadataBearer & Record<string, unknown>;

/**
 * `mockClient(MachineLearningClient)`, typed by hand: this client's release predates the Smithy
 * types of aws-sdk-client-mock, so its commands do not type-check against the stub, although
 * the stub intercepts and matches them at run time all the same.
 */
export function mockMachineLearningClient() {
  const stub = mockClient(MachineLearningClient as never);
  return {
    on: <Input>(command: Command<Input>, input?: Partial<Input>) =>
      stub.on(command as never, input as never) as unknown as CommandBehavior<
        object,
        Output,
        Output,
        unknown
      >,
    commandCalls: <Input>(command: Command<Input>) =>
      stub.commandCalls(command as never) as unknown as Array<{ args: [{ input: Input }] }>,
    calls: () => stub.calls(),
    reset: () => stub.reset(),
  };
}
