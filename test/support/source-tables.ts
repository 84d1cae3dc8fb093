import { BANKING_DATASET, datasetSchema } from '../../lib/config/dataset';
import type * as cfn from '../../lib/shared/handler/custom-resource';
import type { SourceTablesProperties } from '../../lib/sources/handler/source-tables-properties';
import { tableDefinitions } from '../../lib/sources/source-tables';
import { LENDING_DATASET } from './datasets';

/** The admin secret the table setup handlers sign in with in the tests. */
export const ADMIN_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-AbCdEf';
/** The reader's secret that the table setup handlers write in the tests. */
export const READER_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:reader-AbCdEf';
/** The banking dataset, parsed. */
export const BANKING = datasetSchema.parse(BANKING_DATASET);
/** The lending dataset (test/support/datasets.ts), parsed. */
export const LENDING = datasetSchema.parse(LENDING_DATASET);

/** The properties both table setup resources share in the tests: banking and lending created and loaded, banking readable by the reader. */
export function commonSourceTablesProperties(): SourceTablesProperties {
  return {
    AdminSecretArn: ADMIN_SECRET,
    Datasets: tableDefinitions([BANKING, LENDING]),
    CreateTables: 'true',
    LoadSample: 'true',
    Reader: { SecretArn: READER_SECRET, Tables: ['banking'] },
  };
}

/** What a test may set on a table setup request besides its type. */
export type SourceTablesEventFields<P> = Partial<{
  PhysicalResourceId: string;
  ResourceProperties: P;
  OldResourceProperties: P;
}>;

/** A request to the table setup resource `resource` of the sources stack, as the provider framework hands it to onEvent. */
export function sourceTablesEvent<P>(
  resource: { readonly LogicalResourceId: string; readonly ResourceType: string },
  requestType: cfn.OnEvent<P>['RequestType'],
  properties: P,
  extra: SourceTablesEventFields<P> = {},
): cfn.OnEvent<P> {
  return {
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/ml-foundation-sources/1',
    RequestId: 'request-1',
    ...resource,
    RequestType: requestType,
    ResourceProperties: properties,
    ...extra,
  } as cfn.OnEvent<P>;
}
