import { satisfies, UnreadableRangeError } from '../../../lib/edge/handler/version-range';

/**
 * Greengrass reads a dependency's VersionRequirement as an npm range:
 * aws-greengrass/aws-greengrass-component-common DependencyProperties.java@0312815 builds it with
 * semver4j's `Requirement.buildNPM`. The cases follow npm's range grammar (npm/node-semver
 * README, "Ranges": primitive comparators, hyphen, x-, tilde and caret ranges, `||`).
 */
describe('satisfies', () => {
  test.each([
    ['1.1.1', '>=1.1.0 <1.2.0', true],
    ['1.2.0', '>=1.1.0 <1.2.0', false],
    ['1.1.1', '=1.1.1', true],
    ['1.1.1', '1.1.1', true],
    ['1.1.2', '1.1.1', false],
    ['1.1.1', '>1.1.0', true],
    ['1.1.0', '>1.1.0', false],
    ['1.1.1', '<=1.1', true],
    ['1.2.0', '<=1.1', false],
    ['1.0.9', '<1.1', true],
    ['1.1.0', '<1.1', false],
    ['1.2.0', '>1.1', true],
    ['1.1.9', '>1.1', false],
    ['1.1.9', '1.1.x', true],
    ['1.2.0', '1.1.x', false],
    ['1.9.0', '1.x', true],
    ['2.0.0', '1.*', false],
    ['7.3.1', '*', true],
    ['7.3.1', '', true],
    ['1.2.5', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.9.0', '~1', true],
    ['1.9.0', '^1.1.0', true],
    ['2.0.0', '^1.1.0', false],
    ['0.1.9', '^0.1.2', true],
    ['0.2.0', '^0.1.2', false],
    ['0.0.4', '^0.0.3', false],
    ['1.5.0', '1.0.0 - 1.5.0', true],
    ['1.5.1', '1.0.0 - 1.5.0', false],
    ['1.5.9', '1.0.0 - 1.5', true],
    ['1.1.1', '>= 1.0.0 < 1.2.0', true],
    ['1.1.1', 'v1.1.1', true],
    ['1.1.1', '<1.0.0 || >=1.1.0 <1.2.0', true],
    ['1.0.5', '<1.0.0 || >=1.1.0 <1.2.0', false],
  ])('%s in "%s" is %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  test.each(['>=1.0.0-beta.1', '1.0.0+build', '>=one', '1.x.3', 'latest'])(
    'refuses to guess at "%s"',
    (range) => {
      expect(() => satisfies('1.1.1', range)).toThrow(UnreadableRangeError);
    },
  );
});
