import { dmsBucketFolder, tableKeyPrefix } from '../../lib/replication/data-lake-layout';

describe('data lake layout', () => {
  test('DMS gets the folder without its trailing slash', () => {
    expect(dmsBucketFolder('cdc/')).toBe('cdc');
    expect(dmsBucketFolder('history/mysql/')).toBe('history/mysql');
  });

  test('each table has one folder: <bucketFolder>/<mysqlDatabase>/<table>/', () => {
    expect(tableKeyPrefix('cdc/', { mysqlDatabase: 'banking', name: 'banking' })).toBe(
      'cdc/banking/banking/',
    );
    expect(tableKeyPrefix('history/mysql/', { mysqlDatabase: 'core', name: 'accounts' })).toBe(
      'history/mysql/core/accounts/',
    );
  });
});
