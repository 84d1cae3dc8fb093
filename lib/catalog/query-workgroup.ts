import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeControl } from '../shared/nag';

/** Properties of {@link QueryWorkgroup}. */
export interface QueryWorkgroupProps {
  /** Name of the workgroup. */
  readonly name: string;
  /** Queries that would scan more than this many bytes are cancelled (at least 10,000,000). */
  readonly bytesScannedCutoffPerQuery: number;
  /** Where query results go; its lifecycle expires them. */
  readonly resultsBucket: s3.IBucket;
  /** The key that encrypts query results. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The Athena workgroup analysts query the history in. Its settings are enforced, so a client
 * cannot send results elsewhere, unencrypted, or lift the per-query scan limit; it publishes
 * query metrics to CloudWatch.
 */
export class QueryWorkgroup extends Construct {
  readonly workgroup: athena.CfnWorkGroup;
  /** The workgroup name, as a reference that orders dependents after the workgroup. */
  readonly workgroupName: string;

  constructor(scope: Construct, id: string, props: QueryWorkgroupProps) {
    super(scope, id);
    this.node.addValidation({
      validate: () =>
        props.bytesScannedCutoffPerQuery < 10_000_000
          ? [
              `the bytes-scanned cutoff must be at least 10000000, not ${props.bytesScannedCutoffPerQuery}`,
            ]
          : [],
    });

    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.name,
      description: 'Queries over the change history of the replicated tables',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/${props.name}/`,
          expectedBucketOwner: Stack.of(this).account,
          encryptionConfiguration: {
            encryptionOption: 'SSE_KMS',
            kmsKey: props.encryptionKey.keyArn,
          },
        },
      },
    });
    acknowledgeControl(
      this.workgroup,
      'athena_workgroup_results_encrypted_at_rest_kms_check',
      "Results are encrypted with SSE_KMS and the app's customer managed key; the rule cannot read the key's ARN, which is a reference to the storage stack (Fn::ImportValue).",
    );
    this.workgroupName = this.workgroup.ref;
  }
}
