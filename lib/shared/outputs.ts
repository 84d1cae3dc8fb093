import { CfnOutput } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** One stack output: what a user reads after a deploy (`cdk deploy --outputs-file`). */
export interface StackOutput {
  /** The output's logical id, as `--outputs-file` names it. */
  readonly id: string;
  readonly value: string;
  readonly description: string;
}

/** Declares the outputs of a stack, in order. */
export function addOutputs(scope: Construct, outputs: readonly StackOutput[]): void {
  for (const { id, value, description } of outputs) {
    new CfnOutput(scope, id, { value, description });
  }
}
