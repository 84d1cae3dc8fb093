import type { DataLakeSettings } from '@aws-sdk/client-lakeformation';
import {
  GetDataLakeSettingsCommand,
  GrantPermissionsCommand,
  LakeFormationClient,
  ListPermissionsCommand,
  PutDataLakeSettingsCommand,
  RevokePermissionsCommand,
} from '@aws-sdk/client-lakeformation';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { IAM_ONLY_DEFAULT } from '../../lib/governance/handler/data-lake-settings';
import { lakeFormationHandlers } from '../../lib/governance/handler/index';
import type { LakeFormationScope } from '../../lib/governance/handler/lake-formation-scope';
import { parseScope } from '../../lib/governance/handler/lake-formation-scope';

const lf = mockClient(LakeFormationClient);
const sleeps: number[] = [];

const DEPLOYER =
  'arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-eu-west-1';
const SOMEONE = 'arn:aws:iam::111122223333:role/TeamAdmin';
const LATECOMER = 'arn:aws:iam::111122223333:role/AddedLater';
const INTRUDER = 'arn:aws:iam::111122223333:role/WantsToBeAdmin';
const DELETED = 'arn:aws:iam::111122223333:role/DeletedLongAgo';

/** What the tests' provider was deployed to change. */
const SCOPE: LakeFormationScope = {
  admins: [DEPLOYER, SOMEONE, LATECOMER],
  databaseName: 'ml_foundation',
  tableNames: ['banking'],
  defaultPermissions: true,
};
const handlersFor = (scope: LakeFormationScope) =>
  lakeFormationHandlers({
    lakeFormation: new LakeFormationClient({}),
    scope,
    retry: { sleep: async (ms) => void sleeps.push(ms) },
  });
const { onEvent } = handlersFor(SCOPE);
const admin = (arn: string) => ({ DataLakePrincipalIdentifier: arn });

function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $metadata: { httpStatusCode: status },
  });
}

type Request = 'Create' | 'Update' | 'Delete';
function event(
  requestType: Request,
  resourceType: string,
  properties: Record<string, unknown> = {},
  physicalId?: string,
  oldProperties: Record<string, unknown> = {},
): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'token',
    ResponseURL: 'https://example.com',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'Resource',
    ResourceType: resourceType,
    ResourceProperties: { ServiceToken: 'token', ...properties },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update')
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: physicalId!,
      OldResourceProperties: { ServiceToken: 'token', ...oldProperties },
    };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalId! };
}

/** A fake of the account's settings: Get returns a copy, Put replaces them. */
let settings: DataLakeSettings;
function serveSettings(initial: DataLakeSettings): void {
  settings = structuredClone(initial);
  lf.on(GetDataLakeSettingsCommand).callsFake(() => ({
    DataLakeSettings: structuredClone(settings),
  }));
  lf.on(PutDataLakeSettingsCommand).callsFake((input) => {
    settings = structuredClone(input.DataLakeSettings);
    return {};
  });
}
const puts = () => lf.commandCalls(PutDataLakeSettingsCommand).length;

/** Settings as a new account has them, with another team's admin and options. */
const ACCOUNT_SETTINGS: DataLakeSettings = {
  DataLakeAdmins: [admin(SOMEONE)],
  ReadOnlyAdmins: [admin('arn:aws:iam::111122223333:role/Auditor')],
  CreateDatabaseDefaultPermissions: IAM_ONLY_DEFAULT,
  CreateTableDefaultPermissions: IAM_ONLY_DEFAULT,
  Parameters: { CROSS_ACCOUNT_VERSION: '4' },
  TrustedResourceOwners: ['444455556666'],
};

beforeEach(() => {
  lf.reset();
  sleeps.length = 0;
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

describe('Custom::DataLakeAdmin', () => {
  const type = 'Custom::DataLakeAdmin';

  test('Create adds the admin and keeps every other admin and setting', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    const response = await onEvent(event('Create', type, { Principal: DEPLOYER }));
    expect(response.PhysicalResourceId).toBe(`data-lake-admin:added:${DEPLOYER}`);
    expect(lf.commandCalls(PutDataLakeSettingsCommand)[0].args[0].input).toEqual({
      DataLakeSettings: { ...ACCOUNT_SETTINGS, DataLakeAdmins: [admin(SOMEONE), admin(DEPLOYER)] },
    });
  });

  test('Create of an admin that is already there writes nothing and records it as present', async () => {
    serveSettings({ ...ACCOUNT_SETTINGS, DataLakeAdmins: [admin(SOMEONE), admin(DEPLOYER)] });
    const response = await onEvent(event('Create', type, { Principal: DEPLOYER }));
    expect(response.PhysicalResourceId).toBe(`data-lake-admin:present:${DEPLOYER}`);
    expect(puts()).toBe(0);
  });

  test('a repeated Create or an Update with nothing changed writes nothing more', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    const created = await onEvent(event('Create', type, { Principal: DEPLOYER }));
    await onEvent(event('Create', type, { Principal: DEPLOYER }));
    const updated = await onEvent(
      event('Update', type, { Principal: DEPLOYER }, created.PhysicalResourceId),
    );
    expect(puts()).toBe(1);
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(settings.DataLakeAdmins).toEqual([admin(SOMEONE), admin(DEPLOYER)]);
  });

  test('Delete removes the admin it added and keeps the others, including one added since', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    const { PhysicalResourceId } = await onEvent(event('Create', type, { Principal: DEPLOYER }));
    settings.DataLakeAdmins!.push(admin(LATECOMER));
    await onEvent(event('Delete', type, { Principal: DEPLOYER }, PhysicalResourceId));
    expect(settings).toEqual({
      ...ACCOUNT_SETTINGS,
      DataLakeAdmins: [admin(SOMEONE), admin(LATECOMER)],
    });
  });

  test('Delete keeps an admin that was there before: it touches nothing', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    const response = await onEvent(
      event('Delete', type, { Principal: SOMEONE }, `data-lake-admin:present:${SOMEONE}`),
    );
    expect(response.Data).toEqual({ Removed: 'false', DroppedDeadPrincipals: '' });
    expect(lf.calls()).toHaveLength(0);
  });

  test('Delete of an admin someone else already removed writes nothing', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    await onEvent(
      event('Delete', type, { Principal: DEPLOYER }, `data-lake-admin:added:${DEPLOYER}`),
    );
    expect(puts()).toBe(0);
    expect(settings).toEqual(ACCOUNT_SETTINGS);
  });

  test('Delete after a failed Create, with a physical id it never gave, does nothing', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    await onEvent(event('Delete', type, { Principal: DEPLOYER }, 'request'));
    expect(lf.calls()).toHaveLength(0);
  });

  test('Update to another principal adds it under a new id; the old one goes on its own delete', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    const first = await onEvent(event('Create', type, { Principal: DEPLOYER }));
    const second = await onEvent(
      event('Update', type, { Principal: LATECOMER }, first.PhysicalResourceId),
    );
    expect(second.PhysicalResourceId).toBe(`data-lake-admin:added:${LATECOMER}`);
    await onEvent(event('Delete', type, { Principal: DEPLOYER }, first.PhysicalResourceId));
    expect(settings.DataLakeAdmins).toEqual([admin(SOMEONE), admin(LATECOMER)]);
  });

  test('Update puts back a pre-existing admin that was removed since, and then owns it', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    const response = await onEvent(
      event('Update', type, { Principal: SOMEONE }, `data-lake-admin:present:${SOMEONE}`),
    );
    expect(response.PhysicalResourceId).toBe(`data-lake-admin:present:${SOMEONE}`);
    settings.DataLakeAdmins = [];
    const readded = await onEvent(
      event('Update', type, { Principal: SOMEONE }, `data-lake-admin:present:${SOMEONE}`),
    );
    expect(readded.PhysicalResourceId).toBe(`data-lake-admin:added:${SOMEONE}`);
    expect(settings.DataLakeAdmins).toEqual([admin(SOMEONE)]);
  });

  test('a write that loses a race is retried from a fresh read, keeping the winner’s admin', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    let attempt = 0;
    lf.on(PutDataLakeSettingsCommand).callsFake((input) => {
      attempt++;
      if (attempt === 1) {
        settings.DataLakeAdmins!.push(admin(LATECOMER));
        throw awsError('ConcurrentModificationException');
      }
      settings = structuredClone(input.DataLakeSettings);
      return {};
    });
    await onEvent(event('Create', type, { Principal: DEPLOYER }));
    expect(lf.commandCalls(GetDataLakeSettingsCommand)).toHaveLength(2);
    expect(settings.DataLakeAdmins).toEqual([admin(SOMEONE), admin(LATECOMER), admin(DEPLOYER)]);
    expect(sleeps).toHaveLength(1);
  });

  test('throttling is retried; an access denial is not', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    lf.on(GetDataLakeSettingsCommand)
      .rejectsOnce(awsError('ThrottledException'))
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ DataLakeSettings: structuredClone(ACCOUNT_SETTINGS) });
    await onEvent(event('Create', type, { Principal: DEPLOYER }));
    expect(sleeps).toHaveLength(2);

    lf.reset();
    lf.on(GetDataLakeSettingsCommand).rejects(awsError('AccessDeniedException'));
    await expect(onEvent(event('Create', type, { Principal: DEPLOYER }))).rejects.toThrow(
      'AccessDeniedException happened',
    );
    expect(lf.commandCalls(GetDataLakeSettingsCommand)).toHaveLength(1);
  });

  test('a service that keeps timing out fails the deployment with its error after the last attempt', async () => {
    lf.on(GetDataLakeSettingsCommand).rejects(awsError('OperationTimeoutException'));
    await expect(onEvent(event('Create', type, { Principal: DEPLOYER }))).rejects.toThrow(
      'OperationTimeoutException happened',
    );
    expect(lf.commandCalls(GetDataLakeSettingsCommand)).toHaveLength(6);
    expect(puts()).toBe(0);
  });

  // Anyone who may invoke the provider framework's function can send it any event
  // (aws-cdk-lib provider-framework: the framework invokes the user handler with what it gets):
  // the principals the handler may make admins are fixed in its environment at synth.
  test('a principal outside the scope is refused, and nothing is written', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    await expect(onEvent(event('Create', type, { Principal: INTRUDER }))).rejects.toThrow(
      `${INTRUDER} is not one of the data lake admins this provider was deployed to manage`,
    );
    await expect(
      onEvent(event('Update', type, { Principal: INTRUDER }, `data-lake-admin:added:${DEPLOYER}`)),
    ).rejects.toThrow('is not one of the data lake admins');
    expect(lf.calls()).toHaveLength(0);
  });

  test('the scope is read from the environment; a missing or malformed one allows nothing', () => {
    expect(parseScope(JSON.stringify(SCOPE))).toEqual(SCOPE);
    const nothing = { admins: [], tableNames: [], defaultPermissions: false };
    expect(parseScope(undefined)).toEqual(nothing);
    expect(parseScope('{not json')).toEqual(nothing);
    expect(parseScope('{"admins":"everyone","tableNames":[1]}')).toEqual(nothing);
  });

  describe('a principal of the settings that no longer exists', () => {
    // PutDataLakeSettings refuses the whole write with "Invalid principal" when any principal of
    // the settings is a deleted role (aws/aws-cdk#19492), naming it in the message.
    const invalidPrincipal = (arn: string) =>
      Object.assign(new Error(`Invalid principal, arn: ${arn}`), {
        name: 'InvalidInputException',
        $metadata: { httpStatusCode: 400 },
      });
    /** Settings whose writes Lake Formation refuses while they name a dead principal. */
    function serveSettingsNaming(dead: readonly string[]): void {
      serveSettings({
        ...ACCOUNT_SETTINGS,
        DataLakeAdmins: [admin(SOMEONE), admin(DELETED)],
        ReadOnlyAdmins: [admin('arn:aws:iam::111122223333:role/Auditor'), admin(LATECOMER)],
      });
      lf.on(PutDataLakeSettingsCommand).callsFake((input) => {
        const text = JSON.stringify(input.DataLakeSettings);
        const named = dead.find((arn) => text.includes(arn));
        if (named) throw invalidPrincipal(named);
        settings = structuredClone(input.DataLakeSettings);
        return {};
      });
    }

    test('fails the write with a message that names it and says what to do', async () => {
      serveSettingsNaming([DELETED]);
      await expect(onEvent(event('Create', type, { Principal: DEPLOYER }))).rejects.toThrow(
        `The Lake Formation settings name ${DELETED}, which no longer exists, and Lake Formation refuses every change to the settings until it is gone (Invalid principal). ` +
          'Remove it (Lake Formation console, Administrative roles and tasks; or aws lakeformation put-data-lake-settings), ' +
          'or set governance.deadPrincipals to "drop" to have the deployment remove it. Lake Formation names one such principal at a time: there may be more.',
      );
      expect(puts()).toBe(1);
      expect(settings.DataLakeAdmins).toEqual([admin(SOMEONE), admin(DELETED)]);
    });

    test('fails the delete too, so that a stack delete stops where it can be fixed', async () => {
      serveSettingsNaming([DELETED]);
      settings.DataLakeAdmins!.push(admin(DEPLOYER));
      await expect(
        onEvent(
          event('Delete', type, { Principal: DEPLOYER }, `data-lake-admin:added:${DEPLOYER}`),
        ),
      ).rejects.toThrow(`The Lake Formation settings name ${DELETED}, which no longer exists`);
    });

    test('with "drop", removes each one it names from every list and writes the rest', async () => {
      serveSettingsNaming([DELETED, LATECOMER]);
      const response = await onEvent(
        event('Create', type, { Principal: DEPLOYER, DeadPrincipals: 'drop' }),
      );
      expect(response.Data).toEqual({
        Outcome: 'added',
        DroppedDeadPrincipals: `${DELETED},${LATECOMER}`,
      });
      expect(settings).toEqual({
        ...ACCOUNT_SETTINGS,
        DataLakeAdmins: [admin(SOMEONE), admin(DEPLOYER)],
        ReadOnlyAdmins: [admin('arn:aws:iam::111122223333:role/Auditor')],
      });
    });

    test('never drops the principal the resource is about: that is a configuration error', async () => {
      serveSettingsNaming([DEPLOYER]);
      await expect(
        onEvent(event('Create', type, { Principal: DEPLOYER, DeadPrincipals: 'drop' })),
      ).rejects.toThrow(
        `Lake Formation says that ${DEPLOYER}, which this resource writes into the data lake settings, does not exist (Invalid principal).`,
      );
    });

    test('another refusal is passed on as it is', async () => {
      serveSettings(ACCOUNT_SETTINGS);
      lf.on(PutDataLakeSettingsCommand).rejects(awsError('InvalidInputException'));
      await expect(onEvent(event('Create', type, { Principal: DEPLOYER }))).rejects.toThrow(
        'InvalidInputException happened',
      );
    });

    test('a DeadPrincipals value other than fail or drop is refused', async () => {
      await expect(
        onEvent(event('Create', type, { Principal: DEPLOYER, DeadPrincipals: 'ignore' })),
      ).rejects.toThrow('The resource property DeadPrincipals must be "fail" or "drop"');
    });
  });

  test('a missing principal is refused with the property named', async () => {
    await expect(onEvent(event('Create', type))).rejects.toThrow(
      'The resource property Principal must be a non-empty string.',
    );
  });
});

describe('Custom::DataLakeDefaultPermissions', () => {
  const type = 'Custom::DataLakeDefaultPermissions';

  test('Create clears both IAM-only defaults and keeps everything else', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    const response = await onEvent(event('Create', type));
    expect(response.PhysicalResourceId).toBe(
      'data-lake-default-permissions:cleared=database,table',
    );
    expect(settings).toEqual({
      ...ACCOUNT_SETTINGS,
      CreateDatabaseDefaultPermissions: [],
      CreateTableDefaultPermissions: [],
    });
  });

  test('Create in an account already governed by Lake Formation writes nothing', async () => {
    serveSettings({ DataLakeAdmins: [admin(SOMEONE)] });
    const response = await onEvent(event('Create', type));
    expect(response.PhysicalResourceId).toBe('data-lake-default-permissions:cleared=none');
    expect(puts()).toBe(0);
  });

  test('a repeated Update keeps the first record and writes nothing', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    const created = await onEvent(event('Create', type));
    const updated = await onEvent(event('Update', type, {}, created.PhysicalResourceId));
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(puts()).toBe(1);
  });

  test('Delete restores exactly the defaults it cleared', async () => {
    serveSettings({ ...ACCOUNT_SETTINGS, CreateDatabaseDefaultPermissions: [] });
    const created = await onEvent(event('Create', type));
    expect(created.PhysicalResourceId).toBe('data-lake-default-permissions:cleared=table');
    const deleted = await onEvent(event('Delete', type, {}, created.PhysicalResourceId));
    expect(deleted.Data).toEqual({ Restored: 'table', DroppedDeadPrincipals: '' });
    expect(settings).toEqual({ ...ACCOUNT_SETTINGS, CreateDatabaseDefaultPermissions: [] });
  });

  test('Delete does not clobber a default that someone set since', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    const created = await onEvent(event('Create', type));
    settings.CreateTableDefaultPermissions = IAM_ONLY_DEFAULT;
    settings.DataLakeAdmins!.push(admin(LATECOMER));
    const deleted = await onEvent(event('Delete', type, {}, created.PhysicalResourceId));
    expect(deleted.Data).toEqual({ Restored: 'database', DroppedDeadPrincipals: '' });
    expect(settings).toEqual({
      ...ACCOUNT_SETTINGS,
      DataLakeAdmins: [admin(SOMEONE), admin(LATECOMER)],
    });
  });

  test('Delete of a record that cleared nothing writes nothing', async () => {
    serveSettings(ACCOUNT_SETTINGS);
    await onEvent(event('Delete', type, {}, 'data-lake-default-permissions:cleared=none'));
    expect(puts()).toBe(0);
  });

  test('a provider not deployed to change the defaults refuses to, before any call', async () => {
    const narrow = handlersFor({ ...SCOPE, defaultPermissions: false });
    serveSettings(ACCOUNT_SETTINGS);
    await expect(narrow.onEvent(event('Create', type))).rejects.toThrow(
      "This provider was not deployed to change the account's default permissions",
    );
    expect(lf.calls()).toHaveLength(0);
  });
});

describe('Custom::IamAllowedPrincipalsRevocation', () => {
  const type = 'Custom::IamAllowedPrincipalsRevocation';
  const table = { DatabaseName: 'ml_foundation', TableName: 'banking' };
  const iamAllowed = { DataLakePrincipalIdentifier: 'IAM_ALLOWED_PRINCIPALS' };
  const tableResource = { Table: { DatabaseName: 'ml_foundation', Name: 'banking' } };

  test('Create revokes what IAM_ALLOWED_PRINCIPALS holds, across pages, and records it', async () => {
    lf.on(ListPermissionsCommand)
      .resolvesOnce({
        PrincipalResourcePermissions: [{ Principal: iamAllowed, Permissions: ['ALL'] }],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        PrincipalResourcePermissions: [{ Principal: iamAllowed, Permissions: ['DESCRIBE'] }],
      });
    lf.on(RevokePermissionsCommand).resolves({});
    const response = await onEvent(event('Create', type, table));
    expect(lf.commandCalls(ListPermissionsCommand)[0].args[0].input).toEqual({
      Principal: iamAllowed,
      Resource: tableResource,
      NextToken: undefined,
    });
    expect(lf.commandCalls(ListPermissionsCommand)[1].args[0].input.NextToken).toBe('page-2');
    expect(lf.commandCalls(RevokePermissionsCommand)[0].args[0].input).toEqual({
      Principal: iamAllowed,
      Resource: tableResource,
      Permissions: ['ALL', 'DESCRIBE'],
    });
    expect(response.PhysicalResourceId).toBe(
      'iam-allowed-principals:ml_foundation.banking:revoked=ALL,DESCRIBE',
    );
  });

  test('Create on a database that IAM_ALLOWED_PRINCIPALS has no grant on revokes nothing', async () => {
    lf.on(ListPermissionsCommand).resolves({ PrincipalResourcePermissions: [] });
    const response = await onEvent(event('Create', type, { DatabaseName: 'ml_foundation' }));
    expect(lf.commandCalls(ListPermissionsCommand)[0].args[0].input.Resource).toEqual({
      Database: { Name: 'ml_foundation' },
    });
    expect(lf.commandCalls(RevokePermissionsCommand)).toHaveLength(0);
    expect(response.PhysicalResourceId).toBe('iam-allowed-principals:ml_foundation:revoked=none');
  });

  test('a repeated Update keeps the record of what the first revocation took', async () => {
    lf.on(ListPermissionsCommand).resolves({ PrincipalResourcePermissions: [] });
    const id = 'iam-allowed-principals:ml_foundation.banking:revoked=ALL';
    const response = await onEvent(event('Update', type, table, id));
    expect(response.PhysicalResourceId).toBe(id);
    expect(lf.commandCalls(RevokePermissionsCommand)).toHaveLength(0);
  });

  // The record of a Delete is its physical id, which whoever sends the event chooses: a grant
  // back to IAM_ALLOWED_PRINCIPALS would open the table to every IAM principal, so none is made.
  test('Delete gives nothing back: a forged record cannot open a table to IAM', async () => {
    const response = await onEvent(
      event('Delete', type, table, 'iam-allowed-principals:ml_foundation.banking:revoked=ALL'),
    );
    expect(response.Data).toEqual({ Restored: 'false' });
    expect(lf.commandCalls(GrantPermissionsCommand)).toHaveLength(0);
  });

  // The provider framework forwards any event it is sent (aws-cdk-lib provider-framework:
  // the user handler is invoked by the framework function, which anyone allowed to invoke it
  // can call), so the handler touches only the objects of its scope.
  test('Create for an object outside the scope is refused before any call', async () => {
    await expect(
      onEvent(event('Create', type, { DatabaseName: 'ml_foundation', TableName: 'payroll' })),
    ).rejects.toThrow(
      'Table ml_foundation.payroll is not one that this provider was deployed to hand to Lake Formation.',
    );
    await expect(onEvent(event('Create', type, { DatabaseName: 'other_db' }))).rejects.toThrow(
      'Database other_db is not one',
    );
    expect(lf.calls()).toHaveLength(0);
  });

  test('Delete of a record that revoked nothing calls nothing', async () => {
    await onEvent(
      event('Delete', type, table, 'iam-allowed-principals:ml_foundation.banking:revoked=none'),
    );
    expect(lf.calls()).toHaveLength(0);
  });

  test('a revocation refused for concurrency is retried', async () => {
    lf.on(ListPermissionsCommand).resolves({
      PrincipalResourcePermissions: [{ Principal: iamAllowed, Permissions: ['ALL'] }],
    });
    lf.on(RevokePermissionsCommand)
      .rejectsOnce(awsError('ConcurrentModificationException'))
      .resolves({});
    await onEvent(event('Create', type, table));
    expect(lf.commandCalls(RevokePermissionsCommand)).toHaveLength(2);
  });

  test('a name that is not a Glue name is refused', async () => {
    await expect(
      onEvent(event('Create', type, { DatabaseName: 'ml_foundation', TableName: 'Bank.ing' })),
    ).rejects.toThrow('must be Glue names');
  });
});

describe('Custom::LakeFormationGrantLedger', () => {
  const type = 'Custom::LakeFormationGrantLedger';
  const GRANTS = {
    'Analyst|TABLE:role=analyst': 'DESCRIBE,SELECT',
    'Analyst|DATABASE:ml_foundation': 'DESCRIBE',
  };

  // AWS::LakeFormation::PrincipalPermissions: the primary identifier is the principal and
  // resource, every property forces replacement, a second resource for the same pair fails
  // AlreadyExists, and deleting one "revokes all permissions (even manually granted ones) that
  // the principal has on the resource" (CloudFormation reference, Remarks;
  // cloudformation-coverage-roadmap#2500). A permission change on an existing pair is refused.
  test('an update that changes the permissions of an existing grant fails, naming it and the two steps', async () => {
    const created = await onEvent(event('Create', type, { Grants: GRANTS }));
    const changed = { ...GRANTS, 'Analyst|TABLE:role=analyst': 'SELECT' };
    await expect(
      onEvent(
        event('Update', type, { Grants: changed }, created.PhysicalResourceId, { Grants: GRANTS }),
      ),
    ).rejects.toThrow(
      'This update changes the permissions of existing Lake Formation grants (Analyst|TABLE:role=analyst from DESCRIBE,SELECT to SELECT). ' +
        'CloudFormation would replace each with a grant of the same identity, and deleting the old one revokes everything on it. ' +
        'Deploy in two steps: remove those grants from the configuration and deploy, then add them with their new permissions and deploy again.',
    );
  });

  test('adding and removing whole grants passes, under a new record', async () => {
    const created = await onEvent(event('Create', type, { Grants: GRANTS }));
    const next = {
      'Analyst|DATABASE:ml_foundation': 'DESCRIBE',
      'Analyst|TABLE:role=analyst,leader': 'SELECT',
    };
    const updated = await onEvent(
      event('Update', type, { Grants: next }, created.PhysicalResourceId, { Grants: GRANTS }),
    );
    expect(updated.PhysicalResourceId).toMatch(/^lake-formation-grants:[0-9a-f]{64}$/);
    expect(updated.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
  });

  test('a rollback, which sends the accepted grants again, passes whatever the old properties say', async () => {
    const created = await onEvent(event('Create', type, { Grants: GRANTS }));
    const failed = { ...GRANTS, 'Analyst|TABLE:role=analyst': 'SELECT' };
    const rollback = await onEvent(
      event('Update', type, { Grants: GRANTS }, created.PhysicalResourceId, { Grants: failed }),
    );
    expect(rollback.PhysicalResourceId).toBe(created.PhysicalResourceId);
  });

  test('calls nothing, and its delete passes', async () => {
    await onEvent(event('Create', type, { Grants: GRANTS }));
    await expect(onEvent(event('Delete', type, { Grants: GRANTS }, 'any'))).resolves.toEqual({
      PhysicalResourceId: 'any',
    });
    expect(lf.calls()).toHaveLength(0);
  });
});

describe('onEvent', () => {
  test('refuses a resource type it does not serve, but lets its delete through', async () => {
    await expect(onEvent(event('Create', 'Custom::Other'))).rejects.toThrow(
      'Unsupported resource type Custom::Other.',
    );
    await expect(onEvent(event('Delete', 'Custom::Other', {}, 'id'))).resolves.toEqual({
      PhysicalResourceId: 'id',
    });
  });
});
