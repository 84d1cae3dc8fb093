import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { grantPermissions } from '../../lib/shared/grant';
import { S3PrefixAccess } from '../../lib/shared/s3-prefix-access';

const BUCKET = 'arn:aws:s3:::staging-bucket';
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function setup() {
  const stack = new Stack(new App(), 'Test', {
    env: { account: '111122223333', region: 'eu-west-1' },
  });
  const key = kms.Key.fromKeyArn(stack, 'Key', KEY);
  const role = () =>
    new iam.Role(stack, `Role${stack.node.children.length}`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
  const access = new S3PrefixAccess({ bucketArn: BUCKET, prefix: 'exports/', region: 'eu-west-1' });
  return { stack, key, role, access };
}

/** The statements of the default policy of each role in the template, by role. */
function statementsOf(stack: Stack): unknown[][] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies).map((policy) => policy.Properties.PolicyDocument.Statement);
}

describe('S3PrefixAccess', () => {
  test('objects and bucket: the prefix only, and s3:ListBucket lists keys under it only', () => {
    const { access } = setup();
    expect(access.objectsArn).toBe(`${BUCKET}/exports/*`);
    expect(access.onObjects(['s3:GetObject'])).toEqual({
      actions: ['s3:GetObject'],
      resources: [`${BUCKET}/exports/*`],
    });
    expect(access.onBucket(['s3:ListBucket'], { listPrefixOnly: true })).toEqual({
      actions: ['s3:ListBucket'],
      resources: [BUCKET],
      conditions: { StringLike: { 's3:prefix': ['exports/*'] } },
    });
    expect(access.onBucket(['s3:GetBucketLocation'])).toEqual({
      actions: ['s3:GetBucketLocation'],
      resources: [BUCKET],
    });
  });

  test('the key is usable through S3 of the Region only, and optionally for this bucket only', () => {
    const { key, access } = setup();
    expect(access.onKey(key, ['kms:Decrypt'])).toEqual({
      actions: ['kms:Decrypt'],
      resources: [KEY],
      conditions: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
    expect(access.onKey(key, ['kms:Decrypt'], { bucketObjectsOnly: true }).conditions).toEqual({
      StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [BUCKET, `${BUCKET}/exports/*`] },
    });
  });

  test('the whole bucket when no prefix is given', () => {
    const access = new S3PrefixAccess({ bucketArn: BUCKET, region: 'us-east-1' });
    expect(access.objectsArn).toBe(`${BUCKET}/*`);
  });
});

describe('grantPermissions', () => {
  test('adds each permission, in order, to the policy of each grantee and returns one grant', () => {
    const { stack, key, role, access } = setup();
    const [first, second] = [role(), role()];
    const grant = grantPermissions(
      [first, second],
      access.onObjects(['s3:PutObject']),
      access.onKey(key, ['kms:GenerateDataKey']),
    );
    expect(grant.success).toBe(true);
    expect(grant.principalStatements).toHaveLength(4);
    const expected = [
      { Action: 's3:PutObject', Effect: 'Allow', Resource: `${BUCKET}/exports/*` },
      {
        Action: 'kms:GenerateDataKey',
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
        Effect: 'Allow',
        Resource: KEY,
      },
    ];
    expect(statementsOf(stack)).toEqual([expected, expected]);
  });

  test('a grant of nothing is refused rather than returned empty', () => {
    const { role } = setup();
    expect(() => grantPermissions(role())).toThrow('A grant needs a grantee and a permission.');
  });
});
