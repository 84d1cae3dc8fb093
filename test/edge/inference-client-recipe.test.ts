import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, parseConfig } from '../../lib/config/load-config';
import {
  INFERENCE_CLIENT_DEFAULTS,
  INFERENCE_CLIENT_SCRIPT,
} from '../../lib/edge/inference-client-component';
import {
  CLIENT_PYTHON_PACKAGES,
  inferenceClientRecipe,
  type InferenceClientRecipeOptions,
  PIP_REQUIREMENT,
} from '../../lib/edge/inference-client-recipe';

const OPTIONS: InferenceClientRecipeOptions = {
  componentName: 'part-inspection.InferenceClient',
  componentVersion: '1.0.1',
  publisher: 'ml-foundation',
  modelComponent: { name: 'part-inspection-model', version: '1.0.0' },
  artifactUri: 's3://bucket/client.py',
  scriptName: 'client.py',
  imageFolder: '/var/lib/part-inspection/images',
  resultsTopic: 'part-inspection/results',
  pollIntervalSeconds: 1,
  requireVideoGroup: false,
  ...INFERENCE_CLIENT_DEFAULTS,
};

interface Lifecycle {
  install: { Script: string; Timeout: number };
  run: { Script: string };
}

function recipeParts(options: Partial<InferenceClientRecipeOptions> = {}) {
  const recipe = inferenceClientRecipe({ ...OPTIONS, ...options }) as {
    ComponentConfiguration: { DefaultConfiguration: Record<string, unknown> };
    Manifests: Array<{ Lifecycle: Lifecycle }>;
  };
  return {
    configuration: recipe.ComponentConfiguration.DefaultConfiguration,
    lifecycle: recipe.Manifests[0].Lifecycle,
  };
}

const INSTALL_SCRIPT = recipeParts().lifecycle.install.Script;

function executable(file: string, lines: string[]): void {
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o755 });
}

/**
 * A device with nothing but the tools the install step uses, a Greengrass user `ggc_user` (in
 * the groups given), and fake interpreters that write down how they are called: `python3.8`
 * creates a virtual environment whose python records its pip calls.
 */
class FakeDevice {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'install-'));
  readonly bin = path.join(this.root, 'bin');
  readonly work = path.join(this.root, 'work');
  readonly images = path.join(this.root, 'images');
  readonly calls = path.join(this.root, 'calls.log');

  constructor(
    interpreters: string[] = ['python3.8'],
    readonly groups = 'ggc_group video',
  ) {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.work);
    fs.mkdirSync(this.images);
    for (const tool of ['tr', 'grep', 'cat', 'basename', 'mkdir', 'chmod']) {
      const found = ['/usr/bin', '/bin'].map((dir) => path.join(dir, tool)).find(fs.existsSync);
      fs.symlinkSync(found!, path.join(this.bin, tool));
    }
    executable(path.join(this.bin, 'id'), [
      '#!/bin/sh',
      'case "$1" in -un) echo ggc_user ;; -gn) echo ggc_group ;; -nG) echo "$FAKE_GROUPS" ;; esac',
    ]);
    for (const interpreter of interpreters) {
      executable(path.join(this.bin, interpreter), [
        '#!/bin/sh',
        `echo "${interpreter} $*" >> "$CALLS"`,
        '[ "$1 $2" = "-m venv" ] || exit 0',
        '[ -z "$FAIL_VENV" ] || { echo "ensurepip is not available" >&2; exit 1; }',
        'mkdir -p "$4/bin"',
        'printf \'#!/bin/sh\\necho "venv-python $*" >> "$CALLS"\\n[ -z "$FAIL_PIP" ]\\n\' > "$4/bin/python"',
        'chmod +x "$4/bin/python"',
      ]);
    }
  }

  install(settings: { requireVideoGroup?: boolean; env?: Record<string, string> } = {}) {
    const script = INSTALL_SCRIPT.replaceAll('{work:path}', this.work)
      .replaceAll('{configuration:/ImageFolder}', this.images)
      .replaceAll(
        '{configuration:/RequireVideoGroup}',
        String(settings.requireVideoGroup ?? false),
      );
    const result = spawnSync('/bin/sh', ['-c', script], {
      encoding: 'utf8',
      env: {
        PATH: this.bin,
        CALLS: this.calls,
        FAKE_GROUPS: this.groups,
        FAIL_VENV: '',
        FAIL_PIP: '',
        ...settings.env,
      },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr.trim() };
  }

  takeCalls(): string[] {
    if (!fs.existsSync(this.calls)) return [];
    const calls = fs.readFileSync(this.calls, 'utf8').trim().split('\n');
    fs.rmSync(this.calls);
    return calls;
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

describe('inference client install step', () => {
  const devices: FakeDevice[] = [];
  const device = (...args: ConstructorParameters<typeof FakeDevice>) => {
    const created = new FakeDevice(...args);
    devices.push(created);
    return created;
  };
  afterAll(() => devices.forEach((created) => created.remove()));

  const pip = 'venv-python -m pip install --quiet --no-cache-dir --disable-pip-version-check';

  test('upgrades pip in the virtual environment first, then installs binary wheels only', () => {
    // pypa/pip NEWS.rst: manylinux2014 from 19.3, manylinux_x_y (PEP 600) from 20.3, Python 3.8
    // dropped in 25.1. Ubuntu 18.04 (JetPack 4.x) has pip 9.0.1, and aarch64 wheels of grpcio,
    // Pillow and awscrt are manylinux2014 or later (apache/arrow#43847: an old pip built grpcio
    // from source for 14 minutes), past the install step's 900 s.
    const fake = device();
    expect(fake.install()).toMatchObject({ status: 0, stderr: '' });
    const venv = path.join(fake.work, 'venv');
    expect(fake.takeCalls()).toEqual([
      `python3.8 -m venv --clear ${venv}`,
      `${pip} --only-binary :all: --upgrade ${PIP_REQUIREMENT}`,
      `${pip} --only-binary :all: ${CLIENT_PYTHON_PACKAGES.join(' ')}`,
    ]);
    expect(PIP_REQUIREMENT).toBe('pip>=20.3,<25.1');
    expect(fs.readFileSync(path.join(venv, 'installed-requirements'), 'utf8')).toBe(
      `${path.join(fake.bin, 'python3.8')} ${PIP_REQUIREMENT} ${CLIENT_PYTHON_PACKAGES.join(' ')}\n`,
    );
  });

  test('does nothing, and needs no network, when the environment already holds the requirements', () => {
    // GG DG component-recipe-reference (Lifecycle install): "The AWS IoT Greengrass Core
    // software also runs this lifecycle step each time the software launches."
    const fake = device();
    fake.install();
    fake.takeCalls();
    const again = fake.install({ env: { FAIL_PIP: '1' } });
    expect(again).toMatchObject({ status: 0, stderr: '' });
    expect(again.stdout).toContain('already holds');
    expect(fake.takeCalls()).toEqual([]);
  });

  test('installs again when the requirements differ from what the environment holds', () => {
    const fake = device();
    fake.install();
    fs.writeFileSync(path.join(fake.work, 'venv', 'installed-requirements'), 'grpcio==1.0\n');
    fake.takeCalls();
    expect(fake.install().status).toBe(0);
    expect(fake.takeCalls()).toHaveLength(3);
  });

  test('prefers python3.9 and never falls back to python3', () => {
    // GG DG lookout-for-vision-edge-agent-component: "Python 3.8 or Python 3.9 ... The device must
    // have one of these exact versions of Python". Ubuntu 18.04's python3 is 3.6, on which
    // Pillow 9 and later do not install.
    const both = device(['python3.8', 'python3.9']);
    expect(both.install().status).toBe(0);
    expect(both.takeCalls()[0]).toMatch(/^python3\.9 -m venv/);

    const stock = device(['python3']);
    expect(stock.install()).toEqual({
      status: 1,
      stdout: '',
      stderr:
        'Neither python3.9 nor python3.8 is installed, and the Lookout for Vision EdgeAgent needs one of them exactly (the python3 of Ubuntu 18.04 is 3.6): run sudo apt install python3.8 python3.8-venv',
    });
    expect(stock.takeCalls()).toEqual([]);
  });

  test('names the venv package when the interpreter cannot create an environment', () => {
    const fake = device();
    const result = fake.install({ env: { FAIL_VENV: '1' } });
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n').at(-1)).toBe(
      `${path.join(fake.bin, 'python3.8')} cannot create a virtual environment: run sudo apt install python3.8-venv`,
    );
  });

  test('a failed pip install says what the device needs and is tried again on the next start', () => {
    const fake = device();
    const result = fake.install({ env: { FAIL_PIP: '1' } });
    expect(result).toMatchObject({
      status: 1,
      stderr: `pip could not install ${PIP_REQUIREMENT} ${CLIENT_PYTHON_PACKAGES.join(' ')} as binary wheels for ${path.join(fake.bin, 'python3.8')}: the device must reach pypi.org and files.pythonhosted.org when a new version of this component installs`,
    });
    expect(fs.existsSync(path.join(fake.work, 'venv', 'installed-requirements'))).toBe(false);
    fake.takeCalls();
    expect(fake.install().status).toBe(0);
    expect(fake.takeCalls()).toHaveLength(3);
  });

  test('a missing image folder is one line that says how to create it', () => {
    const fake = device();
    fs.rmdirSync(fake.images);
    expect(fake.install()).toEqual({
      status: 1,
      stdout: '',
      stderr: `The image folder ${fake.images} must exist and be writable by ggc_user, who runs this component: run sudo install -d -o ggc_user -g ggc_group ${fake.images}`,
    });
    expect(fake.takeCalls()).toEqual([]);
  });

  test('an outcome folder that is not a writable folder is named', () => {
    const fake = device();
    fs.writeFileSync(path.join(fake.images, 'failed'), '');
    expect(fake.install()).toMatchObject({
      status: 1,
      stderr: `${fake.images}/failed must be a folder writable by ggc_user: run sudo chown ggc_user ${fake.images}/failed`,
    });
  });

  test('the Greengrass user must be in the video group for GPU inference', () => {
    // GG DG lookout-for-vision-edge-agent-component: on NVIDIA Jetson devices the user that runs
    // the component must be a member of the `video` group.
    const outsider = device(['python3.8'], 'ggc_group');
    expect(outsider.install({ requireVideoGroup: true })).toMatchObject({
      status: 1,
      stderr:
        'User ggc_user runs the inference components but is not in the video group, which GPU inference needs: run sudo usermod -aG video ggc_user and restart Greengrass.',
    });
    expect(device().install({ requireVideoGroup: true }).status).toBe(0);
  });
});

describe('inference client run step', () => {
  test('passes only options that the client script takes, with the configured values', () => {
    const { configuration, lifecycle } = recipeParts({ edgeAgentVersion: '1.1.1' });
    const script = fs.readFileSync(INFERENCE_CLIENT_SCRIPT, 'utf8');
    const flags = [...lifecycle.run.Script.matchAll(/ (--[a-z-]+) '([^']*)'/g)];
    expect(flags.length).toBeGreaterThan(10);
    for (const [, flag, value] of flags) {
      expect(script).toContain(`parser.add_argument("${flag}"`);
      const key = /^\{configuration:\/(\w+)\}$/.exec(value)?.[1];
      if (key) expect(configuration).toHaveProperty(key);
    }
    expect(configuration).toMatchObject({
      MaxTries: 3,
      LargeFrames: 'shared-memory',
      ImagesPerFolder: 200,
      MaxAgeDays: 14,
      ResultsLogMegabytes: 10,
      ResultsLogBackups: 4,
      EdgeAgentVersion: '1.1.1',
    });
  });

  test('a limit set to null reaches the client as 0, which keeps everything', () => {
    const { configuration } = recipeParts({
      retention: {
        ...INFERENCE_CLIENT_DEFAULTS.retention,
        imagesPerFolder: null,
        maxAgeDays: null,
      },
    });
    expect(configuration).toMatchObject({ ImagesPerFolder: 0, MaxAgeDays: 0 });
    expect(fs.readFileSync(INFERENCE_CLIENT_SCRIPT, 'utf8')).toContain('"0 keeps all"');
  });

  test('without a pinned EdgeAgent version, none is passed', () => {
    const { configuration, lifecycle } = recipeParts();
    expect(configuration).not.toHaveProperty('EdgeAgentVersion');
    expect(lifecycle.run.Script).not.toContain('--edge-agent-version');
  });
});

describe('inference client configuration', () => {
  function problemsOf(inferenceClient: unknown): string[] {
    try {
      parseConfig({ edge: { inferenceClient } });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  }

  test('defaults to what the component does when left open', () => {
    const { inferenceClient } = parseConfig().edge;
    expect(inferenceClient).toMatchObject(INFERENCE_CLIENT_DEFAULTS);
  });

  test('null keeps every image, whatever its age', () => {
    expect(problemsOf({ retention: { imagesPerFolder: null, maxAgeDays: null } })).toEqual([]);
  });

  test('bad tuning is refused with its path', () => {
    expect(
      problemsOf({
        maxTries: 0,
        largeFrames: 'bytes',
        retention: { imagesPerFolder: 0, resultsLogMegabytes: 0, resultsLogBackups: -1 },
      }),
    ).toEqual([
      expect.stringMatching(/^edge\.inferenceClient\.maxTries: /),
      expect.stringMatching(/^edge\.inferenceClient\.largeFrames: .*shared-memory/),
      expect.stringMatching(/^edge\.inferenceClient\.retention\.imagesPerFolder: /),
      expect.stringMatching(/^edge\.inferenceClient\.retention\.resultsLogMegabytes: /),
      expect.stringMatching(/^edge\.inferenceClient\.retention\.resultsLogBackups: /),
    ]);
  });
});
