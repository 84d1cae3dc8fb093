import { z } from 'zod';
import type { AppConfig } from '../config/schema';
import type { ConfigPath, ReportIssue } from '../config/issues';
import { iamPrincipalArn, sqlIdentifier } from '../config/names';
import { DMS_COLUMNS } from '../replication/dms-columns';

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

/** The columns of a declared catalog table: the dataset's, then those DMS adds. */
export function catalogColumnsOf(config: AppConfig, table: string): string[] | undefined {
  if (!config.replication.tables.includes(table)) return undefined;
  const dataset = config.datasets.find((candidate) => candidate.name === table);
  if (!dataset) return undefined;
  return [...dataset.columns.map((column) => column.name), ...Object.values(DMS_COLUMNS)];
}

type DeclaredTags = ReadonlyMap<string, ReadonlySet<string>>;

function checkTagDeclarations(governance: GovernanceConfig, report: ReportIssue): DeclaredTags {
  const declared = new Map<string, Set<string>>();
  governance.tags.forEach((tag, index) => {
    if (declared.has(tag.key)) {
      report(['governance', 'tags', index, 'key'], `LF-Tag "${tag.key}" is declared twice`);
      return;
    }
    const values = new Set<string>();
    tag.values.forEach((value, valueIndex) => {
      if (values.has(value))
        report(
          ['governance', 'tags', index, 'values', valueIndex],
          `value "${value}" is listed twice`,
        );
      values.add(value);
    });
    declared.set(tag.key, values);
  });
  return declared;
}

/** Reports a key that is not declared, or a value that is not declared for its key. */
function checkTagValue(
  declared: DeclaredTags,
  tag: { key: string; value: string },
  paths: { key: ConfigPath; value: ConfigPath },
  report: ReportIssue,
): void {
  const values = declared.get(tag.key);
  if (!values) report(paths.key, `LF-Tag "${tag.key}" is not declared in governance.tags`);
  else if (!values.has(tag.value))
    report(
      paths.value,
      `"${tag.value}" is not a declared value of LF-Tag "${tag.key}" (declared: ${[...values].join(', ')})`,
    );
}

function checkResourceTags(
  declared: DeclaredTags,
  tags: ReadonlyArray<{ key: string; value: string }>,
  path: ConfigPath,
  report: ReportIssue,
): void {
  const keys = new Set<string>();
  tags.forEach((tag, index) => {
    if (keys.has(tag.key))
      report(
        [...path, index, 'key'],
        `LF-Tag "${tag.key}" is given twice; a resource has one value per key`,
      );
    keys.add(tag.key);
    checkTagValue(
      declared,
      tag,
      { key: [...path, index, 'key'], value: [...path, index, 'value'] },
      report,
    );
  });
}

function checkTableAssociations(
  config: AppConfig,
  declared: DeclaredTags,
  report: ReportIssue,
): void {
  const seen = new Set<string>();
  config.governance.associations.tables.forEach((table, index) => {
    const path = ['governance', 'associations', 'tables', index];
    if (seen.has(table.name)) report([...path, 'name'], `table "${table.name}" is listed twice`);
    seen.add(table.name);
    checkResourceTags(declared, table.tags, [...path, 'tags'], report);
    if (table.tags.length === 0 && table.columns.length === 0)
      report(path, `table "${table.name}" has neither tags nor column tags`);

    const columns = catalogColumnsOf(config, table.name);
    if (!columns)
      report(
        [...path, 'name'],
        `table "${table.name}" is not in the catalog: the catalog declares the tables of replication.tables (${config.replication.tables.join(', ')})`,
      );
    const taggedKeys = new Map<string, Set<string>>();
    table.columns.forEach((group, groupIndex) => {
      const groupPath = [...path, 'columns', groupIndex];
      checkResourceTags(declared, group.tags, [...groupPath, 'tags'], report);
      group.names.forEach((name, nameIndex) => {
        if (columns && !columns.includes(name))
          report(
            [...groupPath, 'names', nameIndex],
            `table "${table.name}" has no column "${name}"`,
          );
        const keys = taggedKeys.get(name) ?? new Set<string>();
        for (const tag of group.tags) {
          if (keys.has(tag.key))
            report(
              [...groupPath, 'names', nameIndex],
              `column "${name}" gets LF-Tag "${tag.key}" twice; a column has one value per key`,
            );
          keys.add(tag.key);
        }
        taggedKeys.set(name, keys);
      });
    });
  });
}

function checkGrants(
  governance: GovernanceConfig,
  declared: DeclaredTags,
  report: ReportIssue,
): void {
  for (const persona of ['analyst', 'projectLeader'] as const) {
    governance.grants[persona].forEach((grant, index) => {
      const path = ['governance', 'grants', persona, index];
      const keys = new Set<string>();
      grant.expression.forEach((term, termIndex) => {
        const termPath = [...path, 'expression', termIndex];
        if (keys.has(term.key))
          report([...termPath, 'key'], `LF-Tag "${term.key}" appears twice in the expression`);
        keys.add(term.key);
        if (!declared.has(term.key)) {
          report([...termPath, 'key'], `LF-Tag "${term.key}" is not declared in governance.tags`);
          return;
        }
        term.values.forEach((value, valueIndex) =>
          checkTagValue(
            declared,
            { key: term.key, value },
            { key: [...termPath, 'key'], value: [...termPath, 'values', valueIndex] },
            report,
          ),
        );
      });
      if (new Set(grant.permissions).size !== grant.permissions.length)
        report([...path, 'permissions'], 'a permission is listed twice');
    });
  }
}

/** Cross-section checks for governance: tags declared, tables and columns in the catalog. */
export function checkGovernanceConfig(config: AppConfig, report: ReportIssue): void {
  if (!config.features.governance) return;
  if (!config.features.replication) {
    report(
      ['features', 'governance'],
      'governance needs the catalog, which comes with features.replication',
    );
  }
  const { governance } = config;
  const declared = checkTagDeclarations(governance, report);
  checkResourceTags(
    declared,
    governance.associations.database,
    ['governance', 'associations', 'database'],
    report,
  );
  checkTableAssociations(config, declared, report);
  checkGrants(governance, declared, report);
}
