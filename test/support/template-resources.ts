import type { CfnElement } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

/** A template value, as the assertions library reads it. */
export type Json = ReturnType<Template['toJSON']>;

/** One resource of a synthesized template, with its logical id. */
export interface TemplateResource {
  readonly id: string;
  readonly Type: string;
  readonly Properties: Json;
  readonly DependsOn?: string[];
  readonly DeletionPolicy?: string;
}

function resourceOf(id: string, resource: Json): TemplateResource {
  return {
    id,
    Type: resource.Type,
    Properties: resource.Properties,
    DependsOn: resource.DependsOn,
    DeletionPolicy: resource.DeletionPolicy,
  };
}

/** Every resource of the template, with its logical id, in template order. */
export function allResources(template: Template): TemplateResource[] {
  const resources: Record<string, Json> = template.toJSON().Resources ?? {};
  return Object.entries(resources).map(([id, resource]) => resourceOf(id, resource));
}

/** Every resource of `type` in the template, with its logical id. */
export function resourcesOf(template: Template, type: string): TemplateResource[] {
  return Object.entries(template.findResources(type)).map(([id, resource]) =>
    resourceOf(id, { Type: type, ...resource }),
  );
}

/**
 * The one resource of `type` (that passes `filter`) in the template; throws, naming what it
 * found, when there is not exactly one. Call it inside a test or a `beforeAll`, so that the
 * failure is reported on the tests that need the resource.
 */
export function onlyResource(
  template: Template,
  type: string,
  filter: (resource: TemplateResource) => boolean = () => true,
): TemplateResource {
  const resources = resourcesOf(template, type).filter(filter);
  if (resources.length !== 1) {
    const found = resources.map((resource) => resource.id).join(', ') || 'none';
    throw new Error(`expected exactly one ${type}, found ${resources.length}: ${found}`);
  }
  return resources[0];
}

/** The logical id of a construct's CloudFormation resource (its default child for an L2). */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild ?? construct;
  return Stack.of(construct).getLogicalId(resource as CfnElement);
}
