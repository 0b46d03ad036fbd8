/**
 * SQL types of the embedded engine: the ksqlDB primitives and containers it can evaluate and
 * serialise. DECIMAL, DATE, TIME, TIMESTAMP and BYTES parse but are rejected by the planner.
 */

/** Primitive type names (ksqlDB spells INT as INTEGER and VARCHAR as STRING). */
export const PrimitiveKind = {
  BOOLEAN: 'BOOLEAN',
  INTEGER: 'INTEGER',
  BIGINT: 'BIGINT',
  DOUBLE: 'DOUBLE',
  STRING: 'STRING',
} as const;
export type PrimitiveKind = (typeof PrimitiveKind)[keyof typeof PrimitiveKind];

/** A struct field. */
export interface StructField {
  readonly name: string;
  readonly type: SqlType;
}

/** A SQL type. `UNSUPPORTED` keeps the spelling of a type the engine cannot run (e.g. DECIMAL(4,2)). */
export type SqlType =
  | { readonly kind: PrimitiveKind }
  | { readonly kind: 'ARRAY'; readonly item: SqlType }
  | { readonly kind: 'MAP'; readonly key: SqlType; readonly value: SqlType }
  | { readonly kind: 'STRUCT'; readonly fields: readonly StructField[] }
  | { readonly kind: 'UNSUPPORTED'; readonly spelling: string };

export const BOOLEAN: SqlType = { kind: 'BOOLEAN' };
export const INTEGER: SqlType = { kind: 'INTEGER' };
export const BIGINT: SqlType = { kind: 'BIGINT' };
export const DOUBLE: SqlType = { kind: 'DOUBLE' };
export const STRING: SqlType = { kind: 'STRING' };

/** The type of the NULL literal: ksqlDB gives it none (ExpressionTypeManager returns null). */
export const NULL_TYPE: SqlType = { kind: 'UNSUPPORTED', spelling: 'NULL' };

/** True for the type of the NULL literal. */
export function isNullType(t: SqlType): boolean {
  return t.kind === 'UNSUPPORTED' && t.spelling === 'NULL';
}

/** True for INTEGER, BIGINT and DOUBLE. */
export function isNumeric(type: SqlType): boolean {
  return type.kind === 'INTEGER' || type.kind === 'BIGINT' || type.kind === 'DOUBLE';
}

/** True for INTEGER and BIGINT. */
export function isIntegral(type: SqlType): boolean {
  return type.kind === 'INTEGER' || type.kind === 'BIGINT';
}

/** The wider of two numeric types, as ksqlDB widens INTEGER < BIGINT < DOUBLE. */
export function widerNumeric(a: SqlType, b: SqlType): SqlType {
  if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE') return DOUBLE;
  if (a.kind === 'BIGINT' || b.kind === 'BIGINT') return BIGINT;
  return INTEGER;
}

/** ksqlDB's spelling of a type, e.g. `ARRAY<INTEGER>` or ``STRUCT<`F` STRING>``. */
export function formatType(type: SqlType): string {
  switch (type.kind) {
    case 'ARRAY':
      return `ARRAY<${formatType(type.item)}>`;
    case 'MAP':
      return `MAP<${formatType(type.key)}, ${formatType(type.value)}>`;
    case 'STRUCT':
      return `STRUCT<${type.fields.map((f) => `\`${f.name}\` ${formatType(f.type)}`).join(', ')}>`;
    case 'UNSUPPORTED':
      return type.spelling;
    default:
      return type.kind;
  }
}

/** Structural equality of two types. */
export function sameType(a: SqlType, b: SqlType): boolean {
  return formatType(a) === formatType(b);
}

/** The first type (depth first) the engine cannot run, if any. */
export function findUnsupported(type: SqlType): string | undefined {
  switch (type.kind) {
    case 'UNSUPPORTED':
      return type.spelling;
    case 'ARRAY':
      return findUnsupported(type.item);
    case 'MAP':
      return findUnsupported(type.key) ?? findUnsupported(type.value);
    case 'STRUCT':
      for (const f of type.fields) {
        const found = findUnsupported(f.type);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** True when a type is, or contains, a MAP. */
export function containsMap(type: SqlType): boolean {
  switch (type.kind) {
    case 'MAP':
      return true;
    case 'ARRAY':
      return containsMap(type.item);
    case 'STRUCT':
      return type.fields.some((f) => containsMap(f.type));
    default:
      return false;
  }
}
