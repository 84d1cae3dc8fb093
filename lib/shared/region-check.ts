import { Aws, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Properties of a {@link RegionCheck}. */
export interface RegionCheckProps {
  /** The Regions the stack can deploy to. */
  readonly regions: readonly string[];
  /**
   * The message for a Region outside `regions`: one sentence that names the Regions and the
   * configuration switch that deploys without the stack.
   */
  readonly message: (region: string) => string;
}

/**
 * Stops a deployment to a Region that lacks what the stack needs, before anything is created:
 * a synth error when the stack's Region is known, otherwise a CloudFormation rule on
 * `AWS::Region`, which fails the change set.
 */
export class RegionCheck extends Construct {
  constructor(scope: Construct, id: string, props: RegionCheckProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region)) {
      new CfnRule(this, 'Rule', {
        assertions: [
          {
            assert: Fn.conditionContains([...props.regions], Aws.REGION),
            assertDescription: props.message('a Region outside that list'),
          },
        ],
      });
      return;
    }
    this.node.addValidation({
      validate: () => (props.regions.includes(region) ? [] : [props.message(region)]),
    });
  }
}
