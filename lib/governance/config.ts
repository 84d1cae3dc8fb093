import { z } from 'zod';
import { BANKING_DATASET } from '../config/dataset';
import { iamPrincipalArn, sqlIdentifier } from '../config/names';

/** `account` stands for this account's root principal: any IAM principal the account allows. */
const principal = z
  .string()
  .refine(
    (value) => value === 'account' || iamPrincipalArn.safeParse(value).success,
    'must be "account" (any principal of this account) or an IAM role, user or account root ARN (arn:aws:iam::123456789012:role/Name)',
  );

/** A persona: a role whose principals are configured, described by what it is for. */
const persona = (role: string) =>
  z.strictObject({
    principals: z
      .array(principal)
      .min(1, 'a persona needs at least one principal that can assume it')
      .meta({
        description: `Who may assume the ${role} role: IAM role or user ARNs, or \`account\` for any principal of this account.`,
      }),
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
  key: lfTagKey,
  values: z
    .array(lfTagValue)
    .min(1, 'an LF-Tag needs at least one value')
    .max(1000, 'an LF-Tag has at most 1000 values'),
});

/** One LF-Tag on a resource: a resource has at most one value per key. */
const tagOnResource = z.strictObject({ key: lfTagKey, value: lfTagValue });
const tagsOnResource = z.array(tagOnResource).max(50, 'a resource has at most 50 LF-Tags');

const columnAssociation = z.strictObject({
  names: z
    .array(sqlIdentifier)
    .min(1, 'name at least one column')
    .meta({ description: 'Columns of the table that get the same tags.' }),
  tags: tagsOnResource
    .min(1, 'give the columns at least one tag')
    .meta({ description: "Their tags, which override the table's for the same key." }),
});

const tableAssociation = z.strictObject({
  name: sqlIdentifier.meta({
    description: 'A table of the catalog: one of `replication.tables`.',
  }),
  tags: tagsOnResource.default([]).meta({
    description:
      "Tags of the table, which override the database's for the same key. Columns added later (by the source) inherit them, so no `TABLE` grant may match them.",
  }),
  columns: z
    .array(columnAssociation)
    .default([])
    .meta({ description: 'Tags of some of its columns; every column must be in the table.' }),
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

const tagGrants = (persona: string) =>
  z.array(tagGrant).meta({
    description: `Tag-expression grants to the ${persona}: each \`{ resourceType, permissions, expression }\`, where \`DATABASE\` takes ${DATABASE_PERMISSIONS.join(', ')}, \`TABLE\` takes ${TABLE_PERMISSIONS.join(', ')}, and the expression is up to 5 \`{ key, values }\` that must all match.`,
  });

export const governanceConfigSchema = z.strictObject({
  deploymentRoleArn: iamPrincipalArn
    .refine((arn) => arn.includes(':role/'), 'must be an IAM role ARN')
    .optional()
    .meta({
      description:
        "The role CloudFormation deploys with, made a data lake administrator so that it can create Lake Formation resources. Unset: the bootstrap's CloudFormation execution role; required with synthesizers that have none.",
    }),
  personas: z.strictObject({
    dataLakeAdmin: persona('data lake admin persona (a Lake Formation administrator)'),
    analyst: persona('analyst persona'),
    projectLeader: persona('project leader persona'),
  }),
  tags: z.array(tagDeclaration).min(1, 'declare at least one LF-Tag').meta({
    description:
      'The LF-Tags and the values each may take, in lower case as Lake Formation stores them.',
  }),
  associations: z.strictObject({
    database: tagsOnResource.meta({
      description:
        'Tags of the governed database. Tables that the discovery crawler creates inherit them, so no `TABLE` grant may match them: the most restricted value, such as `role=unclassified`.',
    }),
    historyColumns: tagsOnResource.default([]).meta({
      description:
        'Tags of the columns that the change history adds to each table of `tables` (`op`, `commit_ts`, `change_seq`, `generation`, `bi_<key>`) and of the truncation marks table: whoever queries a table as of a moment reads them.',
    }),
    tables: z.array(tableAssociation).meta({
      description: 'Tags of tables and of their columns; every table must be in the catalog.',
    }),
  }),
  grants: z
    .strictObject({
      analyst: tagGrants('analyst persona'),
      projectLeader: tagGrants('project leader persona'),
    })
    .meta({
      description:
        'Tag-expression grants per persona, at most one per resource type and expression. Each persona also gets DESCRIBE on the governed database. The data lake admin takes none: it has every permission already, and grants to an administrator could not be revoked.',
    }),
  changeAccountDefaults: z.boolean().default(false).meta({
    description:
      "Also clear the account's default permissions, so that every database and table created later in the account is governed by Lake Formation, not IAM alone; deleting the stack gives them back. Off: only the governed database's setting changes.",
  }),
  deadPrincipals: z.enum(['fail', 'drop']).default('fail').meta({
    description:
      'What to do when the Lake Formation settings name a principal that no longer exists, which makes Lake Formation refuse every settings write: `fail` names it, `drop` removes it from the settings.',
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

/** The other columns of the `banking` table: the key, the campaign, its context and the outcome. */
export const BANKING_ANALYST_COLUMNS = BANKING_DATASET.columns
  .map((column) => column.name)
  .filter((name) => !BANKING_PERSONAL_COLUMNS.includes(name));

/** The value of the `role` tag that no persona is granted: what nobody has classified yet. */
export const UNCLASSIFIED = { key: 'role', value: 'unclassified' };

export const DEFAULT_GOVERNANCE_CONFIG: z.input<typeof governanceConfigSchema> = {
  personas: {
    dataLakeAdmin: { principals: ['account'] },
    analyst: { principals: ['account'] },
    projectLeader: { principals: ['account'] },
  },
  tags: [{ key: 'role', values: ['leader', 'analyst', UNCLASSIFIED.value] }],
  associations: {
    database: [UNCLASSIFIED],
    historyColumns: [{ key: 'role', value: 'analyst' }],
    tables: [
      {
        name: 'banking',
        tags: [UNCLASSIFIED],
        columns: [
          { names: BANKING_ANALYST_COLUMNS, tags: [{ key: 'role', value: 'analyst' }] },
          { names: BANKING_PERSONAL_COLUMNS, tags: [{ key: 'role', value: 'leader' }] },
        ],
      },
    ],
  },
  grants: {
    analyst: [
      {
        resourceType: 'TABLE',
        permissions: ['SELECT', 'DESCRIBE'],
        expression: [{ key: 'role', values: ['analyst'] }],
      },
    ],
    projectLeader: [
      {
        resourceType: 'TABLE',
        permissions: ['SELECT', 'DESCRIBE'],
        expression: [{ key: 'role', values: ['analyst', 'leader'] }],
      },
    ],
  },
};
