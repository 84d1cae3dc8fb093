import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { plainError } from './plain-error';
import type { RetryOptions } from './retry';
import { withRetry } from './retry';

/** A database user's sign-in, as RDS and Redshift secrets hold it. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/**
 * The `username` and `password` in the text of the JSON secret `secretArn`; a secret without
 * both fails with a plain message that names the secret, never its content.
 */
export function credentialsIn(secretArn: string, secretString: string | undefined): Credentials {
  let value: { username?: unknown; password?: unknown } | null = null;
  try {
    value = JSON.parse(secretString ?? '');
  } catch {
    // reported below
  }
  if (typeof value?.username !== 'string' || typeof value.password !== 'string') {
    throw plainError(`The secret ${secretArn} does not hold a JSON "username" and "password".`);
  }
  return { username: value.username, password: value.password };
}

/**
 * The credentials of the JSON secret `secretArn` (see {@link credentialsIn}). An error of
 * Secrets Manager is thrown as it is: a secret that is gone is `ResourceNotFoundException`.
 */
export async function readCredentials(
  secrets: SecretsManagerClient,
  secretArn: string,
  retry?: RetryOptions,
): Promise<Credentials> {
  const secret = await withRetry(
    () => secrets.send(new GetSecretValueCommand({ SecretId: secretArn })),
    retry,
  );
  return credentialsIn(secretArn, secret.SecretString);
}
