/** The ARN `arn:<partition>:<service>:<region>:<account>:<resource>` in the stack's own account and Region, as its template writes it. */
export function regionalArn(service: string, resource: string): Record<string, unknown> {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        `:${service}:`,
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:${resource}`,
      ],
    ],
  };
}

/** The confused deputy condition: a service acts only for the stack's account and for `resource`s of `service` in its Region. */
export function onBehalfOfThisAccount(service: string, resource: string): Record<string, unknown> {
  return {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: { 'aws:SourceArn': regionalArn(service, resource) },
  };
}

/** The trust statement of a role that `principal` assumes only on behalf of the stack's account and `resource`s of `service` in its Region. */
export function serviceTrust(
  principal: string,
  service: string,
  resource: string,
): Record<string, unknown> {
  return {
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { Service: principal },
    Condition: onBehalfOfThisAccount(service, resource),
  };
}
