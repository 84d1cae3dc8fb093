import type * as cfn from './custom-resource';

/**
 * The physical id of a custom resource that creates a database account: `<prefix><user>@<where>`
 * (`mysql-user:dms_cdc@host:3306`). Its Delete reads the account from the id, not from the
 * secret, which may already name a new user; an update that changes the user changes the id.
 */

/** The physical id of the account `username` in the database `where`. */
export function accountPhysicalId(prefix: string, username: string, where: string): string {
  return `${prefix}${username}@${where}`;
}

/** The account named in a physical id, or undefined when the id names none (a failed create). */
export function accountIn(physicalResourceId: string, prefix: string): string | undefined {
  if (!physicalResourceId.startsWith(prefix)) return undefined;
  const username = physicalResourceId.slice(prefix.length).split('@')[0];
  return username || undefined;
}

/** How a custom resource that creates a database account creates, updates and drops it. */
export interface DatabaseAccountHandlerOptions<P, D extends object> {
  /** The prefix of the resource's physical ids. */
  readonly prefix: string;
  /** A Create or Update: sets up the account (and what else the resource owns). */
  readonly createOrUpdate: (
    event: Exclude<cfn.OnEvent<P>, { RequestType: 'Delete' }>,
  ) => Promise<cfn.OnEventResponse<D>>;
  /**
   * A Delete: drops the account that the physical id names, tolerating what is gone.
   * @returns whether it dropped the account: false when there was none to drop
   */
  readonly dropAccount: (properties: P, username: string) => Promise<boolean>;
  /** The JSON line logged once the account is dropped. */
  readonly log: (username: string) => object;
}

/**
 * The onEvent handler of such a resource. A Delete whose physical id names no account (a failed
 * create) has nothing to drop; any Delete keeps the physical id it came with.
 */
export function databaseAccountHandler<P, D extends object>(
  options: DatabaseAccountHandlerOptions<P, D>,
) {
  async function remove(
    event: Extract<cfn.OnEvent<P>, { RequestType: 'Delete' }>,
  ): Promise<cfn.OnEventResponse<D>> {
    const result = { PhysicalResourceId: event.PhysicalResourceId };
    const username = accountIn(event.PhysicalResourceId, options.prefix);
    if (!username) return result;
    if (await options.dropAccount(event.ResourceProperties, username)) {
      console.log(JSON.stringify(options.log(username)));
    }
    return result;
  }

  return {
    async onEvent(event: cfn.OnEvent<P>): Promise<cfn.OnEventResponse<D>> {
      return event.RequestType === 'Delete' ? remove(event) : options.createOrUpdate(event);
    },
  };
}
