/**
 * A second source table beside `banking`: a composite primary key, in another MySQL database,
 * with a column of every SQL type family.
 */
export const LENDING_DATASET = {
  name: 'loans',
  mysqlDatabase: 'lending',
  primaryKey: ['loan_id', 'version'],
  columns: [
    { name: 'loan_id', type: 'bigint' },
    { name: 'version', type: 'smallint' },
    { name: 'approved', type: 'bool' },
    { name: 'amount', type: 'numeric(12,2)' },
    { name: 'currency', type: 'char(3)' },
    { name: 'rate', type: 'double' },
    { name: 'signed_on', type: 'date' },
    { name: 'updated_at', type: 'datetime' },
    { name: 'notes', type: 'text' },
  ],
};
