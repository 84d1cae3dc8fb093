import type { StackProps } from 'aws-cdk-lib';
import { DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DataLakeSettings } from './data-lake-settings';
import type { DeadPrincipals } from './handler/data-lake-settings';
import { lakeFormationProvider } from './lake-formation-provider';

/** Properties of the {@link LakeAdminStack}. */
export interface LakeAdminStackProps extends StackProps {
  /**
   * The role CloudFormation deploys the app's stacks with.
   * @default - the bootstrap's CloudFormation execution role
   */
  readonly deploymentRoleArn?: string;
  /** What to do when the Lake Formation settings name a principal that no longer exists. */
  readonly deadPrincipals: DeadPrincipals;
}

/**
 * Makes the role that deploys the app a data lake administrator, before any other stack
 * writes to the Glue catalog: in an account that Lake Formation already governs, creating the
 * Glue database takes Create Database on the catalog ("Insufficient Lake Formation
 * permission(s): Required Create Database on Catalog", aws-samples/bedrock-chat#475). The
 * catalog and governance stacks depend on this one, so it is deleted after them: the role stays
 * an admin while they are deleted. Its provider may change nothing but that one admin.
 */
export class LakeAdminStack extends Stack {
  /** The role that is a data lake admin once this stack deploys. */
  readonly deploymentRoleArn: string;

  constructor(scope: Construct, id: string, props: LakeAdminStackProps) {
    super(scope, id, props);
    this.deploymentRoleArn = this.deploymentRole(props.deploymentRoleArn);
    const provider = lakeFormationProvider(this, {
      admins: [this.deploymentRoleArn],
      tableNames: [],
      defaultPermissions: false,
    });
    new DataLakeSettings(this, 'DataLakeSettings', {
      provider,
      admins: [{ id: 'DeploymentRoleAdmin', principalArn: this.deploymentRoleArn }],
      deadPrincipals: props.deadPrincipals,
    });
  }

  /** The configured deployment role, else the bootstrap's execution role. */
  private deploymentRole(configured: string | undefined): string {
    if (configured) return configured;
    if (this.synthesizer instanceof DefaultStackSynthesizer) {
      return Fn.sub(this.synthesizer.cloudFormationExecutionRoleArn);
    }
    this.node.addValidation({
      validate: () => [
        `governance.deploymentRoleArn is required: the stack synthesizer (${this.synthesizer.constructor.name}) names no CloudFormation execution role, and the role that deploys the app must be a data lake admin.`,
      ],
    });
    return Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/unknown-deployment-role');
  }
}
