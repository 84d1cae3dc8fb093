import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config/load-config';
import { EDGE_AGENT_REGIONS } from '../../lib/edge/edge-agent';
import type { Json } from '../support/template-resources';
import {
  SHIPPED_CONFIGURATIONS,
  SHIPPED_MATRIX,
  shippedAssembly,
} from '../support/shipped-assemblies';
import { buildTestFoundation } from '../support/test-app';

/**
 * Nothing that a failed first create of the edge stack leaves behind may stand in the way of the
 * retry. The default configuration's first deploy creates the thing group and is then refused by
 * Lookout for Vision; a group kept by that rollback fails the next create, since the IoT
 * CreateHandler throws CfnAlreadyExistsException for a group that exists
 * (aws-cloudformation-resource-providers-iot aws-iot-thinggroup CreateHandler.checkForThingGroup),
 * and every registered type fails a second create with AlreadyExists (CloudFormation CLI contract
 * test contract_create_create). `RetainExceptOnCreate` "behaves like Retain for stack operations,
 * except for the stack operation that initially created the resource. If the stack operation that
 * created the resource is rolled back, CloudFormation deletes the resource" (CfnDeletionPolicy).
 *
 * The one `Retain` allowed is a log group whose name CloudFormation generates: the retry creates
 * a log group of another name, and the kept one holds the handlers' account of the failure.
 */

/** The resources of a template that a failed first create would keep, with their types. */
function keptByFailedCreate(template: Json): string[] {
  return Object.entries(template.Resources as Record<string, Json>)
    .filter(([, resource]) => {
      const policy = resource.DeletionPolicy ?? 'Delete';
      if (['Delete', 'Snapshot', 'RetainExceptOnCreate'].includes(policy)) return false;
      const generatedName =
        resource.Type === 'AWS::Logs::LogGroup' && resource.Properties?.LogGroupName === undefined;
      return !generatedName;
    })
    .map(([id, resource]) => `${id} (${resource.Type}, ${resource.DeletionPolicy})`);
}

const WITH_EDGE = SHIPPED_MATRIX.filter(
  ({ configuration, environment }) =>
    parseConfig(SHIPPED_CONFIGURATIONS[configuration], configuration).features.edge &&
    (!environment.env || EDGE_AGENT_REGIONS.includes(environment.env.region)),
);

test('the shipped configurations with an edge stack are all covered', () => {
  expect(WITH_EDGE.map(({ configuration }) => configuration)).toEqual(
    expect.arrayContaining(['built-in default', 'config/example-existing-account.json']),
  );
});

describe.each(WITH_EDGE)(
  'the edge stack of $configuration, $environment.name',
  ({ configuration, environment }) => {
    test('keeps nothing that a failed first create leaves in the way of the retry', async () => {
      const { templates } = await shippedAssembly(configuration, environment);
      expect(templates.Edge).toBeDefined();
      expect(keptByFailedCreate(templates.Edge)).toEqual([]);
    });
  },
);

test('a created project and thing group are kept by no failed first create', () => {
  const { stacks } = buildTestFoundation({
    edge: {
      lookoutVision: { project: 'create' },
      modelComponent: { source: 'existing' },
      thingGroup: 'create',
    },
  });
  const template = Template.fromStack(stacks.edge!).toJSON();
  const types = Object.values(template.Resources as Record<string, Json>).map((r) => r.Type);
  expect(types).toEqual(
    expect.arrayContaining(['AWS::LookoutVision::Project', 'AWS::IoT::ThingGroup']),
  );
  expect(keptByFailedCreate(template)).toEqual([]);
});
