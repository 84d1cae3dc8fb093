import * as rds from 'aws-cdk-lib/aws-rds';
import {
  installedMysqlVersions,
  mysqlVersionProblem,
  parseMysqlVersionConstants,
  supportedMysqlVersions,
} from '../../lib/sources/mysql-versions';

/**
 * The MySQL versions come from the installed aws-cdk-lib's declarations
 * (aws-rds/lib/instance-engine.d.ts), where a version RDS withdrew is marked "@deprecated MySQL
 * x.y.z is no longer supported by Amazon RDS." The mark exists only there, not at run time.
 */
describe('the MySQL versions of the installed aws-cdk-lib', () => {
  const versions = installedMysqlVersions();

  test('are the MysqlEngineVersion constants, each with the version aws-cdk-lib gives it', () => {
    const runtime = rds.MysqlEngineVersion as unknown as Record<string, rds.MysqlEngineVersion>;
    expect(versions.constants.length).toBeGreaterThan(50);
    for (const constant of versions.constants) {
      if (constant.withdrawn) continue; // reading a deprecated constant fails (JSII_DEPRECATED)
      expect([constant.name, runtime[constant.name]?.mysqlFullVersion]).toEqual([
        constant.name,
        constant.version,
      ]);
    }
  });

  test('mark the versions RDS withdrew', () => {
    // aws-cdk-lib 2.276: "MySQL 8.0.40 is no longer supported by Amazon RDS", same for 8.0.41
    // and 8.4.3; 8.4.10 is current.
    const withdrawn = (version: string) =>
      versions.constants.find((constant) => constant.version === version)?.withdrawn;
    expect(withdrawn('8.0.40')).toBe(true);
    expect(withdrawn('8.0.41')).toBe(true);
    expect(withdrawn('8.4.3')).toBe(true);
    expect(withdrawn('8.4.10')).toBe(false);
  });

  test('the supported ones are full 8.0 and 8.4 versions RDS still offers, newest first', () => {
    const supported = supportedMysqlVersions(versions);
    expect(supported[0]).toBe('8.4.10');
    expect(supported).toContain('8.0.46');
    expect(supported).not.toContain('8.0.40');
    expect(supported).not.toContain('8.4');
    expect(supported.every((version) => /^8\.(0|4)\.\d+$/.test(version))).toBe(true);
    expect(mysqlVersionProblem('8.4.10', versions)).toBeUndefined();
  });

  test('a declarations file without the expected shape fails instead of admitting every version', () => {
    expect(() => parseMysqlVersionConstants('export declare class Other {}')).toThrow(
      'no "export declare class MysqlEngineVersion" found',
    );
    expect(() =>
      parseMysqlVersionConstants(
        'export declare class MysqlEngineVersion {\n  /** Something. */\n  static readonly VER_8_4_11: MysqlEngineVersion;\n}',
      ),
    ).toThrow('the documentation of VER_8_4_11 names no version');
    expect(
      parseMysqlVersionConstants(
        'export declare class MysqlEngineVersion {\n  /**\n   * Version "8.4.11".\n   * @deprecated MySQL 8.4.11 is no longer supported by Amazon RDS.\n   */\n  static readonly VER_8_4_11: MysqlEngineVersion;\n  /** Version "8.4.12". */\n  static readonly VER_8_4_12: MysqlEngineVersion;\n}',
      ),
    ).toEqual([
      { name: 'VER_8_4_11', version: '8.4.11', withdrawn: true },
      { name: 'VER_8_4_12', version: '8.4.12', withdrawn: false },
    ]);
  });
});
