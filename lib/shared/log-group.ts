import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeControl } from './nag';

/**
 * A log group for the app's own operational logs (handlers, provider framework, VPC flow logs):
 * kept a year, as AWS Control Tower's CT.CLOUDWATCH.PR.2 asks, and retained when its stack is
 * deleted so that the record of what happened outlives the stack.
 */
export function operationalLogGroup(scope: Construct, id: string): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, id, {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeControl(
    logGroup,
    'cloudwatch_log_group_encrypted_check',
    'CloudWatch Logs encrypts every log group at rest; these hold operational logs without data rows or credentials (handlers redact passwords), so a customer managed key would add a key policy to maintain without protecting more.',
  );
  return logGroup;
}
