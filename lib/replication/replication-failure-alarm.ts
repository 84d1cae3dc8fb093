import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeControl } from '../shared/nag';
import type { ReplicationNames } from './replication-names';

/** Properties of {@link ReplicationFailureAlarm}. */
export interface ReplicationFailureAlarmProps {
  /** The names of the replication generation. */
  readonly names: ReplicationNames;
  /** The ARN of the replication task or serverless configuration. */
  readonly replicationArn: string;
  /** Whether the replication is a DMS Serverless replication. */
  readonly serverless: boolean;
}

/**
 * Where a failure of the replication shows after the deployment: DMS sends its events to
 * EventBridge ("DMS Replication Task State Change" for a task, "DMS Replication State Change"
 * for a serverless replication); a rule keeps this replication's failures in a log group, and
 * an alarm goes off when the rule has delivered one. The deployment cannot wait for DMS
 * Serverless to run (40 to 60 minutes), and a task can fail any time later, so this is where a
 * user learns of it; add an alarm action to be notified.
 */
export class ReplicationFailureAlarm extends Construct {
  readonly rule: events.CfnRule;
  readonly logGroup: logs.LogGroup;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ReplicationFailureAlarmProps) {
    super(scope, id);
    const { names } = props;
    // EventBridge writes to log groups under /aws/events/ only. Named after the generation,
    // like the replication's own log group: both are kept, and a later deployment after the
    // stack was deleted runs a new generation.
    this.logGroup = new logs.LogGroup(this, `EventsGeneration${names.generation}`, {
      logGroupName: `/aws/events/${names.replication}-failures`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    acknowledgeControl(
      this.logGroup,
      'cloudwatch_log_group_encrypted_check',
      'CloudWatch Logs encrypts every log group at rest; this one holds DMS failure events (resource names and messages, no data rows), and a customer managed key would need a key policy for EventBridge to write with.',
    );
    new logs.ResourcePolicy(this, 'EventsMayWrite', {
      resourcePolicyName: `${names.projectName}-replication-failures`,
      policyStatements: [
        new iam.PolicyStatement({
          principals: [
            new iam.ServicePrincipal('events.amazonaws.com'),
            new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
          ],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });

    // A failure event of a task has the category "Failure" (DMS EventBridge events); the
    // categories of serverless events are not documented, so any event type naming a failure
    // counts too.
    this.rule = new events.CfnRule(this, 'Rule', {
      description: `Failures of the DMS replication ${names.replication}`,
      eventPattern: {
        source: ['aws.dms'],
        'detail-type': [
          props.serverless ? 'DMS Replication State Change' : 'DMS Replication Task State Change',
        ],
        resources: [props.replicationArn],
        detail: {
          $or: [{ category: ['Failure'] }, { eventType: [{ wildcard: '*FAIL*' }] }],
        },
      },
      state: 'ENABLED',
      targets: [
        {
          id: 'FailureLog',
          arn: Stack.of(this).formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: this.logGroup.logGroupName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      ],
    });

    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmName: `${names.projectName}-replication-failed`,
      alarmDescription: `DMS reported a failure of the replication ${names.replication}; the events are in ${this.logGroup.logGroupName}, the replication's own logs in its dms-* log group.`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'Invocations',
        dimensionsMap: { RuleName: this.rule.ref },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // EventBridge sends the metric only when the rule delivered an event.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    acknowledgeControl(
      this.alarm,
      'cloudwatch_alarm_action_check',
      'The configuration names no one to notify: the alarm state in CloudWatch is the report, and the failure events are kept in their log group; add an alarm action to be notified.',
    );
  }
}
