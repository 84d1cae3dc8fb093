import { z } from 'zod';
import type { AppConfig } from '../config/schema';
import type { ReportIssue } from '../config/issues';
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
  /**
   * `package` runs a Lookout for Vision model packaging job that creates the component;
   * `existing` deploys a component packaged earlier, without calling Lookout for Vision.
   */
  source: z.enum(['package', 'existing']),
  /** Name of the model component. */
  name: componentName,
  /** Version of the model component; a packaged version is immutable, so repackaging needs a new one. */
  version: componentVersion,
  /** Device the model is compiled for; excludes `targetPlatform` and `compilerOptions`. Set to null to clear. */
  targetDevice: z.enum(['jetson_xavier']).nullish(),
  /** Platform the model is compiled for; excludes `targetDevice`. Set to null to clear. */
  targetPlatform: z
    .strictObject({
      os: z.enum(['LINUX']),
      arch: z.enum(['ARM64', 'X86_64']),
      /** Leave out (or set to null) for CPU inference. */
      accelerator: z.enum(['NVIDIA']).nullish(),
    })
    .nullish(),
  /**
   * Compiler options for `targetPlatform`, such as
   * `{ "gpu-code": "sm_53", "trt-ver": "7.1.3", "cuda-ver": "10.2" }` for a Jetson Nano on JetPack 4.5.1.
   * Set to null to clear.
   */
  compilerOptions: z.record(z.string().min(1), compilerOptionValue).nullish(),
  /** Prefix under the edge artifacts bucket where the packaging job writes the model artifacts. */
  artifactPrefix: s3Prefix,
});
export type ModelComponentConfig = z.infer<typeof modelComponentSchema>;

export const edgeConfigSchema = z.strictObject({
  lookoutVision: z.strictObject({
    /** The Lookout for Vision project that holds the model. */
    projectName: z
      .string()
      .regex(
        /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/,
        'project names are 1 to 255 letters, digits, "_" or "-"',
      ),
    /**
     * `existing` refers to a project that holds a trained model; `create` makes it (retained on
     * delete, as it holds datasets and models; a project can only be created once).
     */
    project: z.enum(['create', 'existing']),
    /** The trained model version to package. */
    modelVersion: z.string().regex(/^[1-9][0-9]{0,9}$/, 'model versions are positive integers'),
  }),
  /** The model component that the devices run. */
  modelComponent: modelComponentSchema,
  /** The IoT thing group that receives the deployment. */
  thingGroupName: z
    .string()
    .regex(
      /^[a-zA-Z0-9:_-]{1,128}$/,
      'thing group names are 1 to 128 letters, digits, ":", "_" or "-"',
    ),
  /** `create` makes the thing group (retained on delete, as it holds the fleet); `existing` targets it. */
  thingGroup: z.enum(['create', 'existing']),
  /** Version of `aws.iot.lookoutvision.EdgeAgent` that the deployment pins. */
  edgeAgentVersion: componentVersion,
  /**
   * Name of the devices' existing token exchange role (the role alias of the Greengrass core
   * devices); the stack attaches a policy that lets the devices download the artifacts.
   */
  tokenExchangeRoleName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, 'role names are 1 to 64 letters, digits or + = , . @ _ -'),
  /** The component that feeds images to the model and reports the results. */
  inferenceClient: z.strictObject({
    /** Name of the inference client component. */
    componentName,
    /** `major.minor` of its version; the patch number is derived from the recipe and the script. */
    versionPrefix,
    /** Folder on the device where the camera drops images to inspect. */
    imageFolder: deviceFolder,
    /** AWS IoT topic that receives one message per inspected image. */
    resultsTopic: publishTopic,
    /** Seconds between two looks at the image folder. */
    pollIntervalSeconds: z.number().min(0.1).max(3600),
    /** Fail the install when the Greengrass user is not in the `video` group (needed for GPU inference). */
    requireVideoGroup: z.boolean(),
    /** Tries per image (a gRPC error, a timeout, a crash) before the image is filed under failed/. */
    maxTries: z.int().min(1).max(100),
    /**
     * How frames over gRPC's default 4 MiB message limit (1920x1080 RGB is 6.2 MB) reach the
     * EdgeAgent: `shared-memory` as the EdgeAgent API recommends, with every pixel; `downscale`
     * to fit one message (the model then sees other dimensions than it was trained on);
     * `message` as they are, for an EdgeAgent that accepts larger messages.
     */
    largeFrames: z.enum(['shared-memory', 'downscale', 'message']),
    /** What the client keeps on the device's storage. */
    retention: z.strictObject({
      /** Inspected images kept in each of normal/, anomalous/ and failed/, the newest; null keeps all. */
      imagesPerFolder: z.int().min(1).max(1_000_000).nullable(),
      /** Days an inspected image or a rotated results log is kept; null keeps them whatever their age. */
      maxAgeDays: z.number().min(0.01).max(3650).nullable(),
      /** Size in MiB at which the results log (results.jsonl in the component's work folder) is rotated. */
      resultsLogMegabytes: z.number().min(0.1).max(10_240),
      /** Rotated results logs kept beside the current one (results.jsonl.1 is the newest). */
      resultsLogBackups: z.int().min(0).max(100),
    }),
  }),
  deployment: z.strictObject({
    /** What a device does when the deployment fails on it. */
    failureHandling: z.enum(['ROLLBACK', 'DO_NOTHING']),
    /** Devices notified per minute. */
    devicesPerMinute: z.int().min(1).max(1000),
    /** Percentage of failed devices that cancels the rollout to the others. */
    abortFailurePercentage: z.number().min(0).max(100),
    /** Devices that must have run the deployment before the abort percentage applies. */
    abortMinDevices: z.int().min(1).max(10_000),
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

/** Compiler options that the NVIDIA accelerator needs. */
export const NVIDIA_COMPILER_OPTIONS = ['gpu-code', 'trt-ver', 'cuda-ver'] as const;

function checkPackagingTarget(model: ModelComponentConfig, report: ReportIssue): void {
  const path = ['edge', 'modelComponent'];
  if (!model.targetDevice && !model.targetPlatform) {
    report(
      path,
      'the model packaging job needs a target: set targetDevice ("jetson_xavier") or targetPlatform ({ "os": "LINUX", "arch": "ARM64" | "X86_64", "accelerator"?: "NVIDIA" })',
    );
    return;
  }
  if (model.targetDevice && model.targetPlatform) {
    report(
      [...path, 'targetPlatform'],
      'targetDevice and targetPlatform exclude each other: set one of them to null',
    );
    return;
  }
  if (model.targetDevice && model.compilerOptions) {
    report(
      [...path, 'compilerOptions'],
      'compiler options are not accepted with targetDevice: set compilerOptions to null, or use targetPlatform',
    );
  }
  if (model.targetPlatform?.accelerator === 'NVIDIA') {
    const missing = NVIDIA_COMPILER_OPTIONS.filter((key) => !model.compilerOptions?.[key]);
    if (missing.length > 0) {
      report(
        [...path, 'compilerOptions'],
        `the NVIDIA accelerator needs the compiler options ${NVIDIA_COMPILER_OPTIONS.join(', ')}; missing: ${missing.join(', ')}`,
      );
    }
  }
}

/** Checks of the edge section: a packaging target that Lookout for Vision accepts, distinct components. */
export function checkEdgeConfig(config: AppConfig, report: ReportIssue): void {
  const { edge } = config;
  if (edge.modelComponent.source === 'package') checkPackagingTarget(edge.modelComponent, report);
  if (edge.inferenceClient.componentName === edge.modelComponent.name) {
    report(
      ['edge', 'inferenceClient', 'componentName'],
      `"${edge.inferenceClient.componentName}" is the model component's name; the inference client needs its own`,
    );
  }
}
