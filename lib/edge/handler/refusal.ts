import { isAccessDenied, serviceRefusedMessage } from '../../shared/handler/aws-errors';
import { plainError } from '../../shared/handler/plain-error';

/**
 * What an access denial means. IAM's denial of the caller names it: "User: <arn> is not
 * authorized to perform: <action> on resource: <arn> because ..." (IAM User Guide,
 * troubleshoot_access-denied.html). A service closed to new customers answers with its own words,
 * as Amazon Machine Learning did ("... is no longer available to new customers",
 * rebuy-de/aws-nuke#341); Lookout for Vision's answer after its end of support is not documented.
 */

const IAM_DENIAL = /is not authorized to perform:?\s*(\S+?)(?:\s+on resource:?\s*(\S+?))?(?:\s|$)/;
const CLOSED = /no longer available|new customers|end of support|discontinued/i;

function messageIn(error: unknown): string {
  return error instanceof Error ? error.message : '';
}

/** Whether `error` is IAM denying the caller's own role an action, rather than the service refusing the account. */
export function isIamDenial(error: unknown): boolean {
  return isAccessDenied(error) && IAM_DENIAL.test(messageIn(error));
}

/**
 * A plain explanation when `error` is an access denial (`undefined` for any other error): an
 * IAM denial of the handler's role names the action and resource; a service that says it is
 * closed, or an access denial that says neither, is explained with `configSwitch`, which deploys
 * without the service.
 */
export function explainRefusal(
  service: string,
  configSwitch: string,
  error: unknown,
): Error | undefined {
  if (!isAccessDenied(error)) return undefined;
  const message = messageIn(error);
  const said = message ? ` The service said: ${message}` : '';
  const iam = IAM_DENIAL.exec(message);
  if (iam) {
    const resource = iam[2] ? ` on ${iam[2]}` : '';
    return plainError(
      `IAM denied this stack's handler role ${iam[1]}${resource}: the role's policy, a permissions boundary or a service control policy does not allow it; ${service} itself did not refuse the account.${said}`,
    );
  }
  if (CLOSED.test(message)) {
    return plainError(
      `${service} is closed to this account: it takes no new customers, or has ended. Set ${configSwitch} to false to deploy without it.${said}`,
    );
  }
  return plainError(serviceRefusedMessage(service, configSwitch, error));
}
