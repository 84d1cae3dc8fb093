import * as crypto from 'node:crypto';
import { EDGE_AGENT_PYTHONS, JETSON_GPU_GROUP } from './edge-agent';
import type { GreengrassComponentRef } from './greengrass-component';

/** Python packages the client installs into its own virtual environment on the device. */
export const CLIENT_PYTHON_PACKAGES = ['grpcio>=1.48,<2', 'Pillow>=9,<12', 'awsiotsdk>=1.11,<2'];

/**
 * The pip that the virtual environment is upgraded to before anything else: 19.3 is the first
 * to know manylinux2014 wheels (the only kind grpcio, Pillow and awscrt publish for aarch64)
 * and 20.3 the first to know manylinux_x_y; 25.0 is the last that runs on Python 3.8. The pip
 * of an Ubuntu 18.04 virtual environment (9.0.1) would build every package from source.
 */
export const PIP_REQUIREMENT = 'pip>=20.3,<25.1';

/** How frames over gRPC's default message limit (4 MiB) reach the EdgeAgent. */
export type LargeFrames = 'shared-memory' | 'downscale' | 'message';

/** What the inference client keeps on the device, and for how long. */
export interface InferenceClientRetention {
  /** Inspected images kept in each of normal/, anomalous/ and failed/, the newest; null keeps all. */
  readonly imagesPerFolder: number | null;
  /** Days an inspected image or a rotated results log is kept; null keeps them whatever their age. */
  readonly maxAgeDays: number | null;
  /** Size in MiB at which the results log is rotated. */
  readonly resultsLogMegabytes: number;
  /** Rotated results logs kept beside the current one. */
  readonly resultsLogBackups: number;
}

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
  /** Tries per image before it is filed under failed/. */
  readonly maxTries: number;
  /** How frames over gRPC's default message limit reach the EdgeAgent. */
  readonly largeFrames: LargeFrames;
  /** What the client keeps on the device. */
  readonly retention: InferenceClientRetention;
  /**
   * The EdgeAgent version that the deployment pins, which the client logs and adds to each
   * result (the EdgeAgent API does not report its version).
   * @default - not logged
   */
  readonly edgeAgentVersion?: string;
}

const REQUIREMENTS = [PIP_REQUIREMENT, ...CLIENT_PYTHON_PACKAGES];
const quoted = (specs: readonly string[]) => specs.map((spec) => `'${spec}'`).join(' ');
const PIP_INSTALL =
  '"$VENV/bin/python" -m pip install --quiet --no-cache-dir --disable-pip-version-check --only-binary :all:';

/**
 * The install step. Greengrass runs it on every start of its own software, offline too, so it
 * does nothing when the virtual environment already holds these exact requirements for this
 * interpreter. Every failure is one line that says what to do on the device.
 */
const INSTALL_SCRIPT = [
  'set -eu',
  'ME=$(id -un)',
  "FOLDER='{configuration:/ImageFolder}'",
  'if [ ! -d "$FOLDER" ] || [ ! -w "$FOLDER" ] || [ ! -x "$FOLDER" ]; then',
  '  echo "The image folder $FOLDER must exist and be writable by $ME, who runs this component: run sudo install -d -o $ME -g $(id -gn) $FOLDER" >&2',
  '  exit 1',
  'fi',
  'for OUTCOME in normal anomalous failed; do',
  '  if [ -e "$FOLDER/$OUTCOME" ]; then',
  '    if [ ! -d "$FOLDER/$OUTCOME" ] || [ ! -w "$FOLDER/$OUTCOME" ]; then',
  '      echo "$FOLDER/$OUTCOME must be a folder writable by $ME: run sudo chown $ME $FOLDER/$OUTCOME" >&2',
  '      exit 1',
  '    fi',
  '  fi',
  'done',
  `if [ "{configuration:/RequireVideoGroup}" = "true" ] && ! id -nG | tr " " "\\n" | grep -qx ${JETSON_GPU_GROUP}; then`,
  `  echo "User $ME runs the inference components but is not in the ${JETSON_GPU_GROUP} group, which GPU inference needs: run sudo usermod -aG ${JETSON_GPU_GROUP} $ME and restart Greengrass." >&2`,
  '  exit 1',
  'fi',
  `PYTHON=$(${EDGE_AGENT_PYTHONS.map((python) => `command -v ${python}`).join(' || ')} || true)`,
  'if [ -z "$PYTHON" ]; then',
  `  echo "Neither ${EDGE_AGENT_PYTHONS.join(' nor ')} is installed, and the Lookout for Vision EdgeAgent needs one of them exactly (the python3 of Ubuntu 18.04 is 3.6): run sudo apt install python3.8 python3.8-venv" >&2`,
  '  exit 1',
  'fi',
  'VENV={work:path}/venv',
  'MARKER="$VENV/installed-requirements"',
  `WANT="$PYTHON ${REQUIREMENTS.join(' ')}"`,
  'if [ -x "$VENV/bin/python" ] && [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$WANT" ]; then',
  '  echo "$VENV already holds $WANT"',
  '  exit 0',
  'fi',
  'if ! "$PYTHON" -m venv --clear "$VENV"; then',
  '  echo "$PYTHON cannot create a virtual environment: run sudo apt install $(basename "$PYTHON")-venv" >&2',
  '  exit 1',
  'fi',
  `if ! ${PIP_INSTALL} --upgrade ${quoted([PIP_REQUIREMENT])} || ! ${PIP_INSTALL} ${quoted(CLIENT_PYTHON_PACKAGES)}; then`,
  `  echo "pip could not install ${REQUIREMENTS.join(' ')} as binary wheels for $PYTHON: the device must reach pypi.org and files.pythonhosted.org when a new version of this component installs" >&2`,
  '  exit 1',
  'fi',
  'echo "$WANT" > "$MARKER"',
].join('\n');

function runScript(options: InferenceClientRecipeOptions): string {
  return [
    `exec {work:path}/venv/bin/python -u {artifacts:path}/${options.scriptName}`,
    "--model-component '{configuration:/ModelComponent}'",
    "--image-folder '{configuration:/ImageFolder}'",
    "--results-topic '{configuration:/ResultsTopic}'",
    "--results-log '{work:path}/results.jsonl'",
    "--poll-interval '{configuration:/PollIntervalSeconds}'",
    "--max-tries '{configuration:/MaxTries}'",
    "--large-frames '{configuration:/LargeFrames}'",
    "--images-per-folder '{configuration:/ImagesPerFolder}'",
    "--max-age-days '{configuration:/MaxAgeDays}'",
    "--results-log-megabytes '{configuration:/ResultsLogMegabytes}'",
    "--results-log-backups '{configuration:/ResultsLogBackups}'",
    "--tries-file '{work:path}/tries.json'",
    ...(options.edgeAgentVersion
      ? ["--edge-agent-version '{configuration:/EdgeAgentVersion}'"]
      : []),
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
  const { retention } = options;
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
        MaxTries: options.maxTries,
        LargeFrames: options.largeFrames,
        // 0 keeps all: the client reads it so.
        ImagesPerFolder: retention.imagesPerFolder ?? 0,
        MaxAgeDays: retention.maxAgeDays ?? 0,
        ResultsLogMegabytes: retention.resultsLogMegabytes,
        ResultsLogBackups: retention.resultsLogBackups,
        ...(options.edgeAgentVersion ? { EdgeAgentVersion: options.edgeAgentVersion } : {}),
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
          run: { Script: runScript(options) },
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
