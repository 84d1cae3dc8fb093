import { replicationTaskSettings } from '../../lib/replication/task-settings';

describe('replicationTaskSettings', () => {
  const settings = replicationTaskSettings();

  test('a truncate or drop on the source deletes nothing in S3', () => {
    // DMS S3 target: "A truncate DDL operation removes all files and corresponding table folders
    // from an S3 bucket. You can use task settings to disable that behavior"
    // (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html#CHAP_Target.S3.Limitations).
    // DDL handling: "HandleSourceTableDropped – Set this option to true to drop the target table
    // when the source table is dropped", "HandleSourceTableTruncated – ... to truncate the target
    // table when the source table is truncated"; the documented defaults are true
    // (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.DDLHandling.html).
    expect(settings.ChangeProcessingDdlHandlingPolicy).toMatchObject({
      HandleSourceTableDropped: false,
      HandleSourceTableTruncated: false,
    });
  });

  test('an ALTER TABLE is passed on: the files written after it carry the new columns', () => {
    // "HandleSourceTableAltered – Set this option to true to alter the target table when the
    // source table is altered" (same page). On S3, an altered target is the column set of the
    // files written from then on; the guide names no deletion for it, and the S3 target lists
    // Add Column, Drop Column, Rename Column and Change Column Data Type among the DDL it
    // supports for CDC. Turned off, what DMS writes for a changed source is not documented.
    expect(settings.ChangeProcessingDdlHandlingPolicy).toMatchObject({
      HandleSourceTableAltered: true,
    });
  });

  test('a task whose table mapping finds no table fails instead of capturing nothing', () => {
    // Error handling: "FailOnNoTablesCaptured – Set this option to true to cause a task to fail
    // when the table mappings defined for a task find no tables when the task starts. The default
    // is false."
    // https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.ErrorHandling.html
    expect(settings.ErrorBehavior).toMatchObject({ FailOnNoTablesCaptured: true });
  });

  test('a truncate does not stop the capture of every table', () => {
    // "ApplyErrorFailOnTruncationDdl – Set this option to true to cause the task to fail when a
    // truncation is performed on any of the tracked tables during CDC. The default is false."
    // (same page). Whether it still fires with HandleSourceTableTruncated off, and whether a
    // resumed task meets the same truncate again, is not documented; a truncate is recorded
    // with a truncation mark instead (lib/catalog/as-of-query.ts).
    expect(settings.ErrorBehavior).toMatchObject({ ApplyErrorFailOnTruncationDdl: false });
  });

  test('a start never deletes what an earlier start wrote', () => {
    // Full-load settings: with DO_NOTHING "Data and metadata of the existing target table aren't
    // affected."
    // https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.FullLoad.html
    expect(settings.FullLoadSettings).toEqual({ TargetTablePrepMode: 'DO_NOTHING' });
  });
});
