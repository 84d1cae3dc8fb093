import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The MySQL versions that the installed aws-cdk-lib names (`rds.MysqlEngineVersion.VER_8_4_10`),
 * read from its type declarations. aws-cdk-lib marks a version that Amazon RDS withdrew
 * `@deprecated MySQL 8.0.40 is no longer supported by Amazon RDS.`; that mark exists only in the
 * declarations (and the jsii manifest), not at run time, so the declarations are read. A file
 * that no longer has the expected shape fails synthesis instead of admitting every version.
 */

/** One `MysqlEngineVersion` constant. */
export interface MysqlVersionConstant {
  /** The constant's name, `VER_8_4_10`. */
  readonly name: string;
  /** The version it names, `8.4.10`. */
  readonly version: string;
  /** Whether aws-cdk-lib marks it deprecated: RDS no longer offers it. */
  readonly withdrawn: boolean;
}

/** The MySQL versions of the installed aws-cdk-lib. */
export interface MysqlVersions {
  /** The installed aws-cdk-lib version, for messages. */
  readonly libraryVersion: string;
  readonly constants: readonly MysqlVersionConstant[];
}

/** The major versions whose parameter groups the app writes (`mysql8.0`, `mysql8.4`). */
export const SUPPORTED_MYSQL_MAJOR_VERSIONS = ['8.0', '8.4'] as const;

const CLASS_START = 'export declare class MysqlEngineVersion {';
const CONSTANT =
  /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*static readonly (VER_\w+): MysqlEngineVersion;/g;
const VERSION_IN_DOC = /Version "([^"]+)"/;

/** Parses the `MysqlEngineVersion` constants out of `instance-engine.d.ts`. */
export function parseMysqlVersionConstants(declarations: string): MysqlVersionConstant[] {
  const start = declarations.indexOf(CLASS_START);
  if (start < 0) throw new Error('no "export declare class MysqlEngineVersion" found');
  const end = declarations.indexOf('\n}', start);
  const body = declarations.slice(start, end < 0 ? undefined : end);
  const constants = [...body.matchAll(CONSTANT)].map(([, doc, name]) => {
    const version = VERSION_IN_DOC.exec(doc)?.[1];
    if (!version) throw new Error(`the documentation of ${name} names no version`);
    return { name, version, withdrawn: /@deprecated/.test(doc) };
  });
  if (constants.length === 0) throw new Error('no MysqlEngineVersion constant found');
  return constants;
}

let installed: MysqlVersions | undefined;

/** The MySQL versions of the installed aws-cdk-lib, read once. */
export function installedMysqlVersions(): MysqlVersions {
  if (installed) return installed;
  const root = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const file = path.join(root, 'aws-rds', 'lib', 'instance-engine.d.ts');
  try {
    const libraryVersion = String(
      JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version,
    );
    installed = {
      libraryVersion,
      constants: parseMysqlVersionConstants(fs.readFileSync(file, 'utf8')),
    };
    return installed;
  } catch (error) {
    throw new Error(
      `Cannot read the MySQL versions of the installed aws-cdk-lib from ${file}: ${(error as Error).message}. ` +
        'The app validates sources.mysql.engineVersion against them; check that the aws-cdk-lib upgrade kept MysqlEngineVersion.',
    );
  }
}

/** A full version (`8.4.10`, not the major-only `8.4`) of a supported major version. */
function isSupportedFullVersion(version: string): boolean {
  return SUPPORTED_MYSQL_MAJOR_VERSIONS.some((major) =>
    new RegExp(`^${major.replace('.', '\\.')}\\.\\d+$`).test(version),
  );
}

/** The versions a created instance may run, newest first: offered, full, of a supported major. */
export function supportedMysqlVersions(
  versions: MysqlVersions = installedMysqlVersions(),
): string[] {
  return versions.constants
    .filter((constant) => !constant.withdrawn && isSupportedFullVersion(constant.version))
    .map((constant) => constant.version)
    .sort((a, b) => compareVersions(b, a));
}

function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Why `version` cannot be the engine version of a created instance, or undefined if it can. */
export function mysqlVersionProblem(
  version: string,
  versions: MysqlVersions = installedMysqlVersions(),
): string | undefined {
  const supported = supportedMysqlVersions(versions);
  if (supported.includes(version)) return undefined;
  const choices = `use one of ${supported.join(', ')}`;
  const constant = versions.constants.find((candidate) => candidate.version === version);
  if (constant?.withdrawn) {
    return `MySQL ${version} is no longer supported by Amazon RDS (aws-cdk-lib ${versions.libraryVersion} deprecates MysqlEngineVersion.${constant.name}): ${choices}`;
  }
  if (constant) {
    return `MySQL ${version} is not a full 8.0 or 8.4 version, the major versions whose parameter groups the app writes: ${choices}`;
  }
  return `aws-cdk-lib ${versions.libraryVersion} names no MySQL version ${version}: ${choices}`;
}
