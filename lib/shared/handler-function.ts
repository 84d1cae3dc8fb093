import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BundlingOptions, ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { operationalLogGroup } from './log-group';
import { acknowledge, acknowledgeControl } from './nag';

const RELATIVE_SOURCE_MAPS = path.resolve(__dirname, '../../scripts/relative-source-maps.mjs');

/** A POSIX shell word: NodejsFunction runs the command hooks with bash. */
const shellWord = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * After esbuild, rewrites the source maps' `sources` from paths relative to the bundle (which
 * lives in the cloud assembly) to paths relative to the project root, so that the bundle is the
 * same wherever the checkout and the assembly are.
 */
const COMMAND_HOOKS: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir, outputDir) => [
    ['node', RELATIVE_SOURCE_MAPS, inputDir, outputDir].map(shellWord).join(' '),
  ],
};

const BUNDLING: BundlingOptions = {
  bundleAwsSDK: true,
  format: OutputFormat.CJS,
  target: 'node24',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // Every synth bundles: esbuild's summary of each bundle would bury the synth's own output.
  logLevel: LogLevel.WARNING,
  // No `assetHash`: the asset hash is then that of the bundle (AssetHashType.OUTPUT). A custom
  // hash is mixed with NodejsFunction's absolute paths (entry, project root, lock file), which
  // would make it depend on where the checkout is. The price: every synth runs esbuild again.
  commandHooks: COMMAND_HOOKS,
};

/** Properties of a {@link HandlerFunction}. */
export interface HandlerFunctionProps {
  /** Absolute path of the TypeScript module that exports the handler. */
  readonly entry: string;
  /** Name of the exported handler function. */
  readonly handler: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  /**
   * Maximum run time of one invocation.
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
  /**
   * Environment variables.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * VPC to run the function in, for handlers that reach a database.
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` to run in.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups of the function, when it runs in a VPC.
   * @default - a new security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Memory, in MiB.
   * @default 256
   */
  readonly memorySize?: number;
}

/**
 * A Lambda function for a custom resource handler: TypeScript bundled by esbuild with its AWS
 * SDK clients, on the latest Node.js runtime, with its own log group and a role that may only
 * write to that log group until the caller grants more.
 */
export class HandlerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);

    this.logGroup = operationalLogGroup(this, 'Logs');

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    if (props.vpc) {
      // The managed AWSLambdaVPCAccessExecutionRole grants the same actions; inlining them keeps
      // every permission of the function visible in its own policy.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      acknowledge(
        this.role,
        'AwsSolutions-IAM5',
        'Resource::*',
        'Lambda manages the network interfaces of a VPC function; EC2 does not support resource-level permissions for these actions before the interface exists.',
      );
    }

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: props.handler,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.minutes(1),
      role: this.role,
      logGroup: this.logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      vpc: props.vpc,
      vpcSubnets: props.vpc
        ? (props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })
        : undefined,
      securityGroups: props.securityGroups,
      bundling: BUNDLING,
    });
    acknowledgeControl(
      this.function,
      'lambda_inside_vpc_check',
      props.vpc
        ? 'The function runs in the VPC; the rule cannot read its subnet and security group ids, which are references (Fn::ImportValue, Ref) resolved at deploy time.'
        : 'The function only calls AWS APIs, over HTTPS with IAM; a VPC would add network interfaces and endpoints without a database or private service to reach.',
    );
  }
}
