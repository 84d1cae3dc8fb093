import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type {
  IPolicyValidationContextBeta1,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReportBeta1,
} from 'aws-cdk-lib';
import { CONTROL_TOWER_PLUGIN_NAME } from './nag';

const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

interface GuardRule {
  readonly file: string;
  /** The resource types the rule names; it reports on these only. */
  readonly resourceTypes: ReadonlySet<string>;
}

function controlTowerRuleFiles(): GuardRule[] {
  const packageRoot = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
  const rulesRoot = path.join(packageRoot, 'rules', 'control-tower', 'cfn-guard');
  return fs
    .readdirSync(rulesRoot, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.guard'))
    .sort()
    .map((file) => {
      const absolute = path.join(rulesRoot, file);
      const text = fs.readFileSync(absolute, 'utf8');
      return { file: absolute, resourceTypes: new Set(text.match(RESOURCE_TYPE) ?? []) };
    });
}

function templateResourceTypes(templatePath: string): Set<string> {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf8')) as {
    Resources?: Record<string, { Type?: string }>;
  };
  const types = new Set<string>();
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.Type) types.add(resource.Type);
  }
  return types;
}

/**
 * AWS Control Tower's proactive controls, as `@cdklabs/cdk-validator-cfnguard` ships them, run
 * by its cfn-guard binary over the synthesized templates. Each template is checked against the
 * rules that name a resource type it holds: the others would skip every resource anyway, and
 * cfn-guard's time grows with rules times template size (all of them over the whole app takes
 * several seconds a synth). Findings are reported, and acknowledged, under the plugin's own name
 * (`cdk-validator-cfnguard::<rule>`).
 */
/** Properties of {@link ControlTowerRules}. */
export interface ControlTowerRulesProps {
  /**
   * A directory where the findings of each template are kept by its content, so that a
   * template synthesized again (by another process too, as the tests do) is not checked again.
   * @default - findings are kept in memory, for this process only
   */
  readonly cacheDirectory?: string;
}

type Report = PolicyValidationPluginReportBeta1;

/** The templatePath a cached report was made for, replaced when the report is reused. */
const TEMPLATE_PATH = '<template>';

export class ControlTowerRules implements IPolicyValidationPluginBeta1 {
  readonly name = CONTROL_TOWER_PLUGIN_NAME;
  private rules?: GuardRule[];
  private readonly checked = new Map<string, string>();

  constructor(private readonly props: ControlTowerRulesProps = {}) {}

  validate(context: IPolicyValidationContextBeta1): Report {
    const rules = (this.rules ??= controlTowerRuleFiles());
    const reports = context.templatePaths.map((templatePath) => {
      const present = templateResourceTypes(templatePath);
      const applicable = rules
        .filter((rule) => [...rule.resourceTypes].some((type) => present.has(type)))
        .map((rule) => rule.file);
      if (applicable.length === 0) return { success: true, violations: [] };
      const key = createHash('sha256')
        .update(fs.readFileSync(templatePath))
        .update(applicable.join('\0'))
        .digest('hex');
      const cached = this.cached(key);
      if (cached)
        return JSON.parse(
          cached.replaceAll(JSON.stringify(TEMPLATE_PATH), JSON.stringify(templatePath)),
        ) as Report;
      const report = new CfnGuardValidator({
        controlTowerRulesEnabled: false,
        rules: applicable,
        maxBuffer: 256 * 1024 * 1024,
      }).validate({ ...context, templatePaths: [templatePath] });
      this.keep(
        key,
        JSON.stringify(report).replaceAll(
          JSON.stringify(templatePath),
          JSON.stringify(TEMPLATE_PATH),
        ),
      );
      return report;
    });
    return {
      success: reports.every((report) => report.success),
      violations: reports.flatMap((report) => report.violations),
    };
  }

  private cached(key: string): string | undefined {
    const inMemory = this.checked.get(key);
    if (inMemory || !this.props.cacheDirectory) return inMemory;
    const file = path.join(this.props.cacheDirectory, `${key}.json`);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  }

  private keep(key: string, report: string): void {
    this.checked.set(key, report);
    if (!this.props.cacheDirectory) return;
    fs.mkdirSync(this.props.cacheDirectory, { recursive: true });
    // Written whole under a temporary name first, so that another process never reads half.
    const file = path.join(this.props.cacheDirectory, `${key}.json`);
    fs.writeFileSync(`${file}.${process.pid}`, report);
    fs.renameSync(`${file}.${process.pid}`, file);
  }
}
