import { RemovalPolicy, Stack } from 'aws-cdk-lib';
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
  /**
   * Whether the workgroup, with its query history, saved queries and prepared statements, is
   * kept when it is removed from the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Who queries in the workgroup, for its description.
   * @default - whoever the IAM policies let
   */
  readonly audience?: string;
}

/** The workgroup of one query persona: the configured name with the persona's. */
export function audienceWorkgroupName(workgroupName: string, audience: string): string {
  return `${workgroupName}-${audience}`;
}

/**
 * An Athena workgroup to query the history in. Its settings are enforced, so a client cannot
 * send results elsewhere (each workgroup writes under a prefix named after it), unencrypted, or
 * lift the per-query scan limit; it publishes query metrics to CloudWatch. Athena deletes a
 * workgroup that holds query history or saved queries only with RecursiveDeleteOption ("is not
 * empty" otherwise): it is set when the removal policy deletes the workgroup, and a retained
 * workgroup is retained, except when its first creation fails.
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

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const destroyed = removalPolicy === RemovalPolicy.DESTROY;
    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.name,
      description: `Queries over the change history of the replicated tables${props.audience ? `, by the ${props.audience}` : ''}`,
      state: 'ENABLED',
      recursiveDeleteOption: destroyed,
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
    this.workgroup.applyRemovalPolicy(
      destroyed ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    );
    acknowledgeControl(
      this.workgroup,
      'athena_workgroup_results_encrypted_at_rest_kms_check',
      "Results are encrypted with SSE_KMS and the app's customer managed key; the rule cannot read the key's ARN, which is a reference to the storage stack (Fn::ImportValue).",
    );
    this.workgroupName = this.workgroup.ref;
  }
}
