import {
  dmsBucketFolder,
  GENERATION_COLUMN,
  generationBucketFolder,
  generationPartitionProjection,
  tableKeyPrefix,
  tableLocationTemplate,
  truncationsKeyPrefix,
} from '../../lib/replication/data-lake-layout';

const banking = { mysqlDatabase: 'banking', name: 'banking' };

describe('data lake layout', () => {
  test('DMS gets the folder without its trailing slash', () => {
    expect(dmsBucketFolder('cdc/')).toBe('cdc');
    expect(dmsBucketFolder('history/mysql/')).toBe('history/mysql');
  });

  test('DMS writes a table under <BucketFolder>/<mysqlDatabase>/<table>/', () => {
    // DMS S3 target, BucketFolder: "target objects are created as .csv or .parquet files in the
    // path BucketFolder/schema_name/table_name/"
    // (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html#CHAP_Target.S3.Configuring).
    expect(tableKeyPrefix('cdc/', banking)).toBe('cdc/banking/banking/');
    expect(tableKeyPrefix('history/mysql/', { mysqlDatabase: 'core', name: 'accounts' })).toBe(
      'history/mysql/core/accounts/',
    );
  });

  test('each generation writes its own folder, so no task writes a key another task wrote', () => {
    // DMS S3 target: "Multiple tasks that replicate data from the same source table to the same
    // target S3 endpoint bucket result in those tasks writing to the same file. We recommend that
    // you specify different target endpoints" — and every full load names its files from
    // LOAD00000001 (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html).
    expect(generationBucketFolder('cdc/', 1)).toBe('cdc/generation=1');
    expect(generationBucketFolder('cdc', 12)).toBe('cdc/generation=12');
    const prefixes = [1, 2, 10].map((generation) =>
      tableKeyPrefix(generationBucketFolder('cdc/', generation), banking),
    );
    expect(prefixes).toEqual([
      'cdc/generation=1/banking/banking/',
      'cdc/generation=2/banking/banking/',
      'cdc/generation=10/banking/banking/',
    ]);
    for (const prefix of prefixes) {
      expect(prefixes.filter((other) => other !== prefix && other.startsWith(prefix))).toEqual([]);
    }
  });

  test.each([0, -1, 1.5, Number.NaN])(
    'a generation is a whole number from 1, not %s',
    (generation) => {
      expect(() => generationBucketFolder('cdc/', generation)).toThrow(
        `a replication generation is a whole number from 1, not ${generation}`,
      );
    },
  );

  test('the Glue table reads every generation through partition projection on generation', () => {
    // Athena partition projection: the integer type ("projection.columnName.range: A two-element
    // comma-separated list that provides the minimum and maximum range values"), and a custom
    // "storage.location.template" that "must contain a placeholder for each partition column"
    // and end with a slash; "If a projected partition does not exist in Amazon S3 ... no data is
    // returned".
    // https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
    // https://docs.aws.amazon.com/athena/latest/ug/partition-projection-setting-up.html
    const template = tableLocationTemplate('lake-bucket', 'cdc/', banking);
    expect(template).toBe('s3://lake-bucket/cdc/generation=${generation}/banking/banking/');
    expect(template.replace('${generation}', '2')).toBe(
      `s3://lake-bucket/${tableKeyPrefix(generationBucketFolder('cdc/', 2), banking)}`,
    );
    expect(generationPartitionProjection(template, 3)).toEqual({
      'projection.enabled': 'true',
      'projection.generation.type': 'integer',
      'projection.generation.range': '1,3',
      'storage.location.template': template,
    });
    expect(GENERATION_COLUMN).toBe('generation');
    expect(() => generationPartitionProjection(template, 0)).toThrow(
      'a replication generation is a whole number from 1, not 0',
    );
  });

  test('truncation marks live next to the generation folders, in none of them', () => {
    const marks = truncationsKeyPrefix('cdc/');
    expect(marks).toBe('cdc/truncations/');
    expect(marks.startsWith(`${generationBucketFolder('cdc/', 1)}/`)).toBe(false);
  });
});
