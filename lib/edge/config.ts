import { z } from 'zod';
import { s3Prefix } from '../config/names';

/** A custom Greengrass component name, as Lookout for Vision and Greengrass accept it. */
export const componentName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,128}$/, 'component names are 1 to 128 letters, digits, ".", "_" or "-"')
  .refine(
    (name) => !name.toLowerCase().startsWith('aws.'),
    'component names starting with "aws." are reserved for components published by AWS',
  );

const VERSION_PART = '(0|[1-9][0-9]{0,5})';

/** A Greengrass component version: `major.minor.patch`. */
export const componentVersion = z
  .string()
  .regex(
    new RegExp(`^${VERSION_PART}\\.${VERSION_PART}\\.${VERSION_PART}$`),
    'component versions are major.minor.patch, each a number from 0 to 999999 without leading zeros (for example "1.0.0")',
  );

/** The `major.minor` part of a version whose patch number is computed. */
const versionPrefix = z
  .string()
  .regex(
    new RegExp(`^${VERSION_PART}\\.${VERSION_PART}$`),
    'must be major.minor, each a number from 0 to 999999 without leading zeros (for example "1.0")',
  );

/** An MQTT topic that a device may publish to: no wildcards, not reserved, at most 8 levels. */
const publishTopic = z
  .string()
  .regex(
    /^[^$#+][^#+]{0,255}$/,
    'topics are 1 to 256 characters without "#" or "+" and do not start with "$" (reserved by AWS IoT)',
  )
  .refine(
    (topic) => topic.split('/').length <= 8,
    'AWS IoT topics have at most 8 levels (7 slashes)',
  );

/** An absolute folder on the device, used unquoted in lifecycle scripts. */
const deviceFolder = z
  .string()
  .regex(
    /^\/[a-zA-Z0-9._/-]{0,254}$/,
    'must be an absolute path of letters, digits, ".", "_", "-" and "/" (for example "/var/lib/part-inspection/images")',
  );

const compilerOptionValue = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const modelComponentSchema = z.strictObject({
  source: z.enum(['package', 'existing']).meta({
    description:
      '`package` runs a Lookout for Vision model packaging job that creates the component; `existing` deploys a component packaged earlier, by `name` and `version`, without calling Lookout for Vision.',
  }),
  name: componentName.meta({ description: 'Name of the model component.' }),
  version: componentVersion.meta({
    description:
      'Version of the model component, `major.minor.patch`; a packaged version is immutable, so repackaging needs a new one.',
  }),
  targetDevice: z.enum(['jetson_xavier']).nullish().meta({
    description:
      'Device the model is compiled for; excludes `targetPlatform` and `compilerOptions`.',
  }),
  targetPlatform: z
    .strictObject({
      os: z.enum(['LINUX']),
      arch: z.enum(['ARM64', 'X86_64']),
      accelerator: z.enum(['NVIDIA']).nullish(),
    })
    .nullish()
    .meta({
      description:
        'Platform the model is compiled for; excludes `targetDevice`. Leave `accelerator` out (or `null`) for CPU inference.',
    }),
  compilerOptions: z.record(z.string().min(1), compilerOptionValue).nullish().meta({
    description:
      'Compiler options for `targetPlatform`; the NVIDIA accelerator needs `gpu-code`, `trt-ver` and `cuda-ver` (the default suits a Jetson Nano on JetPack 4.5.1).',
  }),
  artifactPrefix: s3Prefix.meta({
    description:
      'Prefix under the edge artifacts bucket where the packaging job writes the model artifacts.',
  }),
});
export type ModelComponentConfig = z.infer<typeof modelComponentSchema>;

export const edgeConfigSchema = z.strictObject({
  lookoutVision: z.strictObject({
    projectName: z
      .string()
      .regex(
        /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/,
        'project names are 1 to 255 letters, digits, "_" or "-"',
      )
      .meta({ description: 'The Lookout for Vision project that holds the model.' }),
    project: z.enum(['create', 'existing']).meta({
      description:
        '`existing` refers to a project that holds a trained model; `create` makes an empty one (retained on delete, as it holds datasets and models; a project can only be created once).',
    }),
    modelVersion: z
      .string()
      .regex(/^[1-9][0-9]{0,9}$/, 'model versions are positive integers')
      .meta({ description: 'The trained model version to package.' }),
  }),
  modelComponent: modelComponentSchema,
  thingGroupName: z
    .string()
    .regex(
      /^[a-zA-Z0-9:_-]{1,128}$/,
      'thing group names are 1 to 128 letters, digits, ":", "_" or "-"',
    )
    .meta({ description: 'The IoT thing group that receives the deployment.' }),
  thingGroup: z.enum(['create', 'existing']).meta({
    description:
      '`create` makes the thing group (retained on delete, as it holds the fleet); `existing` targets it.',
  }),
  edgeAgentVersion: componentVersion.meta({
    description: 'Version of `aws.iot.lookoutvision.EdgeAgent` that the deployment pins.',
  }),
  tokenExchangeRoleName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, 'role names are 1 to 64 letters, digits or + = , . @ _ -')
    .meta({
      description:
        "Name of the devices' existing token exchange role (the role alias of the Greengrass core devices); the stack attaches a policy that lets the devices download the artifacts.",
    }),
  inferenceClient: z.strictObject({
    componentName: componentName.meta({
      description:
        'Name of the inference client component, which feeds camera images to the model and reports the results.',
    }),
    versionPrefix: versionPrefix.meta({
      description:
        '`major.minor` of its version; the patch number is derived from the recipe and the script.',
    }),
    imageFolder: deviceFolder.meta({
      description: 'Folder on the device where the camera drops images to inspect.',
    }),
    resultsTopic: publishTopic.meta({
      description: 'AWS IoT topic that receives one message per inspected image.',
    }),
    pollIntervalSeconds: z
      .number()
      .min(0.1)
      .max(3600)
      .meta({ description: 'Seconds between two looks at the image folder.' }),
    requireVideoGroup: z.boolean().meta({
      description:
        'Fail the install when the Greengrass user is not in the `video` group, which GPU inference needs.',
    }),
    maxTries: z.int().min(1).max(100).meta({
      description:
        'Tries per image (a gRPC error, a timeout, a crash) before the image is filed under `failed/`.',
    }),
    largeFrames: z.enum(['shared-memory', 'downscale', 'message']).meta({
      description:
        "How frames over gRPC's default 4 MiB message limit (1920x1080 RGB is 6.2 MB) reach the EdgeAgent: `shared-memory` as the EdgeAgent API recommends, with every pixel; `downscale` to fit one message (the model then sees other dimensions than it was trained on); `message` as they are, for an EdgeAgent that accepts larger messages.",
    }),
    retention: z.strictObject({
      imagesPerFolder: z.int().min(1).max(1_000_000).nullable().meta({
        description:
          'Inspected images kept in each of `normal/`, `anomalous/` and `failed/`, the newest; `null` keeps all.',
      }),
      maxAgeDays: z.number().min(0.01).max(3650).nullable().meta({
        description:
          'Days an inspected image or a rotated results log is kept; `null` keeps them whatever their age.',
      }),
      resultsLogMegabytes: z.number().min(0.1).max(10_240).meta({
        description:
          "Size in MiB at which the results log (`results.jsonl` in the component's work folder) is rotated.",
      }),
      resultsLogBackups: z.int().min(0).max(100).meta({
        description:
          'Rotated results logs kept beside the current one (`results.jsonl.1` is the newest).',
      }),
    }),
  }),
  deployment: z.strictObject({
    failureHandling: z
      .enum(['ROLLBACK', 'DO_NOTHING'])
      .meta({ description: 'What a device does when the deployment fails on it.' }),
    devicesPerMinute: z
      .int()
      .min(1)
      .max(1000)
      .meta({ description: 'Devices notified per minute.' }),
    abortFailurePercentage: z.number().min(0).max(100).meta({
      description: 'Percentage of failed devices that cancels the rollout to the others.',
    }),
    abortMinDevices: z.int().min(1).max(10_000).meta({
      description: 'Devices that must have run the deployment before the abort percentage applies.',
    }),
  }),
});
export type EdgeConfig = z.infer<typeof edgeConfigSchema>;

export const DEFAULT_EDGE_CONFIG: z.input<typeof edgeConfigSchema> = {
  lookoutVision: { projectName: 'part-inspection', project: 'existing', modelVersion: '1' },
  modelComponent: {
    source: 'package',
    name: 'part-inspection-model',
    version: '1.0.0',
    targetPlatform: { os: 'LINUX', arch: 'ARM64', accelerator: 'NVIDIA' },
    compilerOptions: { 'gpu-code': 'sm_53', 'trt-ver': '7.1.3', 'cuda-ver': '10.2' },
    artifactPrefix: 'lookout-vision/part-inspection/',
  },
  thingGroupName: 'part-inspection-line',
  thingGroup: 'create',
  edgeAgentVersion: '1.1.1',
  tokenExchangeRoleName: 'GreengrassV2TokenExchangeRole',
  inferenceClient: {
    componentName: 'part-inspection.InferenceClient',
    versionPrefix: '1.0',
    imageFolder: '/var/lib/part-inspection/images',
    resultsTopic: 'part-inspection/results',
    pollIntervalSeconds: 1,
    requireVideoGroup: true,
    maxTries: 3,
    largeFrames: 'shared-memory',
    retention: {
      imagesPerFolder: 200,
      maxAgeDays: 14,
      resultsLogMegabytes: 10,
      resultsLogBackups: 4,
    },
  },
  deployment: {
    failureHandling: 'ROLLBACK',
    devicesPerMinute: 10,
    abortFailurePercentage: 50,
    abortMinDevices: 1,
  },
};
