/**
 * CAST as ksqlDB compiles it: the pairs of its CastEvaluator (confluentinc/ksql,
 * ksqldb-execution/src/main/java/io/confluent/ksql/execution/codegen/helpers/CastEvaluator.java),
 * element by element for ARRAY, MAP and STRUCT, and Java's conversions for each pair. A value that
 * does not convert (e.g. `CAST('x' AS INT)`) makes the whole CAST null, as ksqlDB's generated
 * code does (`evaluateOrReturnNull` in SqlToJavaVisitor.visitCast).
 */
import { KsqlError, KsqlEvaluationError, KsqlStatementError, KsqlUnsupportedError } from './errors.ts';
import { formatJavaDouble } from './java-format.ts';
import { formatType, isNullType, isNumeric, type SqlType, sameType } from './types.ts';

type Convert = (v: unknown) => unknown;

/** A value as Java's `toString` spells it (List, Map, Connect Struct, Double, …). */
export function javaString(v: unknown, type: SqlType): string {
  if (v === null || v === undefined) return 'null';
  switch (type.kind) {
    case 'DOUBLE':
      return formatJavaDouble(v as number);
    case 'ARRAY':
      return `[${(v as unknown[]).map((x) => javaString(x, type.item)).join(', ')}]`;
    case 'MAP':
      return `{${[...(v as Map<unknown, unknown>)]
        .map(([k, x]) => `${javaString(k, type.key)}=${javaString(x, type.value)}`)
        .join(', ')}}`;
    case 'STRUCT': {
      // Connect's Struct.toString leaves out null fields.
      const s = v as Record<string, unknown>;
      const fields = type.fields.filter((f) => s[f.name] !== null && s[f.name] !== undefined);
      return `Struct{${fields.map((f) => `${f.name}=${javaString(s[f.name], f.type)}`).join(',')}}`;
    }
    default:
      return String(v);
  }
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** Java's `(int) double` / `(long) double`: NaN is 0, out-of-range values saturate. */
function doubleToIntegral(d: number, int32: boolean): number {
  if (Number.isNaN(d)) return 0;
  const t = Math.trunc(d);
  // Long.MIN/MAX_VALUE as the nearest doubles (±2^63).
  if (!int32) return Math.max(Math.min(t, 2 ** 63), -(2 ** 63));
  return Math.max(Math.min(t, INT_MAX), INT_MIN);
}

/** `Integer.parseInt` / `Long.parseLong` of the trimmed string. */
function parseIntegral(s: string, int32: boolean): number {
  const t = s.trim();
  if (!/^[-+]?[0-9]+$/.test(t)) throw new KsqlEvaluationError(`For input string: "${t}"`);
  const n = Number(t);
  if (int32 && (n < INT_MIN || n > INT_MAX)) throw new KsqlEvaluationError(`For input string: "${t}"`);
  return n;
}

/** SqlBooleans.parseBoolean: a non-empty case-insensitive prefix of `true` or `yes`. */
function parseSqlBoolean(s: string): boolean {
  const t = s.trim().toLowerCase();
  return t.length > 0 && ('true'.startsWith(t) || 'yes'.startsWith(t));
}

function parseSqlDouble(s: string): number {
  const t = s.trim().replace(/[dDfF]$/, '');
  const n = t === 'NaN' ? Number.NaN : Number(t);
  if (Number.isNaN(n) && t !== 'NaN') throw new KsqlEvaluationError(`For input string: "${s.trim()}"`);
  return n;
}

/** A (from, to) pair ksqlDB cannot cast; caught below and reported as ksqlDB words it. */
class UnsupportedCast extends KsqlError {
  override readonly code: string = 'KSQL_UNSUPPORTED_CAST';
}

/** The conversion of one (from, to) pair, or {@link UnsupportedCast}. */
function converter(from: SqlType, to: SqlType): Convert {
  if (isNullType(from) || sameType(from, to)) return (v) => v;
  if (to.kind === 'STRING' && from.kind !== 'UNSUPPORTED') return (v) => javaString(v, from);
  if (isNumeric(from) && isNumeric(to)) {
    if (to.kind === 'DOUBLE' || (to.kind === 'BIGINT' && from.kind === 'INTEGER')) return (v) => v;
    const int32 = to.kind === 'INTEGER';
    if (from.kind === 'DOUBLE') return (v) => doubleToIntegral(v as number, int32);
    return (v) => (v as number) | 0; // Long.intValue(): the low 32 bits
  }
  if (from.kind === 'STRING') {
    if (to.kind === 'INTEGER' || to.kind === 'BIGINT')
      return (v) => parseIntegral(v as string, to.kind === 'INTEGER');
    if (to.kind === 'DOUBLE') return (v) => parseSqlDouble(v as string);
    if (to.kind === 'BOOLEAN') return (v) => parseSqlBoolean(v as string);
  }
  return structuredConverter(from, to);
}

function nullable(c: Convert): Convert {
  return (v) => (v === null || v === undefined ? null : c(v));
}

/** ARRAY→ARRAY, MAP→MAP, STRUCT→STRUCT: each element, key, value or common field converted. */
function structuredConverter(from: SqlType, to: SqlType): Convert {
  if (from.kind === 'ARRAY' && to.kind === 'ARRAY') {
    const item = nullable(converter(from.item, to.item));
    return (v) => (v as unknown[]).map(item);
  }
  if (from.kind === 'MAP' && to.kind === 'MAP') {
    const key = nullable(converter(from.key, to.key));
    const value = nullable(converter(from.value, to.value));
    return (v) => new Map([...(v as Map<unknown, unknown>)].map(([k, x]) => [key(k), value(x)]));
  }
  if (from.kind === 'STRUCT' && to.kind === 'STRUCT') {
    // Fields of the target that the source lacks stay null (CastEvaluator.castStruct).
    const fields = to.fields.map((f) => {
      const source = from.fields.find((s) => s.name === f.name);
      return {
        name: f.name,
        convert: source === undefined ? undefined : nullable(converter(source.type, f.type)),
      };
    });
    return (v) => {
      const s = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name] = f.convert === undefined ? null : f.convert(s[f.name] ?? null);
      return out;
    };
  }
  throw new UnsupportedCast('unsupported cast');
}

/**
 * The evaluator of `CAST(operand AS to)`. `clause` names the compiled expression as ksqlDB's
 * CodeGenRunner does in its error ("Invalid Select: Cast of STRING to ARRAY<INTEGER> is not supported.").
 */
export function castEvaluator(
  operand: { readonly type: SqlType; readonly fn: (row: unknown[]) => unknown },
  to: SqlType,
  clause: 'Select' | 'Predicate',
): (row: unknown[]) => unknown {
  if (to.kind === 'UNSUPPORTED') throw new KsqlUnsupportedError(`CAST to ${to.spelling}`);
  const from = operand.type;
  let convert: Convert;
  try {
    convert = converter(from, to);
  } catch (err) {
    if (!(err instanceof UnsupportedCast)) throw err;
    if (from.kind === 'UNSUPPORTED') throw new KsqlUnsupportedError(`CAST from ${from.spelling}`);
    throw new KsqlStatementError(
      `Invalid ${clause}: Cast of ${formatType(from)} to ${formatType(to)} is not supported.`,
    );
  }
  const f = operand.fn;
  return (row) => {
    const v = f(row);
    if (v === null || v === undefined) return null;
    try {
      return convert(v);
    } catch (err) {
      if (err instanceof KsqlEvaluationError) return null;
      throw err;
    }
  };
}
