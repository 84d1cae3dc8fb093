import { configProblems, expectValidConfig } from '../support/problems';

/** The problems reported for an `edge` section merged over the default one. */
const edgeProblems = (edge: unknown) => configProblems({ edge });

describe('edge configuration', () => {
  test('the default packages the model for a Jetson Nano and deploys it to a new thing group', () => {
    const { edge } = expectValidConfig();
    expect(edge.modelComponent).toEqual({
      source: 'package',
      name: 'part-inspection-model',
      version: '1.0.0',
      targetPlatform: { os: 'LINUX', arch: 'ARM64', accelerator: 'NVIDIA' },
      compilerOptions: { 'gpu-code': 'sm_53', 'trt-ver': '7.1.3', 'cuda-ver': '10.2' },
      artifactPrefix: 'lookout-vision/part-inspection/',
    });
    expect(edge.thingGroup).toBe('create');
    expect(edge.lookoutVision.project).toBe('existing');
    expect(edge.edgeAgentVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  // LFV DG package-job.html: "You can only package a model that has been successfully trained";
  // CreateProject "Creates an empty Amazon Lookout for Vision project" (API reference).
  test('packaging a model of a project that the stack creates is refused', () => {
    expect(edgeProblems({ lookoutVision: { project: 'create' } })).toEqual([
      'edge.lookoutVision.project: a project created by this stack holds no trained model, so the packaging job (modelComponent.source "package") cannot succeed: set project to "existing" with a trained modelVersion, or modelComponent.source to "existing"',
    ]);
    const { edge } = expectValidConfig({
      edge: { lookoutVision: { project: 'create' }, modelComponent: { source: 'existing' } },
    });
    expect(edge.lookoutVision.project).toBe('create');
  });

  test('a packaging job without a target is refused', () => {
    expect(
      edgeProblems({ modelComponent: { targetPlatform: null, compilerOptions: null } }),
    ).toEqual([
      'edge.modelComponent: the model packaging job needs a target: set targetDevice ("jetson_xavier") or targetPlatform ({ "os": "LINUX", "arch": "ARM64" | "X86_64", "accelerator"?: "NVIDIA" })',
    ]);
  });

  test('a target device with compiler options is refused', () => {
    expect(
      edgeProblems({ modelComponent: { targetDevice: 'jetson_xavier', targetPlatform: null } }),
    ).toEqual([
      'edge.modelComponent.compilerOptions: compiler options are not accepted with targetDevice: set compilerOptions to null, or use targetPlatform',
    ]);
  });

  test('a target device and a target platform exclude each other', () => {
    expect(
      edgeProblems({ modelComponent: { targetDevice: 'jetson_xavier', compilerOptions: null } }),
    ).toEqual([
      'edge.modelComponent.targetPlatform: targetDevice and targetPlatform exclude each other: set one of them to null',
    ]);
  });

  test('a target device alone is accepted', () => {
    const { edge } = expectValidConfig({
      edge: {
        modelComponent: {
          targetDevice: 'jetson_xavier',
          targetPlatform: null,
          compilerOptions: null,
        },
      },
    });
    expect(edge.modelComponent.targetDevice).toBe('jetson_xavier');
  });

  test('the NVIDIA accelerator needs its three compiler options', () => {
    const { edge } = expectValidConfig({
      edge: { modelComponent: { compilerOptions: { 'gpu-code': 'sm_72' } } },
    });
    expect(edge.modelComponent.compilerOptions).toEqual({
      'gpu-code': 'sm_72',
      'trt-ver': '7.1.3',
      'cuda-ver': '10.2',
    });
    expect(edgeProblems({ modelComponent: { compilerOptions: null } })).toEqual([
      'edge.modelComponent.compilerOptions: the NVIDIA accelerator needs the compiler options gpu-code, trt-ver, cuda-ver; missing: gpu-code, trt-ver, cuda-ver',
    ]);
  });

  test('CPU inference takes other compiler options', () => {
    const { edge } = expectValidConfig({
      edge: {
        modelComponent: {
          targetPlatform: { os: 'LINUX', arch: 'X86_64', accelerator: null },
          compilerOptions: null,
        },
      },
    });
    expect(edge.modelComponent.targetPlatform).toMatchObject({ os: 'LINUX', arch: 'X86_64' });
    expect(edge.modelComponent.targetPlatform?.accelerator).toBeNull();
  });

  test('an existing model component needs no target', () => {
    const { edge } = expectValidConfig({
      edge: {
        modelComponent: {
          source: 'existing',
          name: 'circuit-board-model',
          version: '2.1.0',
          targetPlatform: null,
          compilerOptions: null,
        },
      },
    });
    expect(edge.modelComponent).toMatchObject({ source: 'existing', version: '2.1.0' });
  });

  test('invalid component names and versions are named with their paths', () => {
    expect(
      edgeProblems({
        modelComponent: { name: 'part model!', version: '1.0' },
        inferenceClient: { componentName: 'aws.iot.Client', versionPrefix: '1.0.0' },
        edgeAgentVersion: '01.0.0',
      }),
    ).toEqual([
      'edge.modelComponent.name: component names are 1 to 128 letters, digits, ".", "_" or "-"',
      'edge.modelComponent.version: component versions are major.minor.patch, each a number from 0 to 999999 without leading zeros (for example "1.0.0")',
      'edge.edgeAgentVersion: component versions are major.minor.patch, each a number from 0 to 999999 without leading zeros (for example "1.0.0")',
      'edge.inferenceClient.componentName: component names starting with "aws." are reserved for components published by AWS',
      'edge.inferenceClient.versionPrefix: must be major.minor, each a number from 0 to 999999 without leading zeros (for example "1.0")',
    ]);
  });

  test('the inference client needs a name of its own', () => {
    expect(edgeProblems({ inferenceClient: { componentName: 'part-inspection-model' } })).toEqual([
      'edge.inferenceClient.componentName: "part-inspection-model" is the model component\'s name; the inference client needs its own',
    ]);
  });

  test('topics with wildcards, reserved topics and relative folders are refused', () => {
    const problems = edgeProblems({
      inferenceClient: { resultsTopic: 'inspection/+/results', imageFolder: 'images' },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^edge\.inferenceClient\.imageFolder: must be an absolute path/),
      expect.stringMatching(/^edge\.inferenceClient\.resultsTopic: topics are 1 to 256 characters/),
    ]);
    expect(
      edgeProblems({ inferenceClient: { resultsTopic: '$aws/things/x/shadow' } }),
    ).toHaveLength(1);
    expect(edgeProblems({ inferenceClient: { resultsTopic: 'a/b/c/d/e/f/g/h/i' } })).toEqual([
      'edge.inferenceClient.resultsTopic: AWS IoT topics have at most 8 levels (7 slashes)',
    ]);
  });

  test('the token exchange role and thing group names follow IAM and IoT rules', () => {
    expect(
      edgeProblems({ tokenExchangeRoleName: 'role/with/slashes', thingGroupName: 'line 1' }),
    ).toEqual([
      'edge.thingGroupName: thing group names are 1 to 128 letters, digits, ":", "_" or "-"',
      'edge.tokenExchangeRoleName: role names are 1 to 64 letters, digits or + = , . @ _ -',
    ]);
  });
});
