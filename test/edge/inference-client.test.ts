import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

describe('inference client script', () => {
  test('its Python tests pass (wire format, model lifecycle, folder inspection)', () => {
    const result = spawnSync(
      'python3',
      [
        '-B',
        '-m',
        'unittest',
        'discover',
        '-s',
        path.join(__dirname, 'inference-client'),
        '-p',
        'test_*.py',
      ],
      { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
    );
    if (result.error) throw result.error;
    expect({ status: result.status, output: result.stderr }).toEqual({
      status: 0,
      output: expect.stringMatching(/Ran \d+ tests in .*\n\nOK/),
    });
  });
});
