import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { StorageStack } from '../../lib/storage/storage-stack';
import { buildTestFoundation, describeFindings, nagFindings } from '../support/test-app';
import { onBehalfOfThisAccount } from '../support/iam';
import { stableTemplate } from '../support/stable-template';

describe('StorageStack', () => {
  const { app, stacks } = buildTestFoundation({}, { nag: true });
  const template = Template.fromStack(stacks.storage);
  const buckets = template.findResources('AWS::S3::Bucket');
  const dataBuckets = Object.entries(buckets).filter(([id]) => !id.startsWith('AccessLogs'));
  const [stagingId, staging] = Object.entries(buckets).find(([id]) =>
    id.startsWith('AmazonMlStaging'),
  )!;

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

  test('Athena results expire, staged exports do not; incomplete uploads are aborted everywhere', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-objects', ExpirationInDays: 30 })]),
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

  test('the staging bucket keeps current objects for as long as their datasource exists', () => {
    // Amazon ML DG, "Required Parameters for the Create Datasource Wizard" (S3 staging
    // location): "After creating the datasource, Amazon ML uses the data in the staging
    // location instead of returning to Amazon Redshift". The datasource handler deletes a
    // datasource's folder once the datasource is deleted; the versions that delete leaves
    // behind expire.
    const rules = staging.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    expect(rules.filter((rule) => rule.ExpirationInDays !== undefined)).toEqual([]);
    expect(rules).toContainEqual({
      Id: 'expire-noncurrent-versions',
      Status: 'Enabled',
      NoncurrentVersionExpiration: { NoncurrentDays: 90 },
    });
  });

  describe('Amazon ML in the staging bucket', () => {
    // Amazon ML DG, "Granting Amazon ML Permissions to Read Your Data from Amazon S3": a bucket
    // policy for the service principal machinelearning.amazonaws.com with s3:GetObject on the
    // prefix's objects and s3:ListBucket on the bucket limited by s3:prefix, both conditioned
    // on aws:SourceAccount and ArnLike aws:SourceArn "arn:aws:machinelearning:<region>:<account>:*";
    // the "Output Predictions" page adds s3:PutObject and s3:PutObjectAcl where it writes. The
    // CreateDataSourceFromRedshift RoleARN reference says Amazon ML otherwise writes such a
    // policy itself, which the next deployment of AWS::S3::BucketPolicy would erase.
    const fromThisAccount = onBehalfOfThisAccount('machinelearning', '*');
    const objects = (prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [stagingId, 'Arn'] }, `/${prefix}*`]],
    });
    const statementsFor = (stack: StorageStack) =>
      (
        Object.values(
          Template.fromStack(stack).findResources('AWS::S3::BucketPolicy', {
            Properties: { Bucket: { Ref: stagingId } },
          }),
        )[0].Properties.PolicyDocument.Statement as Array<Record<string, unknown>>
      ).filter((statement) =>
        JSON.stringify(statement.Principal).includes('machinelearning.amazonaws.com'),
      );

    test('the bucket policy admits it, for this account, to list and read both prefixes and write the Redshift one', () => {
      expect(statementsFor(stacks.storage)).toEqual([
        {
          Sid: 'AmazonMlListsStaging',
          Effect: 'Allow',
          Principal: { Service: 'machinelearning.amazonaws.com' },
          Action: 's3:ListBucket',
          Resource: { 'Fn::GetAtt': [stagingId, 'Arn'] },
          Condition: {
            ...fromThisAccount,
            StringLike: { 's3:prefix': ['redshift/banking/*', 'rds/banking/*'] },
          },
        },
        {
          Sid: 'AmazonMlReadsStaging',
          Effect: 'Allow',
          Principal: { Service: 'machinelearning.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: [objects('rds/banking/'), objects('redshift/banking/')],
          Condition: fromThisAccount,
        },
        {
          Sid: 'AmazonMlWritesStaging',
          Effect: 'Allow',
          Principal: { Service: 'machinelearning.amazonaws.com' },
          Action: ['s3:PutObject', 's3:PutObjectAcl'],
          Resource: objects('redshift/banking/'),
          Condition: fromThisAccount,
        },
      ]);
    });

    test('the data key lets it decrypt and encrypt through S3 in this Region only', () => {
      // No Amazon ML document covers a KMS-encrypted staging bucket. A service principal that
      // reads SSE-KMS objects needs the key policy to allow it; which request context S3
      // passes to KMS for a service is not documented, so the statement conditions on
      // kms:ViaService only, and a datasource that still cannot use the key FAILS with Amazon
      // ML's message, which the handler extends with the names of these statements.
      const key = Object.values(template.findResources('AWS::KMS::Key'))[0];
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Sid: 'AmazonMlUsesKeyThroughS3',
        Effect: 'Allow',
        Principal: { Service: 'machinelearning.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:ViaService': {
              'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
            },
          },
        },
      });
    });

    test('RDS prefixes only: it reads, the Data Pipeline instances write', () => {
      const rdsOnly = buildTestFoundation({
        amazonMl: {
          datasources: [
            {
              id: 'banking-mysql',
              source: 'mysql',
              dataset: 'banking',
              stagingPrefix: 'rds/banking/',
            },
          ],
        },
      });
      const statements = statementsFor(rdsOnly.stacks.storage);
      expect(statements.map((statement) => statement.Sid)).toEqual([
        'AmazonMlListsStaging',
        'AmazonMlReadsStaging',
      ]);
      const key = Object.values(
        Template.fromStack(rdsOnly.stacks.storage).findResources('AWS::KMS::Key'),
      )[0];
      expect(key.Properties.KeyPolicy.Statement).toContainEqual(
        expect.objectContaining({ Sid: 'AmazonMlUsesKeyThroughS3', Action: 'kms:Decrypt' }),
      );
    });

    test('without features.amazonMl it is not admitted at all', () => {
      const off = buildTestFoundation({ features: { amazonMl: false } });
      expect(statementsFor(off.stacks.storage)).toEqual([]);
      expect(JSON.stringify(Template.fromStack(off.stacks.storage).toJSON())).not.toContain(
        'machinelearning',
      );
    });
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
    const destroy = buildTestFoundation({ storage: { removalPolicy: 'destroy' } }, { nag: true });
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
