import * as crypto from 'node:crypto';
import type { GreengrassComponentRef } from './greengrass-component';

/** Python packages the client installs into its own virtual environment on the device. */
export const CLIENT_PYTHON_PACKAGES = ['grpcio>=1.48,<2', 'Pillow>=9,<12', 'awsiotsdk>=1.11,<2'];

/** What the inference client's recipe says. */
export interface InferenceClientRecipeOptions {
  /** Name of the component. */
  readonly componentName: string;
  /** Version of the component. */
  readonly componentVersion: string;
  /** Who publishes the component. */
  readonly publisher: string;
  /** The model component the client runs images through. */
  readonly modelComponent: GreengrassComponentRef;
  /** S3 URI of the client script. */
  readonly artifactUri: string;
  /** File name of the script on the device: the last part of `artifactUri`. */
  readonly scriptName: string;
  /** Folder on the device where images to inspect appear. */
  readonly imageFolder: string;
  /** AWS IoT topic that receives one message per inspected image. */
  readonly resultsTopic: string;
  /** Seconds between two looks at the image folder. */
  readonly pollIntervalSeconds: number;
  /** Fail the install when the component's user is not in the `video` group. */
  readonly requireVideoGroup: boolean;
}

const INSTALL_SCRIPT = [
  'set -e',
  'if [ "{configuration:/RequireVideoGroup}" = "true" ] && ! id -nG | tr " " "\\n" | grep -qx video; then',
  '  echo "User $(id -un) runs the inference components but is not in the video group, which GPU inference needs: run sudo usermod -aG video $(id -un) and restart Greengrass." >&2',
  '  exit 1',
  'fi',
  'PYTHON=$(command -v python3.9 || command -v python3.8 || command -v python3)',
  '"$PYTHON" -m venv {work:path}/venv',
  `{work:path}/venv/bin/pip install --quiet ${CLIENT_PYTHON_PACKAGES.map((spec) => `'${spec}'`).join(' ')}`,
].join('\n');

function runScript(scriptName: string): string {
  return [
    `exec {work:path}/venv/bin/python -u {artifacts:path}/${scriptName}`,
    "--model-component '{configuration:/ModelComponent}'",
    "--image-folder '{configuration:/ImageFolder}'",
    "--results-topic '{configuration:/ResultsTopic}'",
    "--results-log '{work:path}/results.jsonl'",
    "--poll-interval '{configuration:/PollIntervalSeconds}'",
  ].join(' ');
}

/**
 * The Greengrass recipe of the inference client: a Python script in its own virtual environment
 * that depends on the model component (which brings the EdgeAgent), may publish to its results
 * topic, and is stopped by Greengrass with SIGTERM, on which it stops the model.
 */
export function inferenceClientRecipe(
  options: InferenceClientRecipeOptions,
): Record<string, unknown> {
  return {
    RecipeFormatVersion: '2020-01-25',
    ComponentName: options.componentName,
    ComponentVersion: options.componentVersion,
    ComponentType: 'aws.greengrass.generic',
    ComponentDescription: `Inspects images in a folder with the Lookout for Vision model ${options.modelComponent.name} and reports each result`,
    ComponentPublisher: options.publisher,
    ComponentDependencies: {
      [options.modelComponent.name]: {
        VersionRequirement: `=${options.modelComponent.version}`,
        DependencyType: 'HARD',
      },
    },
    ComponentConfiguration: {
      DefaultConfiguration: {
        ModelComponent: options.modelComponent.name,
        ImageFolder: options.imageFolder,
        ResultsTopic: options.resultsTopic,
        PollIntervalSeconds: options.pollIntervalSeconds,
        RequireVideoGroup: options.requireVideoGroup,
        accessControl: {
          'aws.greengrass.ipc.mqttproxy': {
            [`${options.componentName}:mqttproxy:1`]: {
              policyDescription: 'Publishes inspection results to AWS IoT Core',
              operations: ['aws.greengrass#PublishToIoTCore'],
              resources: [options.resultsTopic],
            },
          },
        },
      },
    },
    Manifests: [
      {
        Platform: { os: 'linux' },
        Lifecycle: {
          install: { Script: INSTALL_SCRIPT, Timeout: 900 },
          run: { Script: runScript(options.scriptName) },
        },
        Artifacts: [
          {
            Uri: options.artifactUri,
            Permission: { Read: 'OWNER', Execute: 'NONE' },
          },
        ],
      },
    ],
  };
}

/**
 * A version for content: `prefix.patch`, the patch number taken from a hash of the recipe. Any
 * change of the recipe or of the script (whose hash the recipe names) gives another version, as
 * Greengrass versions are immutable; the same content always gives the same version.
 */
export function contentVersion(prefix: string, recipe: unknown): string {
  const digest = crypto.createHash('sha256').update(JSON.stringify(recipe)).digest('hex');
  const patch = parseInt(digest.slice(0, 8), 16) % 1_000_000;
  return `${prefix}.${patch}`;
}
