import {
  explainRefusal,
  explainUnreachable,
  isClosedToNewCustomers,
  isPermissionDenied,
} from '../../lib/shared/handler/aws-errors';

/** A service error as the AWS SDK v3 throws it. */
function awsError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

const AMAZON_ML = { service: 'Amazon Machine Learning', configSwitch: 'features.amazonMl' };

describe('explainRefusal tells a closed service from a missing permission', () => {
  test('the closed-service text of Amazon ML (rebuy-de/aws-nuke#341) says the service is closed', () => {
    const error = awsError(
      'AccessDeniedException',
      403,
      'Thank you for your interest in Amazon Machine Learning. AmazonML is no longer available to new customers.  Please consider using Amazon SageMaker.',
    );
    expect(isClosedToNewCustomers(error)).toBe(true);
    expect(explainRefusal(error, AMAZON_ML)!.message).toMatch(
      /^Amazon Machine Learning is closed to new AWS customers, and this account is not one of its existing customers\. Set features\.amazonMl to false/,
    );
  });

  test.each([
    [
      'a missing Allow',
      'User: arn:aws:sts::123456789012:assumed-role/handler/fn is not authorized to perform: machinelearning:GetDataSource on resource: arn:aws:machinelearning:us-east-1:123456789012:datasource/x',
    ],
    [
      'a service control policy',
      'User: arn:aws:sts::123456789012:assumed-role/handler/fn is not authorized to perform: machinelearning:GetDataSource with an explicit deny in a service control policy',
    ],
  ])('an IAM denial (%s) is a permission of the caller, and the switch stays on', (_name, text) => {
    const error = awsError('AccessDeniedException', 403, text);
    expect(isPermissionDenied(error)).toBe(true);
    const message = explainRefusal(error, { ...AMAZON_ML, hint: 'A hint.' })!.message;
    expect(message).toMatch(/^IAM denied the handler's role machinelearning:GetDataSource\b/);
    expect(message).toContain('features.amazonMl need not be turned off');
    expect(message).not.toMatch(/closed to new|Set features\.amazonMl to false|A hint/);
    expect(message.endsWith(text)).toBe(true);
  });

  test('any other refusal names both possibilities, with the hint', () => {
    const message = explainRefusal(awsError('AccessDeniedException', 403, 'not allowlisted'), {
      ...AMAZON_ML,
      hint: 'A hint.',
    })!.message;
    expect(message).toBe(
      'Amazon Machine Learning refused this account: it is closed to new AWS customers, or this account or role has no access to it. ' +
        'Set features.amazonMl to false to deploy without it. The service said: not allowlisted A hint.',
    );
  });

  test('an error that is no refusal is left alone', () => {
    expect(explainRefusal(awsError('ValidationException', 400, 'bad'), AMAZON_ML)).toBeUndefined();
  });
});

describe('explainUnreachable', () => {
  const where = { ...AMAZON_ML, regions: ['us-east-1', 'eu-west-1'] };
  // Node's error for a host name that does not resolve (https://nodejs.org/api/errors.html,
  // ENOTFOUND): name "Error", the code in `code`.
  const notFound = (host: string) =>
    Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });

  test('in a Region without the service, names the Regions and the switch', () => {
    expect(
      explainUnreachable(notFound('machinelearning.eu-west-3.amazonaws.com'), {
        ...where,
        region: 'eu-west-3',
      })!.message,
    ).toBe(
      'Amazon Machine Learning could not be reached (Error: getaddrinfo ENOTFOUND machinelearning.eu-west-3.amazonaws.com). ' +
        'Amazon Machine Learning exists only in us-east-1 and eu-west-1, not in eu-west-3: deploy to one of those Regions or set features.amazonMl to false.',
    );
  });

  test('in a Region with the service, blames the network, not the Region', () => {
    const error = Object.assign(
      new Error('getaddrinfo EAI_AGAIN machinelearning.us-east-1.amazonaws.com'),
      {
        code: 'EAI_AGAIN',
      },
    );
    expect(explainUnreachable(error, { ...where, region: 'us-east-1' })!.message).toMatch(
      /is offered in us-east-1, so the network or DNS failed; retry the deployment\.$/,
    );
  });

  test('any other error is left alone', () => {
    expect(
      explainUnreachable(awsError('ThrottlingException', 400, 'slow down'), {
        ...where,
        region: 'us-east-1',
      }),
    ).toBeUndefined();
  });
});
