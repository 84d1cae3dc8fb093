/**
 * Settings of the replication task (or serverless replication). Nothing DMS does on its own may
 * delete history already written to S3:
 * - the target table preparation is `DO_NOTHING`: a start never deletes the table's files;
 * - a `TRUNCATE` or `DROP TABLE` on the source is not passed on to the target. On an S3 target
 *   "truncating the target table" means deleting every file of the table. DMS writes no row
 *   deletes for the truncate either, so the history keeps the truncated rows alive until a
 *   truncation mark says otherwise (see `lib/catalog/as-of-query.ts`).
 * - an `ALTER TABLE` is passed on: on S3 it changes only the columns of the files written from
 *   then on and deletes nothing, and turned off, the target's columns would stop following the
 *   source's.
 *
 * A task whose table mapping finds no table fails at its start, instead of running and
 * capturing nothing. A truncate does not fail the task (`ApplyErrorFailOnTruncationDdl`):
 * stopped on a truncate, the capture would stop for every table until someone resumes it, and
 * whether a resumed task meets the same truncate again is not documented.
 */
export function replicationTaskSettings(): Record<string, unknown> {
  return {
    TargetMetadata: {
      SupportLobs: true,
      FullLobMode: false,
      LimitedSizeLobMode: true,
      LobMaxSize: 64,
    },
    FullLoadSettings: {
      TargetTablePrepMode: 'DO_NOTHING',
    },
    ChangeProcessingDdlHandlingPolicy: {
      HandleSourceTableDropped: false,
      HandleSourceTableTruncated: false,
      HandleSourceTableAltered: true,
    },
    ErrorBehavior: {
      FailOnNoTablesCaptured: true,
      ApplyErrorFailOnTruncationDdl: false,
    },
    Logging: {
      EnableLogging: true,
    },
  };
}
