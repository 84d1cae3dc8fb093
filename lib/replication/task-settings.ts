/**
 * Settings of the replication task (or serverless replication). The target table preparation is
 * `DO_NOTHING`: a restart or reload never deletes the history already written to S3.
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
    Logging: {
      EnableLogging: true,
    },
  };
}
