import type * as cfn from '../../shared/handler/custom-resource';

/**
 * The Lake Formation custom resources change account-wide state. Each one records in its
 * physical id exactly what it changed, because a Delete event carries the physical id and the
 * properties but not the data of earlier responses; Delete undoes that record and nothing else.
 * An Update keeps the physical id whenever the record still holds, since a new id makes
 * CloudFormation delete the old one, which would undo what is still wanted.
 */

/** A physical id this resource type wrote, and the record it holds. */
export interface Recorded<R> {
  readonly physicalId: string;
  readonly record: R;
}

/** How one resource type makes, records and undoes its change. */
export interface RecordedChange<P, R, D extends object> {
  /** The record in `physicalId`; `undefined` for an id this type did not write. */
  read(physicalId: string): R | undefined;
  /** Makes the change on create and update; `previous` is the resource's record on update. */
  apply(properties: P, previous: Recorded<R> | undefined): Promise<cfn.OnEventResponse<D>>;
  /**
   * Undoes what `record` says was changed; without a record there is nothing to undo.
   * `properties` are those of the deleted resource, for how to undo (never for what).
   */
  undo(record: R | undefined, properties: P | undefined): Promise<D>;
}

/** The onEvent handler of a resource type that records its change in its physical id. */
export function recordedChangeHandlers<P, R, D extends object>(change: RecordedChange<P, R, D>) {
  return {
    async onEvent(event: cfn.OnEvent<P>): Promise<cfn.OnEventResponse<D>> {
      if (event.RequestType === 'Delete') {
        const data = await change.undo(
          change.read(event.PhysicalResourceId),
          event.ResourceProperties,
        );
        return { PhysicalResourceId: event.PhysicalResourceId, Data: data };
      }
      const physicalId = event.RequestType === 'Update' ? event.PhysicalResourceId : undefined;
      const record = physicalId === undefined ? undefined : change.read(physicalId);
      const previous =
        physicalId !== undefined && record !== undefined ? { physicalId, record } : undefined;
      return change.apply(event.ResourceProperties, previous);
    },
  };
}
