import { Template } from 'aws-cdk-lib/assertions';
import { BANKING_PERSONAL_COLUMNS } from '../../lib/governance/config';
import type { Json } from '../support/template-resources';
import { resourcesOf } from '../support/template-resources';
import { SHIPPED_CONFIGURATIONS } from '../support/shipped-assemblies';
import { buildTestFoundation } from '../support/test-app';

/**
 * What each query persona can reach, derived from the synthesized templates alone, the way Lake
 * Formation and IAM would evaluate them; nothing here reads the configuration or the code that
 * wrote the templates. Lake Formation: a table inherits its database's LF-Tags and a column its
 * table's, a value of the same key overriding ("Assigning LF-Tags to Data Catalog resources");
 * a TABLE tag-policy grant of SELECT reaches each column whose tags match its expression
 * ("Lake Formation tag-based access control notes"). Athena: query results are not governed by
 * Lake Formation, so whoever reads a results prefix reads every result in it, personal columns
 * included ("Considerations and limitations" of Lake Formation in Athena).
 */

type Tags = Map<string, string>;
type Expression = Array<{ TagKey: string; TagValues: string[] }>;

/** The tags of the database, each table and each column, from the tag associations. */
function tagModel(governance: Template) {
  const database: Tags = new Map();
  const tables = new Map<string, Tags>();
  const columns = new Map<string, Tags>();
  const add = (into: Tags, lfTags: Json[]) => {
    for (const tag of lfTags) into.set(tag.TagKey, tag.TagValues[0]);
  };
  const tagsOf = (map: Map<string, Tags>, key: string) => {
    if (!map.has(key)) map.set(key, new Map());
    return map.get(key)!;
  };
  for (const association of resourcesOf(governance, 'AWS::LakeFormation::TagAssociation')) {
    const { Resource: resource, LFTags: lfTags } = association.Properties;
    if (resource.Database) add(database, lfTags);
    else if (resource.Table) add(tagsOf(tables, resource.Table.Name), lfTags);
    else
      for (const column of resource.TableWithColumns.ColumnNames)
        add(tagsOf(columns, `${resource.TableWithColumns.Name}.${column}`), lfTags);
  }
  /** The tags a column carries, inheritance included; a column nobody tagged inherits only. */
  const effective = (table: string, column?: string): Tags =>
    new Map([
      ...database,
      ...(tables.get(table) ?? []),
      ...(column ? (columns.get(`${table}.${column}`) ?? []) : []),
    ]);
  return { effective };
}

const matches = (expression: Expression, tags: Tags) =>
  expression.every((term) => term.TagValues.includes(tags.get(term.TagKey) ?? '\u0000'));

/** A query persona's role, by the start of its description. */
function roleId(governance: Template, description: string): string {
  const roles = resourcesOf(governance, 'AWS::IAM::Role');
  const role = roles.find((r) => String(r.Properties.Description).startsWith(description));
  if (!role) throw new Error(`no role described as ${description}`);
  return role.id;
}

/** Every identity-policy statement of a role. */
function statementsOf(governance: Template, id: string): Json[] {
  const [role] = resourcesOf(governance, 'AWS::IAM::Role').filter((r) => r.id === id);
  return [
    ...(role.Properties.Policies ?? []).flatMap((p: Json) => p.PolicyDocument.Statement),
    ...resourcesOf(governance, 'AWS::IAM::Policy')
      .filter((p) => p.Properties.Roles.some((r: Json) => r.Ref === id))
      .flatMap((p) => p.Properties.PolicyDocument.Statement),
  ];
}

const actionsOf = (statement: Json): string[] => [statement.Action].flat();
const resourcesOfStatement = (statement: Json): Json[] => [statement.Resource].flat();

/** The last literal text of an ARN the template writes as Fn::Join (or a plain string). */
function arnTail(arn: Json): string {
  if (typeof arn === 'string') return arn;
  const parts: Json[] = arn['Fn::Join'][1];
  return String(parts[parts.length - 1]);
}

/** What one persona can reach. */
interface Access {
  /** Columns it may SELECT, by table. */
  readonly columns: Map<string, Set<string>>;
  /** Workgroups it may run queries, prepared statements and saved queries in. */
  readonly workgroups: Set<string>;
  /** Prefixes of the results bucket it may read objects under (`''`: the whole bucket). */
  readonly resultPrefixes: string[];
}

function accessOf(governance: Template, catalog: Template, description: string): Access {
  const id = roleId(governance, description);
  const model = tagModel(governance);
  const grants = resourcesOf(governance, 'AWS::LakeFormation::PrincipalPermissions').filter(
    (grant) =>
      JSON.stringify(grant.Properties.Principal) ===
        JSON.stringify({ DataLakePrincipalIdentifier: { 'Fn::GetAtt': [id, 'Arn'] } }) &&
      (grant.Properties.Permissions as string[]).some((p) => p === 'SELECT' || p === 'ALL'),
  );
  const tables = new Map(
    resourcesOf(catalog, 'AWS::Glue::Table').map((table) => {
      const name = table.Properties.TableInput.Name as string;
      return [name, tableColumnsOf(catalog, name)];
    }),
  );
  const columns = new Map<string, Set<string>>();
  for (const [table, names] of tables) {
    const selectable = names.filter((column) =>
      grants.some((grant) => {
        const resource = grant.Properties.Resource;
        if (resource.LFTagPolicy?.ResourceType === 'TABLE')
          return matches(resource.LFTagPolicy.Expression, model.effective(table, column));
        if (resource.Table) return resource.Table.Name === table || resource.Table.TableWildcard;
        if (resource.TableWithColumns)
          return (
            resource.TableWithColumns.Name === table &&
            resource.TableWithColumns.ColumnNames.includes(column)
          );
        return false;
      }),
    );
    columns.set(table, new Set(selectable));
  }

  const statements = statementsOf(governance, id).filter((s) => s.Effect === 'Allow');
  const workgroups = new Set(
    statements
      .filter((s) => actionsOf(s).some((a) => /^athena:(StartQueryExecution|\*)$/.test(a)))
      .flatMap(resourcesOfStatement)
      .map(arnTail)
      .map((tail) => /:workgroup\/(.+)$/.exec(tail)?.[1] ?? '*'),
  );
  const resultPrefixes = statements
    .filter((s) => actionsOf(s).some((a) => a === 's3:GetObject' || a === 's3:*'))
    .flatMap(resourcesOfStatement)
    .filter((arn) => JSON.stringify(arn).includes('AthenaResultsBucket'))
    .map((arn) => arnTail(arn).replace(/^\//, '').replace(/\*$/, ''));
  return { columns, workgroups, resultPrefixes };
}

/** The as-of SQL in each workgroup, and each workgroup's results prefix, from the catalog. */
function catalogQueries(catalog: Template) {
  const workgroups = resourcesOf(catalog, 'AWS::Athena::WorkGroup');
  const nameOf = (ref: Json) =>
    workgroups.find((w) => JSON.stringify({ Ref: w.id }) === JSON.stringify(ref))!.Properties
      .Name as string;
  const sql = [
    ...resourcesOf(catalog, 'AWS::Athena::PreparedStatement').map((s) => ({
      kind: 'prepared statement',
      workgroup: nameOf(s.Properties.WorkGroup),
      text: s.Properties.QueryStatement as string,
    })),
    ...resourcesOf(catalog, 'AWS::Athena::NamedQuery').map((q) => ({
      kind: 'saved query',
      workgroup: nameOf(q.Properties.WorkGroup),
      text: q.Properties.QueryString as string,
    })),
  ];
  const outputs = new Map(
    workgroups.map((w) => [
      w.Properties.Name as string,
      arnTail(w.Properties.WorkGroupConfiguration.ResultConfiguration.OutputLocation).replace(
        /^\//,
        '',
      ),
    ]),
  );
  return { sql, outputs };
}

/** The columns and partition keys of a Glue table of the catalog. */
function tableColumnsOf(catalog: Template, table: string): string[] {
  return resourcesOf(catalog, 'AWS::Glue::Table')
    .filter((t) => t.Properties.TableInput.Name === table)
    .flatMap((t) => [
      ...t.Properties.TableInput.StorageDescriptor.Columns,
      ...(t.Properties.TableInput.PartitionKeys ?? []),
    ])
    .map((column: Json) => column.Name as string);
}

/** The quoted identifiers a query names. */
const identifiersOf = (sql: string) =>
  new Set([...sql.matchAll(/"((?:[^"]|"")+)"/g)].map((match) => match[1].replace(/""/g, '"')));

describe.each(['built-in default', 'config/new-account.json'])(
  'what each persona reaches, from the templates of the %s configuration',
  (configuration) => {
    const { stacks } = buildTestFoundation(SHIPPED_CONFIGURATIONS[configuration]);
    const governance = Template.fromStack(stacks.governance!);
    const catalog = Template.fromStack(stacks.catalog!);
    const analyst = accessOf(governance, catalog, 'Analyst:');
    const leader = accessOf(governance, catalog, 'Project leader:');
    const { sql, outputs } = catalogQueries(catalog);

    test('analysts select every banking column but the personal ones; project leaders select those too', () => {
      const analystColumns = analyst.columns.get('banking')!;
      expect(analystColumns.size).toBeGreaterThan(0);
      for (const personal of BANKING_PERSONAL_COLUMNS) {
        expect(analystColumns.has(personal)).toBe(false);
        expect(leader.columns.get('banking')!.has(personal)).toBe(true);
      }
      for (const column of analystColumns)
        expect(leader.columns.get('banking')!.has(column)).toBe(true);
    });

    test('each persona queries in one workgroup of its own, and reads results only under its prefix', () => {
      expect([...analyst.workgroups]).toEqual(['ml-foundation-analyst']);
      expect([...leader.workgroups]).toEqual(['ml-foundation-project-leader']);
      expect(analyst.resultPrefixes).toEqual([outputs.get('ml-foundation-analyst')]);
      expect(leader.resultPrefixes).toEqual([outputs.get('ml-foundation-project-leader')]);
      // No prefix that one persona reads holds the other's results.
      for (const prefix of analyst.resultPrefixes)
        expect(outputs.get('ml-foundation-project-leader')!.startsWith(prefix)).toBe(false);
      for (const prefix of leader.resultPrefixes)
        expect(outputs.get('ml-foundation-analyst')!.startsWith(prefix)).toBe(false);
    });

    // A query naming a column its caller may not select fails ("cannot be resolved or
    // requester is not authorized to access requested resources", metabase/metabase#40355).
    test.each([
      ['analyst', () => analyst],
      ['project leader', () => leader],
    ])(
      'every column that a prepared statement or saved query of the %s names is one it may select',
      (_persona, access) => {
        const { workgroups, columns } = access();
        const mine = sql.filter((query) => workgroups.has(query.workgroup));
        expect(mine.map((query) => query.kind).sort()).toEqual([
          'prepared statement',
          'saved query',
        ]);
        const forbidden: string[] = [];
        for (const query of mine) {
          const named = identifiersOf(query.text);
          for (const [table, selectable] of columns) {
            if (!named.has(table)) continue;
            for (const column of tableColumnsOf(catalog, table)) {
              if (named.has(column) && !selectable.has(column))
                forbidden.push(`${query.kind} ${table}.${column}`);
            }
          }
        }
        expect(forbidden).toEqual([]);
      },
    );

    test('no path shows an analyst a leader column: tables, prepared statements, saved queries, results', () => {
      const leaderOnly = BANKING_PERSONAL_COLUMNS;
      expect([...analyst.columns.get('banking')!].filter((c) => leaderOnly.includes(c))).toEqual(
        [],
      );
      const reachable = sql.filter((query) => analyst.workgroups.has(query.workgroup));
      for (const query of reachable) {
        for (const column of leaderOnly) expect(query.text).not.toContain(`"${column}"`);
      }
      // Results that hold leader columns are written only where the leader's workgroup writes.
      const leaderQueries = sql.filter((query) =>
        leaderOnly.some((column) => query.text.includes(`"${column}"`)),
      );
      expect(leaderQueries.length).toBeGreaterThan(0);
      for (const query of leaderQueries) {
        expect(analyst.workgroups.has(query.workgroup)).toBe(false);
        const output = outputs.get(query.workgroup)!;
        for (const prefix of analyst.resultPrefixes) expect(output.startsWith(prefix)).toBe(false);
      }
    });

    // Tags cannot be set when a resource is created (LF best practices): a table the discovery
    // crawler creates, or a column that appears in banking later, carries only what it inherits.
    test('a table the crawler creates and a column that appears later are nobody’s until tagged', () => {
      const model = tagModel(governance);
      for (const persona of [analyst, leader]) expect(persona.columns.size).toBeGreaterThan(0);
      const grants = resourcesOf(governance, 'AWS::LakeFormation::PrincipalPermissions')
        .map((grant) => grant.Properties.Resource.LFTagPolicy)
        .filter((policy) => policy?.ResourceType === 'TABLE');
      expect(grants.length).toBeGreaterThan(0);
      for (const policy of grants) {
        expect(matches(policy.Expression, model.effective('discovered_orders'))).toBe(false);
        expect(matches(policy.Expression, model.effective('banking', 'new_column'))).toBe(false);
        expect(matches(policy.Expression, model.effective('banking'))).toBe(false);
      }
    });
  },
);
