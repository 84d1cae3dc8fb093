import { z } from 'zod';
import { iamPrincipalArn, sqlIdentifier } from '../config/names';

/** `account` stands for this account's root principal: any IAM principal the account allows. */
const principal = z
  .string()
  .refine(
    (value) => value === 'account' || iamPrincipalArn.safeParse(value).success,
    'must be "account" (any principal of this account) or an IAM role, user or account root ARN (arn:aws:iam::123456789012:role/Name)',
  );

const persona = z.strictObject({
  /** Principals allowed to assume the persona's role. */
  principals: z
    .array(principal)
    .min(1, 'a persona needs at least one principal that can assume it'),
});

/**
 * LF-Tag keys and values as Lake Formation stores them: it lower-cases both, so upper case
 * here would show as a difference on every deploy.
 */
const LF_TAG_TEXT = /^[a-z0-9_.:/=+\-@%]+$/;
const lfTagKey = z
  .string()
  .max(128, 'LF-Tag keys are at most 128 characters')
  .regex(LF_TAG_TEXT, 'LF-Tag keys use lower-case letters, digits and _ . : / = + - @ %');
const lfTagValue = z
  .string()
  .max(256, 'LF-Tag values are at most 256 characters')
  .regex(LF_TAG_TEXT, 'LF-Tag values use lower-case letters, digits and _ . : / = + - @ %');

const tagDeclaration = z.strictObject({
  /** The LF-Tag key. */
  key: lfTagKey,
  /** The values the key may take. */
  values: z
    .array(lfTagValue)
    .min(1, 'an LF-Tag needs at least one value')
    .max(1000, 'an LF-Tag has at most 1000 values'),
});

/** One LF-Tag on a resource: a resource has at most one value per key. */
const tagOnResource = z.strictObject({ key: lfTagKey, value: lfTagValue });
const tagsOnResource = z.array(tagOnResource).max(50, 'a resource has at most 50 LF-Tags');

const columnAssociation = z.strictObject({
  /** Columns of the table that get the same tags. */
  names: z.array(sqlIdentifier).min(1, 'name at least one column'),
  /** Their tags, which override the table's for the same key. */
  tags: tagsOnResource.min(1, 'give the columns at least one tag'),
});

const tableAssociation = z.strictObject({
  /** A table of the catalog: one of `replication.tables`. */
  name: sqlIdentifier,
  /** Tags of the table, which override the database's for the same key. */
  tags: tagsOnResource.default([]),
  /** Tags of some of its columns. */
  columns: z.array(columnAssociation).default([]),
});

/** A tag expression: every key must match one of its values. */
const tagExpression = z
  .array(
    z.strictObject({
      key: lfTagKey,
      values: z.array(lfTagValue).min(1, 'an expression needs at least one value per key'),
    }),
  )
  .min(1, 'an expression needs at least one key')
  .max(5, 'an LF-Tag expression has at most 5 keys');

/** The Lake Formation permissions that make sense for each kind of tagged resource. */
const DATABASE_PERMISSIONS = ['DESCRIBE', 'CREATE_TABLE', 'ALTER', 'DROP'] as const;
const TABLE_PERMISSIONS = ['SELECT', 'DESCRIBE', 'INSERT', 'DELETE', 'ALTER', 'DROP'] as const;

const tagGrant = z.discriminatedUnion('resourceType', [
  z.strictObject({
    /** Databases whose tags match `expression`. */
    resourceType: z.literal('DATABASE'),
    permissions: z.array(z.enum(DATABASE_PERMISSIONS)).min(1, 'grant at least one permission'),
    expression: tagExpression,
  }),
  z.strictObject({
    /** Tables, and through their column tags columns, that match `expression`. */
    resourceType: z.literal('TABLE'),
    permissions: z.array(z.enum(TABLE_PERMISSIONS)).min(1, 'grant at least one permission'),
    expression: tagExpression,
  }),
]);
export type TagGrantConfig = z.infer<typeof tagGrant>;

export const governanceConfigSchema = z.strictObject({
  /**
   * The role CloudFormation deploys with, made a data lake administrator.
   * Defaults to the bootstrap's execution role; required with synthesizers that have none.
   */
  deploymentRoleArn: iamPrincipalArn
    .refine((arn) => arn.includes(':role/'), 'must be an IAM role ARN')
    .optional(),
  personas: z.strictObject({
    dataLakeAdmin: persona,
    analyst: persona,
    projectLeader: persona,
  }),
  /** The LF-Tags and their values. */
  tags: z.array(tagDeclaration).min(1, 'declare at least one LF-Tag'),
  /** Which tags the governed database, its tables and their columns carry. */
  associations: z.strictObject({
    database: tagsOnResource,
    tables: z.array(tableAssociation),
  }),
  /**
   * Tag-expression grants per persona. The data lake admin has every permission already, and
   * grants to an administrator cannot be revoked, so it takes none.
   */
  grants: z.strictObject({
    analyst: z.array(tagGrant),
    projectLeader: z.array(tagGrant),
  }),
});
export type GovernanceConfig = z.infer<typeof governanceConfigSchema>;

/**
 * Columns of the `banking` table that describe the person (age, job, marital status,
 * education) or their finances (credit in default, housing and personal loans). Project leaders
 * see them; analysts see the campaign and economic context, and the outcome.
 */
export const BANKING_PERSONAL_COLUMNS = [
  'age',
  'job',
  'marital',
  'education',
  'default',
  'housing',
  'loan',
];

export const DEFAULT_GOVERNANCE_CONFIG: z.input<typeof governanceConfigSchema> = {
  personas: {
    dataLakeAdmin: { principals: ['account'] },
    analyst: { principals: ['account'] },
    projectLeader: { principals: ['account'] },
  },
  tags: [{ key: 'role', values: ['leader', 'analyst'] }],
  associations: {
    database: [{ key: 'role', value: 'analyst' }],
    tables: [
      {
        name: 'banking',
        tags: [{ key: 'role', value: 'analyst' }],
        columns: [{ names: BANKING_PERSONAL_COLUMNS, tags: [{ key: 'role', value: 'leader' }] }],
      },
    ],
  },
  grants: {
    analyst: [
      {
        resourceType: 'DATABASE',
        permissions: ['DESCRIBE'],
        expression: [{ key: 'role', values: ['analyst'] }],
      },
      {
        resourceType: 'TABLE',
        permissions: ['SELECT', 'DESCRIBE'],
        expression: [{ key: 'role', values: ['analyst'] }],
      },
    ],
    projectLeader: [
      {
        resourceType: 'DATABASE',
        permissions: ['DESCRIBE'],
        expression: [{ key: 'role', values: ['leader', 'analyst'] }],
      },
      {
        resourceType: 'TABLE',
        permissions: ['SELECT', 'DESCRIBE'],
        expression: [{ key: 'role', values: ['leader', 'analyst'] }],
      },
    ],
  },
};
