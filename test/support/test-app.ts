import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { FoundationStacks } from '../../lib/app';
import { buildFoundation } from '../../lib/app';
import type { AppConfig } from '../../lib/config/schema';
import { expectValidConfig } from './problems';

const PROJECT_ROOT = path.resolve(__dirname, '../..');
/** The feature flags of `cdk.json`, so that tests synthesize what `cdk synth` does. */
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'),
).context;

/** Options of {@link createTestApp}. */
export interface TestAppOptions {
  /**
   * Run esbuild for Lambda handlers. Off by default: templates are the same apart from asset
   * hashes, and the full synth in CI bundles every handler.
   */
  readonly bundle?: boolean;
  /**
   * Run aws-cdk-lib's CloudFormation validation (the resource schemas). Off by default: the
   * shipped configurations are validated by it in `test/shipped.test.ts`, and it costs seconds a
   * synth. (The tests turn the built-in instance off with `CDK_VALIDATION=false`, so that an app
   * a test makes by hand does not pay for it either; this registers the plugin explicitly.)
   */
  readonly validate?: boolean;
  /**
   * Run cdk-nag's AwsSolutions pack, which {@link nagFindings} reads. Off by default: it costs a
   * fraction of a second a synth, and only the tests that read its findings need it.
   * @default false
   */
  readonly nag?: boolean;
  /** Extra context. */
  readonly context?: Record<string, unknown>;
  /**
   * Where the cloud assembly is written.
   * @default - a new temporary directory
   */
  readonly outdir?: string;
}

/** The apps that {@link createTestApp} gave cdk-nag's AwsSolutions pack. */
const appsWithNag = new WeakSet<App>();

/**
 * A CDK app with the project's feature flags and a temporary outdir, and with cdk-nag's
 * AwsSolutions pack or aws-cdk-lib's CloudFormation validation where `options` asks for them.
 */
export function createTestApp(options: TestAppOptions = {}): App {
  const app = new App({
    outdir: options.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-')),
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      ...options.context,
    },
  });
  if (options.nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    appsWithNag.add(app);
  }
  if (options.validate) Validations.of(app).addPlugins(new CloudFormationValidatePlugin());
  return app;
}

/** The default configuration with `overrides` merged over it, which must be valid. */
export const testConfig = expectValidConfig;

/** The whole app, built from the default configuration with `overrides` merged over it. */
export function buildTestFoundation(
  overrides: unknown = {},
  options: TestAppOptions = {},
): { app: App; stacks: FoundationStacks; config: AppConfig } {
  const app = createTestApp(options);
  const config = testConfig(overrides);
  const stacks = buildFoundation(app, config);
  return { app, stacks, config };
}

/** The account of the tests that synthesize for an account and Region. */
export const TEST_ACCOUNT = '111122223333';

/** The whole app in `region` of the test account, built from the default configuration with `overrides` merged over it. */
export function buildTestFoundationIn(region: string, overrides: unknown = {}): App {
  const app = createTestApp();
  buildFoundation(app, testConfig(overrides), { account: TEST_ACCOUNT, region });
  return app;
}

/** One unacknowledged validation finding (`<plugin>::<rule>`). */
export interface NagFinding {
  readonly rule: string;
  readonly path: string;
}

/**
 * Synthesizes the app and returns the unacknowledged findings of every validation plugin from
 * the validation report: cdk-nag's AwsSolutions pack and aws-cdk-lib's own CloudFormation
 * Validate. The report is read rather than trusting synth to throw, so that a test sees every
 * finding. The app must come from `createTestApp({ nag: true })`: without cdk-nag there would be
 * no finding to see, and a test that expects none would pass whatever the stacks hold.
 */
export function nagFindings(app: App, stack?: Stack): NagFinding[] {
  if (!appsWithNag.has(app)) {
    throw new Error('nagFindings needs an app made with createTestApp({ nag: true })');
  }
  const findings = validationFindings(app.synth().directory);
  return stack
    ? findings.filter((finding) => finding.path.startsWith(`${stack.node.path}/`))
    : findings;
}

/** The unacknowledged findings in the validation report of a cloud assembly. */
export function validationFindings(assemblyDirectory: string): NagFinding[] {
  const reportFile = path.join(assemblyDirectory, 'validation-report.json');
  if (!fs.existsSync(reportFile)) return [];
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    pluginReports: Array<{
      pluginName: string;
      violations?: Array<{
        ruleName: string;
        violatingConstructs: Array<{ constructPath: string }>;
      }>;
    }>;
  };
  return report.pluginReports.flatMap((plugin) =>
    (plugin.violations ?? []).flatMap((violation) =>
      violation.violatingConstructs.map((construct) => ({
        rule: `${plugin.pluginName}::${violation.ruleName}`,
        path: construct.constructPath,
      })),
    ),
  );
}

/** Formats findings one per line, so that a failing test shows them readably. */
export function describeFindings(findings: NagFinding[]): string {
  return findings.map((finding) => `${finding.rule} at ${finding.path}`).join('\n');
}
