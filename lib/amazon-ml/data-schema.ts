import type { MlAttributeType } from '../config/dataset';

/** The attribute types of an Amazon ML data schema. */
export const ATTRIBUTE_TYPES: readonly MlAttributeType[] = [
  'NUMERIC',
  'CATEGORICAL',
  'TEXT',
  'BINARY',
];

/** One attribute (column) of the data. */
export interface SchemaAttribute {
  /** The column name, as it appears in the header of the exported CSV. */
  readonly name: string;
  /** How Amazon ML reads the values. */
  readonly type: MlAttributeType;
}

/** Properties of a {@link DataSchema}. */
export interface DataSchemaProps {
  /** Every column of the data, in the order the query returns them. */
  readonly attributes: readonly SchemaAttribute[];
  /**
   * The attribute that a model learns to predict.
   * @default - none: the datasource is for batch predictions
   */
  readonly targetAttribute?: string;
  /**
   * An attribute that identifies a row; Amazon ML passes it through to predictions.
   * @default - none
   */
  readonly rowIdAttribute?: string;
  /**
   * A numeric attribute that weighs each row during training.
   * @default - every row weighs the same
   */
  readonly rowWeightAttribute?: string;
  /**
   * Attributes that the data contains but a model must not use.
   * @default - none
   */
  readonly excludedAttributes?: readonly string[];
  /**
   * Whether the first line of the data names the columns. An export of a query has no such
   * line unless the exporter writes one; Amazon ML's documentation does not say whether its
   * Redshift UNLOAD or RDS pipeline does.
   * @default false
   */
  readonly dataFileContainsHeader?: boolean;
}

/** The schema document, with the field names of the Amazon ML developer guide. */
export interface DataSchemaDocument {
  readonly version: '1.0';
  readonly rowId: string | null;
  readonly rowWeight: string | null;
  readonly targetAttributeName: string | null;
  readonly dataFormat: 'CSV';
  readonly dataFileContainsHeader: boolean;
  readonly attributes: ReadonlyArray<{ attributeName: string; attributeType: MlAttributeType }>;
  readonly excludedAttributeNames: readonly string[];
}

/**
 * An Amazon ML data schema: the attributes of the data and their roles. `problems()` lists
 * what Amazon ML would reject, so that a construct can fail the synth instead of the deploy.
 */
export class DataSchema {
  constructor(readonly props: DataSchemaProps) {}

  /** Every problem with the schema, one sentence each; empty when it is valid. */
  problems(): string[] {
    const { attributes, targetAttribute, rowIdAttribute, rowWeightAttribute } = this.props;
    const problems: string[] = [];
    if (attributes.length === 0) problems.push('the data schema has no attributes');

    const types = new Map<string, MlAttributeType>();
    for (const attribute of attributes) {
      if (!attribute.name.trim()) problems.push('an attribute has an empty name');
      if (types.has(attribute.name)) {
        problems.push(`attribute "${attribute.name}" is declared twice`);
      }
      if (!ATTRIBUTE_TYPES.includes(attribute.type)) {
        problems.push(
          `attribute "${attribute.name}" has type "${attribute.type}"; Amazon ML types are ${ATTRIBUTE_TYPES.join(', ')}`,
        );
      }
      types.set(attribute.name, attribute.type);
    }
    const names = [...types.keys()].join(', ');
    const mustBeAttribute = (role: string, name: string | undefined) => {
      if (name !== undefined && !types.has(name)) {
        problems.push(`the ${role} "${name}" is not one of the attributes (${names})`);
      }
    };
    mustBeAttribute('target attribute', targetAttribute);
    mustBeAttribute('row id attribute', rowIdAttribute);
    mustBeAttribute('row weight attribute', rowWeightAttribute);
    for (const excluded of this.props.excludedAttributes ?? []) {
      mustBeAttribute('excluded attribute', excluded);
      if (excluded === targetAttribute) {
        problems.push(`the target attribute "${excluded}" cannot be excluded`);
      }
    }
    if (targetAttribute !== undefined && targetAttribute === rowIdAttribute) {
      problems.push(`"${targetAttribute}" cannot be both the target and the row id`);
    }
    if (rowWeightAttribute !== undefined && types.has(rowWeightAttribute)) {
      if (types.get(rowWeightAttribute) !== 'NUMERIC') {
        problems.push(`the row weight attribute "${rowWeightAttribute}" must be NUMERIC`);
      }
    }
    return problems;
  }

  /** The schema document. */
  toDocument(): DataSchemaDocument {
    return {
      version: '1.0',
      rowId: this.props.rowIdAttribute ?? null,
      rowWeight: this.props.rowWeightAttribute ?? null,
      targetAttributeName: this.props.targetAttribute ?? null,
      dataFormat: 'CSV',
      dataFileContainsHeader: this.props.dataFileContainsHeader ?? false,
      attributes: this.props.attributes.map((attribute) => ({
        attributeName: attribute.name,
        attributeType: attribute.type,
      })),
      excludedAttributeNames: [...(this.props.excludedAttributes ?? [])],
    };
  }

  /** The schema as the JSON string that `DataSchema` of the Amazon ML API takes. */
  toJson(): string {
    return JSON.stringify(this.toDocument());
  }
}

/** A column of a source table, as the dataset configuration declares it. */
export interface SourceColumn {
  /** The column name. */
  readonly name: string;
  /** The SQL type, lower case without spaces: `int`, `decimal(10,2)`, `varchar(64)`. */
  readonly type: string;
  /**
   * The Amazon ML type, when the one derived from the SQL type is not wanted.
   * @default - derived from `type`
   */
  readonly mlType?: MlAttributeType;
}

const NUMERIC_SQL =
  /^(tinyint|smallint|int|integer|bigint|float|real|double|(decimal|numeric)(\(\d+,\d+\))?)$/;
const BINARY_SQL = /^(boolean|bool)$/;
const CATEGORICAL_SQL = /^char(\(\d+\))?$/;
const TEXT_SQL = /^(varchar(\(\d+\))?|text|date|datetime|timestamp)$/;

/**
 * The Amazon ML type of a MySQL or Redshift column type: numbers are NUMERIC, booleans
 * BINARY, fixed-length strings (codes) CATEGORICAL, and other strings, dates and times TEXT.
 */
export function attributeTypeOf(sqlType: string): MlAttributeType {
  const type = sqlType.replace(/\s+/g, '').toLowerCase();
  if (NUMERIC_SQL.test(type)) return 'NUMERIC';
  if (BINARY_SQL.test(type)) return 'BINARY';
  if (CATEGORICAL_SQL.test(type)) return 'CATEGORICAL';
  if (TEXT_SQL.test(type)) return 'TEXT';
  throw new Error(`no Amazon ML type for the SQL type "${sqlType}"; set mlType on the column`);
}

/** The schema attributes of source columns: each column's `mlType`, or the one its type implies. */
export function attributesFromColumns(columns: readonly SourceColumn[]): SchemaAttribute[] {
  return columns.map((column) => ({
    name: column.name,
    type: column.mlType ?? attributeTypeOf(column.type),
  }));
}
