import type { ColumnDef, CreateSource, PropertyValue } from './ast.ts';
import { parseDurationText } from './duration.ts';
import type { SourcePosition } from './errors.ts';
import { KsqlStatementError, KsqlUnsupportedError } from './errors.ts';
import {
  Format,
  parseFormat,
  type SerdeColumn,
  validateKeyFormat,
  validateValueFormat,
  type WindowKind,
} from './serde.ts';
import { containsMap, findUnsupported, formatType } from './types.ts';

/** A stream or table known to the engine, with its topic and serialisation. */
export interface DataSource {
  readonly name: string;
  readonly type: 'STREAM' | 'TABLE';
  readonly topic: string;
  readonly keyFormat: Format;
  readonly valueFormat: Format;
  readonly keyColumns: readonly SerdeColumn[];
  readonly valueColumns: readonly SerdeColumn[];
  /** Column whose value is the record's event time (WITH TIMESTAMP). */
  readonly timestampColumn: string | undefined;
  /** Windowed key: kind and (time windows) size in ms. */
  readonly window: { readonly kind: WindowKind; readonly size: number | undefined } | undefined;
  readonly partitions: number | undefined;
}

/** Names that cannot be used for columns (ksqlDB pseudo and window columns). */
export const RESERVED_COLUMNS: ReadonlySet<string> = new Set([
  'ROWTIME',
  'WINDOWSTART',
  'WINDOWEND',
  'ROWPARTITION',
  'ROWOFFSET',
]);

const SOURCE_PROPERTIES = new Set([
  'KAFKA_TOPIC',
  'VALUE_FORMAT',
  'KEY_FORMAT',
  'FORMAT',
  'TIMESTAMP',
  'TIMESTAMP_FORMAT',
  'PARTITIONS',
  'REPLICAS',
  'WINDOW_TYPE',
  'WINDOW_SIZE',
  'VALUE_DELIMITER',
  'KEY_DELIMITER',
  'WRAP_SINGLE_VALUE',
  'VALUE_SCHEMA_ID',
  'KEY_SCHEMA_ID',
  'VALUE_SCHEMA_FULL_NAME',
  'KEY_SCHEMA_FULL_NAME',
  'RETENTION_MS',
  'CLEANUP_POLICY',
  'VALUE_AVRO_SCHEMA_FULL_NAME',
  'KEY_PROTOBUF_NULLABLE_REPRESENTATION',
  'VALUE_PROTOBUF_NULLABLE_REPRESENTATION',
]);

const UNSUPPORTED_PROPERTIES = new Set([
  'TIMESTAMP_FORMAT',
  'VALUE_DELIMITER',
  'KEY_DELIMITER',
  'WRAP_SINGLE_VALUE',
  'VALUE_SCHEMA_ID',
  'KEY_SCHEMA_ID',
  'VALUE_SCHEMA_FULL_NAME',
  'KEY_SCHEMA_FULL_NAME',
  'VALUE_AVRO_SCHEMA_FULL_NAME',
  'KEY_PROTOBUF_NULLABLE_REPRESENTATION',
  'VALUE_PROTOBUF_NULLABLE_REPRESENTATION',
]);

/** ksqlDB's location prefix of errors found while building the AST. */
function at(pos: SourcePosition): string {
  return `Line: ${pos.line}, Col: ${pos.column}: `;
}

/** Rejects unknown WITH properties and those the engine does not implement. */
export function checkProperties(
  props: ReadonlyMap<string, PropertyValue>,
  allowed: ReadonlySet<string> = SOURCE_PROPERTIES,
): void {
  const unknown = [...props.keys()].filter((k) => !allowed.has(k));
  if (unknown.length > 0)
    throw new KsqlStatementError(`Invalid config variable(s) in the WITH clause: ${unknown.join(',')}`);
  for (const k of props.keys())
    if (UNSUPPORTED_PROPERTIES.has(k)) throw new KsqlUnsupportedError(`WITH property ${k}`);
}

/** Reads a string WITH property. */
export function stringProperty(props: ReadonlyMap<string, PropertyValue>, name: string): string | undefined {
  const v = props.get(name);
  return v === undefined ? undefined : String(v);
}

/** Key and value formats from KEY_FORMAT / VALUE_FORMAT / FORMAT, with ksqlDB's checks. */
export function resolveFormats(
  props: ReadonlyMap<string, PropertyValue>,
  defaults: { key: Format | undefined; value: Format | undefined },
): { key: Format; value: Format } {
  const format = stringProperty(props, 'FORMAT');
  const keyFormat = stringProperty(props, 'KEY_FORMAT');
  const valueFormat = stringProperty(props, 'VALUE_FORMAT');
  if (format !== undefined && keyFormat !== undefined) {
    throw new KsqlStatementError(
      "Cannot supply both 'KEY_FORMAT' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.",
    );
  }
  if (format !== undefined && valueFormat !== undefined) {
    throw new KsqlStatementError(
      "Cannot supply both 'VALUE_FORMAT' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.",
    );
  }
  const key = format ?? keyFormat;
  const value = format ?? valueFormat;
  const resolvedValue = value === undefined ? defaults.value : parseFormat(value);
  if (resolvedValue === undefined) {
    throw new KsqlStatementError(
      "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one or set a default via the 'ksql.persistence.default.format.value' config.",
    );
  }
  const resolvedKey = key === undefined ? (defaults.key ?? Format.KAFKA) : parseFormat(key);
  if (resolvedKey === Format.NONE && key === undefined) return { key: Format.KAFKA, value: resolvedValue };
  return { key: resolvedKey, value: resolvedValue };
}

/** ksqlDB's checks of each declared column: reserved and duplicate names, key kinds, map keys. */
function checkColumns(sourceType: CreateSource['sourceType'], columns: readonly ColumnDef[]): void {
  const names = new Set<string>();
  for (const c of columns) {
    if (RESERVED_COLUMNS.has(c.name)) {
      throw new KsqlStatementError(
        `'${c.name}' is a reserved column name. You cannot use it as a name for a column.`,
      );
    }
    if (names.has(c.name)) throw new KsqlStatementError(`Duplicate column names:\`${c.name}\``);
    names.add(c.name);
    if (c.headers) throw new KsqlUnsupportedError('HEADERS columns');
    if (sourceType === 'STREAM' && c.primaryKey) {
      throw new KsqlStatementError(
        `${at(c.pos)}Column \`${c.name}\` is a 'PRIMARY KEY' column: please use 'KEY' for streams.`,
      );
    }
    if (sourceType === 'TABLE' && c.key && !c.primaryKey) {
      throw new KsqlStatementError(
        `${at(c.pos)}Column \`${c.name}\` is a 'KEY' column: please use 'PRIMARY KEY' for tables.`,
      );
    }
    if (c.key && containsMap(c.type)) {
      throw new KsqlStatementError(
        `Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. Key column name: \`${c.name}\`. Column type: ${formatType(c.type)}. See https://github.com/confluentinc/ksql/issues/6621 for more.`,
      );
    }
  }
}

/** The windowed key of WINDOW_TYPE and WINDOW_SIZE, or undefined for a plain key. */
function sourceWindow(props: ReadonlyMap<string, PropertyValue>): DataSource['window'] {
  const windowType = stringProperty(props, 'WINDOW_TYPE')?.toUpperCase();
  const windowSizeText = stringProperty(props, 'WINDOW_SIZE');
  if (windowType === undefined) {
    if (windowSizeText !== undefined)
      throw new KsqlStatementError("'WINDOW_SIZE' should not be set without 'WINDOW_TYPE'.");
    return undefined;
  }
  if (windowType !== 'TUMBLING' && windowType !== 'HOPPING' && windowType !== 'SESSION') {
    throw new KsqlStatementError(`Invalid WINDOW_TYPE: ${windowType}`);
  }
  if (windowType === 'SESSION') {
    if (windowSizeText !== undefined)
      throw new KsqlStatementError("'WINDOW_SIZE' should not be set for SESSION windows.");
    return { kind: windowType, size: undefined };
  }
  if (windowSizeText === undefined) {
    throw new KsqlStatementError(`'WINDOW_SIZE' must be set for ${windowType} windows.`);
  }
  const parsed = parseDurationText(windowSizeText);
  if ('error' in parsed)
    throw new KsqlStatementError(`Configuration WINDOW_SIZE is invalid: ${parsed.error}`);
  return { kind: windowType, size: parsed.ms };
}

/** The TIMESTAMP column, checked to exist and to be a BIGINT. */
function timestampColumn(
  props: ReadonlyMap<string, PropertyValue>,
  columns: readonly ColumnDef[],
): string | undefined {
  const timestamp = stringProperty(props, 'TIMESTAMP')?.toUpperCase();
  if (timestamp === undefined) return undefined;
  const col = columns.find((c) => c.name === timestamp);
  if (col === undefined)
    throw new KsqlStatementError(
      `The TIMESTAMP column set in the WITH clause does not exist in the schema: '${timestamp}'`,
    );
  if (col.type.kind !== 'BIGINT') {
    if (col.type.kind === 'STRING')
      throw new KsqlUnsupportedError('STRING TIMESTAMP column (TIMESTAMP_FORMAT)');
    throw new KsqlStatementError(
      `Timestamp column, \`${col.name}\`, should be LONG(INT64), TIMESTAMP, or a String with a timestamp_format specified.`,
    );
  }
  return timestamp;
}

/** Plans CREATE STREAM / CREATE TABLE over an existing topic. */
export function planCreateSource(stmt: CreateSource, defaultValueFormat: Format | undefined): DataSource {
  checkProperties(stmt.properties);
  const topic = stringProperty(stmt.properties, 'KAFKA_TOPIC');
  if (topic === undefined) {
    throw new KsqlStatementError('Missing required property "KAFKA_TOPIC" which has no default value.');
  }
  const columns = stmt.columns ?? [];
  const formats = resolveFormats(stmt.properties, { key: undefined, value: defaultValueFormat });
  if (stmt.columns === undefined) {
    throw new KsqlUnsupportedError('CREATE without a column list (schema inference)');
  }
  checkColumns(stmt.sourceType, columns);
  const keyColumns = columns.filter((c) => c.key).map((c) => ({ name: c.name, type: c.type }));
  const valueColumns = columns.filter((c) => !c.key).map((c) => ({ name: c.name, type: c.type }));
  if (stmt.sourceType === 'TABLE' && keyColumns.length === 0) {
    throw new KsqlStatementError('Tables require a PRIMARY KEY. Please define the PRIMARY KEY.');
  }
  const keyFormat = keyColumns.length === 0 && formats.key === Format.KAFKA ? Format.KAFKA : formats.key;
  validateKeyFormat(keyFormat, keyColumns);
  validateValueFormat(formats.value, valueColumns);
  for (const c of columns) {
    const bad = findUnsupported(c.type);
    if (bad !== undefined) throw new KsqlUnsupportedError(`column type ${bad}`);
  }
  const window = sourceWindow(stmt.properties);
  const timestamp = timestampColumn(stmt.properties, columns);
  const partitions = stmt.properties.get('PARTITIONS');
  return {
    name: stmt.name,
    type: stmt.sourceType,
    topic,
    keyFormat,
    valueFormat: formats.value,
    keyColumns,
    valueColumns,
    timestampColumn: timestamp,
    window,
    partitions: typeof partitions === 'number' ? partitions : undefined,
  };
}
