import { Stack } from 'aws-cdk-lib';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import type { TagGrantConfig } from './config';
import { idOf } from './lf-tags';

/** Grants of one persona. */
export interface PersonaGrants {
  /** The persona's name, which names its grants. */
  readonly name: string;
  /** ARN of the persona's role. */
  readonly principalArn: string;
  /** Its tag-expression grants. */
  readonly grants: readonly TagGrantConfig[];
}

/** Properties of {@link TagGrants}. */
export interface TagGrantsProps {
  /** The personas and what they are granted. */
  readonly personas: readonly PersonaGrants[];
  /** The declared LF-Tags by key; every grant depends on the tags of its expression. */
  readonly tags: ReadonlyMap<string, lakeformation.CfnTag>;
}

function expressionId(grant: TagGrantConfig): string {
  return grant.expression
    .map((term) => `${idOf(term.key)}=${term.values.map(idOf).join(',')}`)
    .join('&');
}

/**
 * Tag-expression grants: a persona gets a permission on every database or table (and, through
 * column tags, column) whose LF-Tags match an expression. There is one grant per permission,
 * identified by persona, resource type, expression and permission, so that changing a grant
 * adds and removes whole grants: a replaced grant would revoke, on delete, a permission that its
 * replacement had just granted.
 */
export class TagGrants extends Construct {
  /** The grants, in the order they must deploy. */
  readonly grants: lakeformation.CfnPrincipalPermissions[] = [];

  constructor(scope: Construct, id: string, props: TagGrantsProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    const problems: string[] = [];
    this.node.addValidation({ validate: () => problems });

    for (const persona of props.personas) {
      for (const grant of persona.grants) {
        for (const permission of grant.permissions) {
          const principalPermissions = new lakeformation.CfnPrincipalPermissions(
            this,
            `${persona.name}-${grant.resourceType}-${expressionId(grant)}-${permission}`,
            {
              principal: { dataLakePrincipalIdentifier: persona.principalArn },
              resource: {
                lfTagPolicy: {
                  catalogId,
                  resourceType: grant.resourceType,
                  expression: grant.expression.map((term) => ({
                    tagKey: term.key,
                    tagValues: term.values,
                  })),
                },
              },
              permissions: [permission],
              permissionsWithGrantOption: [],
            },
          );
          for (const term of grant.expression) {
            const tag = props.tags.get(term.key);
            if (tag) principalPermissions.addResourceDependency(tag);
            else problems.push(`LF-Tag "${term.key}" granted to ${persona.name} is not declared`);
          }
          this.grants.push(principalPermissions);
        }
      }
    }
  }
}
