import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Python tests run the client against a fake EdgeAgent: a real gRPC server generated from
 * the EdgeAgent's proto. They need gRPC, its code generator and Pillow, which Debian packages
 * for its own interpreter (/usr/bin/python3); a python3 of pyenv or a virtual environment on
 * PATH does not see them.
 */
const DEBIAN_PACKAGES = 'python3-grpcio python3-grpc-tools python3-pil';
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const TESTS = path.join(__dirname, 'inference-client');

function python(args: string[]) {
  const result = spawnSync(PYTHON, ['-B', ...args], {
    encoding: 'utf8',
    cwd: TESTS,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return result;
}

describe('inference client script', () => {
  test(`${PYTHON} has gRPC, grpc_tools and Pillow (Debian: ${DEBIAN_PACKAGES})`, () => {
    const probe = python(['-c', 'import grpc, grpc_tools.protoc, PIL']);
    if (probe.status !== 0) {
      throw new Error(
        `${PYTHON} cannot import gRPC, grpc_tools or Pillow, which the inference client tests need: apt-get install -y ${DEBIAN_PACKAGES}\n${probe.stderr}`,
      );
    }
  });

  test('its Python tests pass against a fake EdgeAgent gRPC server (protocol, model lifecycle, inspection)', () => {
    const result = python(['-m', 'unittest', 'discover', '-s', TESTS, '-p', 'test_*.py']);
    expect({ status: result.status, output: result.stderr }).toEqual({
      status: 0,
      output: expect.stringMatching(/Ran \d+ tests in .*\n\nOK/),
    });
    const ran = Number(/Ran (\d+) tests/.exec(result.stderr)?.[1]);
    expect(ran).toBeGreaterThanOrEqual(40);
    expect(result.stderr).not.toMatch(/skipped/);
  });
});
