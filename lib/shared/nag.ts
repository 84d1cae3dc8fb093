import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on one construct, with the reason it is acceptable.
 * `finding` narrows a rule that reports several findings per resource (for example
 * `Resource::*` for AwsSolutions-IAM5); leave it out for rules that report one.
 */
export function acknowledge(
  scope: IConstruct,
  rule: string,
  finding: string | undefined,
  reason: string,
): void {
  Validations.of(scope).acknowledge({ id: finding ? `${rule}[${finding}]` : rule, reason });
}
