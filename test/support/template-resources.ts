import type { Template } from 'aws-cdk-lib/assertions';

/** A template value, as the assertions library reads it. */
export type Json = ReturnType<Template['toJSON']>;

/** One resource of a synthesized template, with its logical id. */
export interface TemplateResource {
  readonly id: string;
  readonly Properties: Json;
  readonly DependsOn?: string[];
  readonly DeletionPolicy?: string;
}

/** Every resource of `type` in the template, with its logical id. */
export function resourcesOf(template: Template, type: string): TemplateResource[] {
  return Object.entries(template.findResources(type)).map(([id, resource]) => ({
    id,
    Properties: resource.Properties,
    DependsOn: resource.DependsOn,
    DeletionPolicy: resource.DeletionPolicy,
  }));
}

/**
 * The one resource of `type` (whose logical id passes `filter`) in the template; fails the test
 * when there is not exactly one.
 */
export function onlyResource(
  template: Template,
  type: string,
  filter: (logicalId: string) => boolean = () => true,
): TemplateResource {
  const resources = resourcesOf(template, type).filter((resource) => filter(resource.id));
  expect(resources).toHaveLength(1);
  return resources[0];
}
