import {
  accountIn,
  accountPhysicalId,
  databaseAccountHandler,
} from '../../lib/shared/handler/account-physical-id';
import type * as cfn from '../../lib/shared/handler/custom-resource';

interface Properties {
  readonly Host: string;
}

const PREFIX = 'mysql-user:';

function deleteEvent(physicalResourceId: string): cfn.OnEvent<Properties> {
  return {
    RequestType: 'Delete',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: { ServiceToken: 'token', Host: 'db.example' },
    ServiceToken: 'token',
    ResponseURL: 'https://example.com',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'Setup',
    ResourceType: 'Custom::Setup',
  };
}

function handlerWith(dropped: boolean) {
  const dropAccount = jest.fn(async (_properties: Properties, _username: string) => dropped);
  const createOrUpdate = jest.fn(async () => ({ PhysicalResourceId: 'created' }));
  const handler = databaseAccountHandler<Properties, Record<string, string>>({
    prefix: PREFIX,
    createOrUpdate,
    dropAccount,
    log: (username) => ({ action: 'Delete', user: username }),
  });
  return { handler, dropAccount, createOrUpdate };
}

describe('physical ids of database accounts', () => {
  test('name the account and where it lives, and give the account back', () => {
    const id = accountPhysicalId(PREFIX, 'dms_cdc', 'db.example:3306');
    expect(id).toBe('mysql-user:dms_cdc@db.example:3306');
    expect(accountIn(id, PREFIX)).toBe('dms_cdc');
  });

  test('a failed create (an id of another shape, or no user) names no account', () => {
    expect(accountIn('resource-create-failed', PREFIX)).toBeUndefined();
    expect(accountIn('mysql-user:@db.example:3306', PREFIX)).toBeUndefined();
  });
});

describe('databaseAccountHandler', () => {
  let log: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => log.mockRestore());

  test('a Delete drops the account its physical id names, keeps the id and logs the drop', async () => {
    const { handler, dropAccount, createOrUpdate } = handlerWith(true);
    const id = 'mysql-user:reader@db.example:3306';

    await expect(handler.onEvent(deleteEvent(id))).resolves.toEqual({ PhysicalResourceId: id });

    expect(dropAccount).toHaveBeenCalledWith(
      { ServiceToken: 'token', Host: 'db.example' },
      'reader',
    );
    expect(createOrUpdate).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith('{"action":"Delete","user":"reader"}');
  });

  test('a Delete after a failed create drops nothing', async () => {
    const { handler, dropAccount } = handlerWith(true);
    await expect(handler.onEvent(deleteEvent('resource-create-failed'))).resolves.toEqual({
      PhysicalResourceId: 'resource-create-failed',
    });
    expect(dropAccount).not.toHaveBeenCalled();
  });

  test('an account that was already gone is not logged as dropped', async () => {
    const { handler } = handlerWith(false);
    await handler.onEvent(deleteEvent('mysql-user:reader@db.example:3306'));
    expect(log).not.toHaveBeenCalled();
  });

  test('a Create goes to createOrUpdate', async () => {
    const { handler, createOrUpdate, dropAccount } = handlerWith(true);
    const create = { ...deleteEvent('unused'), RequestType: 'Create' } as cfn.OnEvent<Properties>;
    await expect(handler.onEvent(create)).resolves.toEqual({ PhysicalResourceId: 'created' });
    expect(createOrUpdate).toHaveBeenCalledTimes(1);
    expect(dropAccount).not.toHaveBeenCalled();
  });
});
