import { Stack } from 'aws-cdk-lib';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import type { TagGrantConfig } from './config';
import { idOf } from './lf-tags';
import { canonicalExpression, tagPolicyKey } from './tag-model';

/** Grants of one persona. */
export interface PersonaGrants {
  /** The persona's name, which names its grants. */
  readonly name: string;
  /** ARN of the persona's role. */
  readonly principalArn: string;
  /** Its tag-expression grants, at most one per resource type and expression. */
  readonly grants: readonly TagGrantConfig[];
}

/** Properties of {@link TagGrants}. */
export interface TagGrantsProps {
  /** The personas and what they are granted. */
  readonly personas: readonly PersonaGrants[];
  /** The governed database, on which every persona gets DESCRIBE. */
  readonly databaseName: string;
  /** The declared LF-Tags by key; every grant depends on the tags of its expression. */
  readonly tags: ReadonlyMap<string, lakeformation.CfnTag>;
}

/**
 * The personas' grants: DESCRIBE on the governed database, named (not through its tags, which
 * every table the crawlers create inherits), and the tag-expression grants, by which a persona
 * gets permissions on every table (and, through column tags, column) whose LF-Tags match.
 *
 * Lake Formation identifies a grant by its principal and resource, whatever its permissions,
 * and deleting one revokes everything the principal holds on the resource; so there is exactly
 * one grant per principal and resource, holding all its permissions, and its construct id names
 * the principal and the resource only. {@link ledger} lists the permissions of each, for the
 * ledger that refuses in-place changes of them.
 */
export class TagGrants extends Construct {
  /** The grants, in the order they must deploy. */
  readonly grants: lakeformation.CfnPrincipalPermissions[] = [];
  /** The permissions of each grant, comma-separated, by `<persona>|<resource>`. */
  readonly ledger: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: TagGrantsProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    const problems: string[] = [];
    this.node.addValidation({ validate: () => problems });

    const grant = (
      persona: PersonaGrants,
      resourceKey: string,
      resource: lakeformation.CfnPrincipalPermissions.ResourceProperty,
      permissions: readonly string[],
    ) => {
      const ledgerKey = `${persona.name}|${resourceKey}`;
      if (ledgerKey in this.ledger) {
        problems.push(
          `${persona.name} has two grants on ${resourceKey}: Lake Formation keeps one grant per principal and resource, so list every permission in one`,
        );
        return undefined;
      }
      const sorted = [...new Set(permissions)].sort();
      this.ledger[ledgerKey] = sorted.join(',');
      const principalPermissions = new lakeformation.CfnPrincipalPermissions(
        this,
        `${persona.name}-${idOf(resourceKey)}`,
        {
          principal: { dataLakePrincipalIdentifier: persona.principalArn },
          resource,
          permissions: sorted,
          permissionsWithGrantOption: [],
        },
      );
      this.grants.push(principalPermissions);
      return principalPermissions;
    };

    for (const persona of props.personas) {
      grant(
        persona,
        `DATABASE:${props.databaseName}`,
        { database: { catalogId, name: props.databaseName } },
        ['DESCRIBE'],
      );
      for (const tagGrant of persona.grants) {
        const expression = canonicalExpression(tagGrant.expression);
        const principalPermissions = grant(
          persona,
          tagPolicyKey({ resourceType: tagGrant.resourceType, expression }),
          {
            lfTagPolicy: {
              catalogId,
              resourceType: tagGrant.resourceType,
              expression: expression.map((term) => ({
                tagKey: term.key,
                tagValues: term.values,
              })),
            },
          },
          tagGrant.permissions,
        );
        if (!principalPermissions) continue;
        for (const term of expression) {
          const tag = props.tags.get(term.key);
          if (tag) principalPermissions.addResourceDependency(tag);
          else problems.push(`LF-Tag "${term.key}" granted to ${persona.name} is not declared`);
        }
      }
    }
  }
}
