/**
 * The names of one replication generation's DMS resources, and of what DMS names after them.
 *
 * Every resource whose replacement would replace the replication carries the generation in its
 * name: the replication instance, the task or serverless configuration, and the target endpoint.
 * DMS refuses a second resource with a name that exists ("ResourceAlreadyExistsFault: The
 * resource you are attempting to create already exists"), and CloudFormation creates a
 * replacement before it deletes what it replaces; so a change that would replace the
 * replication within a generation fails and rolls back before anything is deleted, instead of
 * loading the tables again over the generation's history. A new generation has new names.
 *
 * DMS identifiers are letters, digits and single hyphens, start with a letter and end with a
 * letter or digit; a resource identifier (the end of an ARN) has at most 31 characters. The
 * project name has at most 20 and the generation at most 4 digits, which keeps every name here
 * within 31 (the replication checks reject a project name with `--`).
 */
export class ReplicationNames {
  constructor(
    /** The project name that prefixes every name: lower-case letters, digits and hyphens. */
    readonly projectName: string,
    /** The replication generation, from 1. */
    readonly generation: number,
  ) {}

  /** `<project>-cdc-g<n>`: the replication instance, task and serverless configuration. */
  get replication(): string {
    return `${this.projectName}-cdc-g${this.generation}`;
  }

  /** `<project>-s3-g<n>`: the generation's target endpoint, which writes its own folder. */
  get targetEndpoint(): string {
    return `${this.projectName}-s3-g${this.generation}`;
  }

  /** The log group DMS writes the task logs of the replication instance to. */
  get instanceLogGroup(): string {
    return `dms-tasks-${this.replication}`;
  }

  /** The log group DMS Serverless writes the replication's logs to. */
  get serverlessLogGroup(): string {
    return `dms-serverless-replication-${this.replication}`;
  }

  /** The replication subnet group that checks whether DMS can use `dms-vpc-role`. */
  get roleProbeSubnetGroup(): string {
    return `${this.projectName}-dms-role-probe`;
  }
}

/** The tag key that marks the DMS replications of a project, with the project name as value. */
export const REPLICATION_TAG_KEY = 'ml-foundation:replication';
