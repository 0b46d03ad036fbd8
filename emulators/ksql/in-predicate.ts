/**
 * `x [NOT] IN (…)` as ksqlDB compiles it (confluentinc/ksql, ksqldb-execution: codegen/helpers/
 * InListEvaluator.java and util/CoercionUtil.java): NULL literals dropped, one common type for the
 * value and the list — string literals parsed to a numeric or BOOLEAN value's type, other literals
 * coerced loosely (LAX), expressions strictly (STRICT) — then every side converted to it; a NULL
 * never matches.
 */
import type { Expr } from './ast.ts';
import { castEvaluator, javaString } from './cast.ts';
import { KsqlStatementError, KsqlUnsupportedError } from './errors.ts';
import { sqlEquals } from './sql-equals.ts';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  formatType,
  INTEGER,
  isNullType,
  isNumeric,
  type SqlType,
  sameType,
} from './types.ts';

type Evaluator = (row: unknown[]) => unknown;

/** One side of the IN: the expression as written and its compiled form. */
export interface InSide {
  readonly expr: Expr;
  readonly type: SqlType;
  readonly fn: Evaluator;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const NUMBER_SYNTAX = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function invalidSyntax(value: string, target: SqlType): KsqlStatementError {
  return new KsqlStatementError(`invalid input syntax for type ${target.kind}: "${value}".`);
}

/** CoercionUtil.getStringNumericType, without DECIMAL (the engine has none). */
function stringNumericType(value: string, target: SqlType): SqlType {
  const t = value.trim();
  if (!NUMBER_SYNTAX.test(t)) throw invalidSyntax(value, target);
  const integral = !/[.eE]/.test(value);
  const n = Number(t);
  if (integral && n > INT_MIN && n < INT_MAX) return INTEGER;
  if (integral && Number.isSafeInteger(n)) return BIGINT;
  return { kind: 'UNSUPPORTED', spelling: 'DECIMAL' };
}

function rank(t: SqlType): number {
  return t.kind === 'INTEGER' ? 0 : t.kind === 'BIGINT' ? 1 : 2;
}

/** DefaultSqlValueCoercer.canCoerce on the engine's types: the type `from` becomes, if it can. */
function canCoerce(from: SqlType, to: SqlType, lax: boolean): SqlType | undefined {
  if (sameType(from, to)) return to;
  if (isNumeric(from) && isNumeric(to)) return rank(from) <= rank(to) ? to : undefined;
  if (lax && to.kind === 'STRING' && (isNumeric(from) || from.kind === 'BOOLEAN')) return to;
  if (lax && from.kind === 'STRING' && (isNumeric(to) || to.kind === 'BOOLEAN')) return to;
  if (from.kind === 'ARRAY' && to.kind === 'ARRAY')
    return canCoerce(from.item, to.item, lax) === undefined ? undefined : to;
  if (from.kind === 'MAP' && to.kind === 'MAP')
    return canCoerce(from.key, to.key, lax) !== undefined &&
      canCoerce(from.value, to.value, lax) !== undefined
      ? to
      : undefined;
  if (from.kind === 'STRUCT' && to.kind === 'STRUCT') {
    const ok = from.fields.every((f) => {
      const g = to.fields.find((x) => x.name === f.name);
      return g === undefined || canCoerce(f.type, g.type, lax) !== undefined;
    });
    return ok ? to : undefined;
  }
  return undefined;
}

function isLiteral(e: Expr): e is Extract<Expr, { k: 'literal' }> {
  return e.k === 'literal';
}

/** CoercionUtil.resolveCommonType for one more element of the list. */
function widen(common: SqlType, side: InSide, text: (e: Expr) => string): SqlType {
  const e = side.expr;
  if (isLiteral(e) && e.type === 'STRING') {
    const value = String(e.value);
    if (isNumeric(common)) {
      const source = stringNumericType(value, common);
      if (source.kind === 'DOUBLE' || common.kind === 'DOUBLE') return DOUBLE;
      if (source.kind === 'UNSUPPORTED') throw new KsqlUnsupportedError('DECIMAL values in an IN list');
      return rank(source) <= rank(common) ? common : source;
    }
    if (common.kind === 'BOOLEAN') {
      if (parseBooleanExact(value) === undefined) throw invalidSyntax(value, BOOLEAN);
      return common;
    }
  }
  const lax = isLiteral(e);
  const found = canCoerce(side.type, common, lax) ?? canCoerce(common, side.type, lax);
  if (found !== undefined) return found;
  throw new KsqlStatementError(
    `operator does not exist: ${formatType(common)} = ${formatType(side.type)} (${text(e)})\nHint: You might need to add explicit type casts.`,
  );
}

/** SqlBooleans.parseBooleanExact: a prefix of true/yes, or of false/no, ignoring case. */
function parseBooleanExact(value: string): boolean | undefined {
  const t = value.trim().toLowerCase();
  if (t === '') return undefined;
  if ('true'.startsWith(t) || 'yes'.startsWith(t)) return true;
  if ('false'.startsWith(t) || 'no'.startsWith(t)) return false;
  return undefined;
}

/** A side converted to the common type: literals by the LAX coercer, expressions by CAST. */
function convert(side: InSide, common: SqlType): Evaluator {
  if (sameType(side.type, common)) return side.fn;
  const e = side.expr;
  if (isLiteral(e) && e.type === 'STRING' && common.kind === 'BOOLEAN') {
    const v = parseBooleanExact(String(e.value));
    return () => v ?? null;
  }
  if (isLiteral(e) && common.kind === 'STRING') {
    const v = javaString(e.value, side.type);
    return () => v;
  }
  return castEvaluator(side, common, 'Predicate');
}

/** The evaluator of `value [NOT] IN (list)`; `clause` words errors as ksqlDB's CodeGenRunner. */
export function compileInList(
  value: InSide,
  list: readonly InSide[],
  negated: boolean,
  clause: 'Select' | 'Predicate',
  text: (e: Expr) => string,
): Evaluator {
  const items = list.filter((s) => !isNullType(s.type));
  let common = value.type;
  try {
    if (isNullType(common)) return () => negated;
    for (const s of items) common = widen(common, s, text);
  } catch (err) {
    if (!(err instanceof KsqlStatementError)) throw err;
    throw new KsqlStatementError(`Invalid ${clause}: ${err.message}`);
  }
  const v = convert(value, common);
  const fns = items.map((s) => convert(s, common));
  return (row) => {
    const x = v(row);
    if (x === null) return negated;
    for (const f of fns) {
      const y = f(row);
      if (y !== null && sqlEquals(x, y)) return !negated;
    }
    return negated;
  };
}
