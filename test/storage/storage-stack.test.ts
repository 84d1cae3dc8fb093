import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { buildTestFoundation, describeFindings, nagFindings } from '../support/test-app';
import { stableTemplate } from '../support/stable-template';

describe('StorageStack', () => {
  const { app, stacks } = buildTestFoundation();
  const template = Template.fromStack(stacks.storage);
  const buckets = template.findResources('AWS::S3::Bucket');
  const dataBuckets = Object.entries(buckets).filter(([id]) => !id.startsWith('AccessLogs'));

  test('has a customer-managed key with rotation, retained on delete', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/ml-foundation/data' });
  });

  test('has the five buckets the other stacks use', () => {
    expect(
      Object.keys(buckets)
        .map((id) => id.replace(/Bucket[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual(['AccessLogs', 'AmazonMlStaging', 'AthenaResults', 'DataLake', 'EdgeArtifacts']);
  });

  test('every bucket blocks public access, is encrypted and is retained', () => {
    for (const [, bucket] of Object.entries(buckets)) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toHaveLength(1);
    }
  });

  test('data buckets use the KMS key and log access to the access-log bucket', () => {
    expect(dataBuckets).toHaveLength(4);
    for (const [, bucket] of dataBuckets) {
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
        },
      });
      expect(bucket.Properties.LoggingConfiguration.DestinationBucketName).toEqual({
        Ref: expect.stringMatching(/^AccessLogsBucket/),
      });
    }
  });

  test('buckets where data lives are versioned; query results and logs are not', () => {
    const versioned = Object.entries(buckets)
      .filter(([, bucket]) => bucket.Properties.VersioningConfiguration?.Status === 'Enabled')
      .map(([id]) => id.replace(/Bucket[0-9A-F]{8}$/, ''))
      .sort();
    expect(versioned).toEqual(['AmazonMlStaging', 'DataLake', 'EdgeArtifacts']);
  });

  test('every bucket policy denies requests without TLS 1.2', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(5);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      );
    }
  });

  test('Athena results and staging exports expire; incomplete uploads are aborted everywhere', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-objects', ExpirationInDays: 30 })]),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-objects', ExpirationInDays: 90 })]),
      },
    });
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual({
        Id: 'abort-incomplete-uploads',
        Status: 'Enabled',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      });
    }
  });

  test('configured bucket names are used', () => {
    const named = buildTestFoundation({
      storage: { bucketNames: { dataLake: 'acme-ml-data-lake' } },
    });
    Template.fromStack(named.stacks.storage).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'acme-ml-data-lake',
    });
  });

  test('removalPolicy "destroy" deletes buckets and warns in the synth output', () => {
    const destroy = buildTestFoundation({ storage: { removalPolicy: 'destroy' } });
    const destroyTemplate = Template.fromStack(destroy.stacks.storage);
    for (const bucket of Object.values(destroyTemplate.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Delete');
    }
    destroyTemplate.resourceCountIs('Custom::S3AutoDeleteObjects', 5);
    Annotations.fromStack(destroy.stacks.storage).hasWarning(
      '*',
      Match.stringLikeRegexp('storage.removalPolicy is "destroy"'),
    );
    expect(describeFindings(nagFindings(destroy.app, destroy.stacks.storage))).toBe('');
  });

  test('the default retains without a warning', () => {
    expect(Annotations.fromStack(stacks.storage).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('has no unacknowledged cdk-nag finding', () => {
    expect(describeFindings(nagFindings(app, stacks.storage))).toBe('');
  });

  test('matches the reviewed snapshot', () => {
    expect(stableTemplate(stacks.storage)).toMatchSnapshot();
  });
});
