/**
 * An error that CloudFormation shows as it is: one sentence, no stack trace (the provider
 * framework appends the handler's trace lines after the first to the reason it reports).
 */
export function plainError(message: string): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}`;
  return error;
}

/** The message of a thrown error, or the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
