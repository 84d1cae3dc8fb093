import type { RemovalPolicy } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { restrictGrantsToAwsServices } from '../shared/key-policy';

/** Properties of a {@link DataKey}. */
export interface DataKeyProps {
  /** Alias of the key, without the `alias/` prefix. */
  readonly aliasName: string;
  /** Whether the key is kept or scheduled for deletion when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * What the key encrypts, shown in the KMS console.
   * @default - the storage buckets of the ML data foundation
   */
  readonly description?: string;
}

/** A customer-managed KMS key that encrypts the app's data, rotated every year. */
export class DataKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DataKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description:
        props.description ??
        'Encrypts the ML data foundation: staging exports, the data lake, query results and edge artifacts',
      enableKeyRotation: true,
      alias: `alias/${props.aliasName}`,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(30),
    });
    restrictGrantsToAwsServices(this.key);
  }
}
