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
