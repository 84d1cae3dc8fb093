import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/** The name the cfn-guard plugin reports under; its acknowledgements are namespaced with it. */
export const CONTROL_TOWER_PLUGIN_NAME = 'cdk-validator-cfnguard';

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
 * Acknowledges the cdk-nag findings that name `values` (ARNs) as the template spells them, for
 * example `Resource::arn:aws:glue:eu-west-1:111122223333:table/db/*` in an environment-bound
 * stack and `Resource::arn:<AWS::Partition>:glue:<AWS::Region>:...` in an environment-agnostic
 * one. An ARN from another stack is spelled with the export that CDK creates only when it
 * resolves cross-stack references during synthesis; so the finding is computed then, with
 * cdk-nag's own renderer (the pinned cdk-nag version keeps its path stable).
 */
export function acknowledgeResolved(
  scope: IConstruct,
  rule: string,
  kind: 'Resource' | 'Policy',
  values: readonly string[],
  reason: string,
): void {
  scope.node.addValidation({
    validate: () => {
      for (const value of values) {
        const finding = flattenCfnReference(Stack.of(scope).resolve(value));
        acknowledge(scope, rule, `${kind}::${finding}`, reason);
      }
      return [];
    },
  });
}

/**
 * Acknowledges the AwsSolutions-IAM5 findings that `resources` (ARNs that end in a wildcard,
 * such as every object under a prefix) raise in the policies of `scope`.
 */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  resources: readonly string[],
  reason: string,
): void {
  acknowledgeResolved(scope, 'AwsSolutions-IAM5', 'Resource', resources, reason);
}

/**
 * Acknowledges one AWS Control Tower proactive control (a cfn-guard rule such as
 * `rds_instance_iam_authentication_enabled_check`) on `scope` and everything under it.
 */
export function acknowledgeControl(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${CONTROL_TOWER_PLUGIN_NAME}::${rule}`, reason });
}
