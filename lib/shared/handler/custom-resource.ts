import type {
  CdkCustomResourceEvent,
  CdkCustomResourceIsCompleteEvent,
  CdkCustomResourceIsCompleteResponse,
  CdkCustomResourceResponse,
} from 'aws-lambda';

/**
 * The events and responses of a custom resource handler behind the CDK provider framework, by
 * the resource's properties `P` and attributes `D`: the types of `@types/aws-lambda`, with the
 * properties as CloudFormation sends them (with the service token, in the old properties of an
 * update too). Handlers import them as `import type * as cfn from '.../custom-resource'`.
 */

type Sent<P> = P & { ServiceToken: string };

/** The event that onEvent receives. */
export type OnEvent<P> = CdkCustomResourceEvent<Sent<P>>;

/** What onEvent returns: the physical id and the attributes. */
export type OnEventResponse<D extends object = Record<string, string>> =
  CdkCustomResourceResponse<D>;

/** The event that isComplete receives: the onEvent event and what onEvent returned. */
export type IsCompleteEvent<
  P,
  D extends object = Record<string, string>,
> = CdkCustomResourceIsCompleteEvent<Sent<P>, D>;

/** What isComplete returns: whether the change is done, and then the attributes. */
export type IsCompleteResponse<D extends object = Record<string, string>> =
  CdkCustomResourceIsCompleteResponse<D>;
