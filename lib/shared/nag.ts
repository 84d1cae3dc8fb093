import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
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

/**
 * Acknowledges the AwsSolutions-IAM5 findings that `resources` (ARNs that end in a wildcard,
 * such as every object under a prefix) raise in the policies of `scope`. cdk-nag names such an
 * ARN as the template spells it, and an ARN from another stack is spelled with the export that
 * CDK creates only when it resolves cross-stack references during synthesis; so the finding is
 * computed then, with cdk-nag's own renderer (the pinned cdk-nag version keeps its path stable).
 */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  resources: readonly string[],
  reason: string,
): void {
  scope.node.addValidation({
    validate: () => {
      for (const resource of resources) {
        const finding = flattenCfnReference(Stack.of(scope).resolve(resource));
        acknowledge(scope, 'AwsSolutions-IAM5', `Resource::${finding}`, reason);
      }
      return [];
    },
  });
}
