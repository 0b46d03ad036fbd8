import type { Expr } from './ast.ts';
import { castEvaluator } from './cast.ts';
import { KsqlEvaluationError, KsqlStatementError, KsqlUnsupportedError } from './errors.ts';
import { compileInList, type InSide } from './in-predicate.ts';
import { formatJavaDouble } from './java-format.ts';
import { sqlEquals } from './sql-equals.ts';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  formatType,
  INTEGER,
  isIntegral,
  isNullType,
  isNumeric,
  NULL_TYPE,
  type SqlType,
  STRING,
  sameType,
  widerNumeric,
} from './types.ts';

/** A row as the evaluators see it: values by column ordinal. */
export type Row = unknown[];

/** An evaluator compiled from an expression. */
export type Evaluator = (row: Row) => unknown;

/** A compiled, typed expression. */
export interface Compiled {
  readonly type: SqlType;
  readonly fn: Evaluator;
}

/** A column visible to expressions. */
export interface ScopeColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly index: number;
}

/** What an expression may reference while being compiled. */
export interface CompileScope {
  /** Source name and alias, usable as qualifiers (`TEST.ID`). */
  readonly qualifiers: ReadonlySet<string>;
  readonly columns: ReadonlyMap<string, ScopeColumn>;
  /** Called for every node before it is compiled; returning a value replaces the node. */
  readonly override?: (e: Expr) => Compiled | undefined;
  /** Clause named in messages about unknown columns, e.g. `SELECT` or `WHERE`. */
  readonly clause: string;
}

/** Formats an expression the way ksqlDB prints it in messages (`(F1 - F0)`, `SUBSTRING(SOURCE, 0, 1)`). */
export function formatExpr(e: Expr): string {
  switch (e.k) {
    case 'literal':
      if (e.type === 'STRING') return `'${String(e.value).replaceAll("'", "''")}'`;
      if (e.type === 'NULL') return 'null';
      return String(e.value);
    case 'column':
      return e.source === undefined ? e.name : `${e.source}.${e.name}`;
    case 'deref':
      return `${formatExpr(e.base)}->${e.field}`;
    case 'subscript':
      return `${formatExpr(e.base)}[${formatExpr(e.index)}]`;
    case 'arith':
      return `(${formatExpr(e.left)} ${e.op} ${formatExpr(e.right)})`;
    case 'negate':
      return `-${formatExpr(e.operand)}`;
    case 'compare':
      return `(${formatExpr(e.left)} ${e.op} ${formatExpr(e.right)})`;
    case 'logical':
      return `(${formatExpr(e.left)} ${e.op} ${formatExpr(e.right)})`;
    case 'not':
      return `(NOT ${formatExpr(e.operand)})`;
    case 'isNull':
      return `(${formatExpr(e.operand)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'between':
      return `(${formatExpr(e.operand)} ${e.negated ? 'NOT ' : ''}BETWEEN ${formatExpr(e.low)} AND ${formatExpr(e.high)})`;
    case 'in':
      return `(${formatExpr(e.operand)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map(formatExpr).join(', ')}))`;
    case 'like':
      return `(${formatExpr(e.operand)} ${e.negated ? 'NOT ' : ''}LIKE ${formatExpr(e.pattern)})`;
    case 'case':
      return `(CASE ${e.operand === undefined ? '' : `${formatExpr(e.operand)} `}${e.whens
        .map((w) => `WHEN ${formatExpr(w.when)} THEN ${formatExpr(w.result)}`)
        .join(' ')}${e.otherwise === undefined ? '' : ` ELSE ${formatExpr(e.otherwise)}`} END)`;
    case 'cast':
      return `CAST(${formatExpr(e.operand)} AS ${formatType(e.type)})`;
    case 'call':
      return `${e.name}(${e.star ? '*' : e.args.map(formatExpr).join(', ')})`;
  }
}

/** Like {@link formatExpr} but without source qualifiers, used to compare expressions for equality. */
export function canonicalExpr(e: Expr): string {
  return formatExpr(stripQualifiers(e));
}

function stripQualifiers(e: Expr): Expr {
  switch (e.k) {
    case 'column':
      return { ...e, source: undefined };
    case 'deref':
      return { ...e, base: stripQualifiers(e.base) };
    case 'subscript':
      return { ...e, base: stripQualifiers(e.base), index: stripQualifiers(e.index) };
    case 'arith':
    case 'compare':
    case 'logical':
      return { ...e, left: stripQualifiers(e.left), right: stripQualifiers(e.right) };
    case 'negate':
    case 'not':
    case 'isNull':
    case 'cast':
      return { ...e, operand: stripQualifiers(e.operand) };
    case 'between':
      return {
        ...e,
        operand: stripQualifiers(e.operand),
        low: stripQualifiers(e.low),
        high: stripQualifiers(e.high),
      };
    case 'in':
      return { ...e, operand: stripQualifiers(e.operand), list: e.list.map(stripQualifiers) };
    case 'like':
      return { ...e, operand: stripQualifiers(e.operand), pattern: stripQualifiers(e.pattern) };
    case 'case':
      return {
        ...e,
        operand: e.operand === undefined ? undefined : stripQualifiers(e.operand),
        whens: e.whens.map((w) => ({ when: stripQualifiers(w.when), result: stripQualifiers(w.result) })),
        otherwise: e.otherwise === undefined ? undefined : stripQualifiers(e.otherwise),
      };
    case 'call':
      return { ...e, args: e.args.map(stripQualifiers) };
    default:
      return e;
  }
}

/** Visits every node of an expression, parents first. */
export function walkExpr(e: Expr, visit: (node: Expr) => boolean | undefined): void {
  if (visit(e) === false) return;
  switch (e.k) {
    case 'deref':
      walkExpr(e.base, visit);
      return;
    case 'subscript':
      walkExpr(e.base, visit);
      walkExpr(e.index, visit);
      return;
    case 'arith':
    case 'compare':
    case 'logical':
      walkExpr(e.left, visit);
      walkExpr(e.right, visit);
      return;
    case 'negate':
    case 'not':
    case 'isNull':
    case 'cast':
      walkExpr(e.operand, visit);
      return;
    case 'between':
      walkExpr(e.operand, visit);
      walkExpr(e.low, visit);
      walkExpr(e.high, visit);
      return;
    case 'in':
      walkExpr(e.operand, visit);
      for (const x of e.list) walkExpr(x, visit);
      return;
    case 'like':
      walkExpr(e.operand, visit);
      walkExpr(e.pattern, visit);
      return;
    case 'case':
      if (e.operand !== undefined) walkExpr(e.operand, visit);
      for (const w of e.whens) {
        walkExpr(w.when, visit);
        walkExpr(w.result, visit);
      }
      if (e.otherwise !== undefined) walkExpr(e.otherwise, visit);
      return;
    case 'call':
      for (const a of e.args) walkExpr(a, visit);
      return;
    default:
      return;
  }
}

/**
 * ksqlDB's record-position pseudo columns (on by default since 0.24, `ksql.rowpartition.rowoffset.enabled`;
 * docs.ksqldb.io, "Pseudocolumns"): valid ksqlDB the engine does not evaluate, so refused as unsupported.
 */
export const OFFSET_PSEUDO_COLUMNS: ReadonlySet<string> = new Set(['ROWPARTITION', 'ROWOFFSET']);

/** Compiles an expression against a scope into a typed evaluator. */
export function compileExpr(e: Expr, scope: CompileScope): Compiled {
  const overridden = scope.override?.(e);
  if (overridden !== undefined) return overridden;
  switch (e.k) {
    case 'literal':
      return compileLiteral(e);
    case 'column':
      return compileColumn(e, scope);
    case 'deref':
      return compileDeref(e, scope);
    case 'subscript':
      return compileSubscript(e, scope);
    case 'arith':
      return compileArith(e.op, compileExpr(e.left, scope), compileExpr(e.right, scope), formatExpr(e));
    case 'negate':
      return compileNegate(e, scope);
    case 'compare':
      return compileCompare(e.op, compileExpr(e.left, scope), compileExpr(e.right, scope), {
        left: e.left,
        right: e.right,
        clause: scope.clause,
      });
    case 'logical':
      return compileLogical(e, scope);
    case 'not':
      return compileNot(e, scope);
    case 'isNull': {
      const f = compileExpr(e.operand, scope).fn;
      const negated = e.negated;
      return { type: BOOLEAN, fn: (row) => (f(row) === null) !== negated };
    }
    case 'between':
      return compileBetween(e, scope);
    case 'in':
      return compileIn(e, scope);
    case 'like':
      return compileLike(e, scope);
    case 'case':
      return compileCase(e, scope);
    case 'cast': {
      const kind = scope.clause === 'WHERE' || scope.clause === 'HAVING' ? 'Predicate' : 'Select';
      return { type: e.type, fn: castEvaluator(compileExpr(e.operand, scope), e.type, kind) };
    }
    case 'call':
      return compileCall(e, scope);
  }
}

function compileColumn(e: Extract<Expr, { k: 'column' }>, scope: CompileScope): Compiled {
  if (e.source !== undefined && !scope.qualifiers.has(e.source)) {
    throw new KsqlStatementError(`${scope.clause} column '${e.source}.${e.name}' cannot be resolved.`);
  }
  const col = scope.columns.get(e.name);
  if (col === undefined) {
    if (OFFSET_PSEUDO_COLUMNS.has(e.name)) throw new KsqlUnsupportedError(`pseudo column ${e.name}`);
    // Window bounds are names ksqlDB knows, so only its type checker finds them missing.
    if (scope.clause === 'WHERE' && (e.name === 'WINDOWSTART' || e.name === 'WINDOWEND')) {
      throw new KsqlStatementError(`Error in WHERE expression: Unknown column ${e.name}.`);
    }
    const shown = e.source === undefined ? e.name : `${e.source}.${e.name}`;
    throw new KsqlStatementError(`${scope.clause} column '${shown}' cannot be resolved.`);
  }
  const index = col.index;
  return { type: col.type, fn: (row) => row[index] ?? null };
}

function compileDeref(e: Extract<Expr, { k: 'deref' }>, scope: CompileScope): Compiled {
  const base = compileExpr(e.base, scope);
  if (base.type.kind !== 'STRUCT') {
    throw new KsqlStatementError(
      `Expected STRUCT type for dereference, got ${formatType(base.type)}: ${formatExpr(e)}`,
    );
  }
  const field = base.type.fields.find((f) => f.name === e.field);
  if (field === undefined) {
    throw new KsqlStatementError(`Could not find field '${e.field}' in '${formatExpr(e.base)}'.`);
  }
  const bf = base.fn;
  const name = field.name;
  return {
    type: field.type,
    fn: (row) => {
      const v = bf(row);
      return v === null ? null : ((v as Record<string, unknown>)[name] ?? null);
    },
  };
}

function compileSubscript(e: Extract<Expr, { k: 'subscript' }>, scope: CompileScope): Compiled {
  const base = compileExpr(e.base, scope);
  const index = compileExpr(e.index, scope);
  const bf = base.fn;
  const ifn = index.fn;
  if (base.type.kind === 'ARRAY') {
    if (!isIntegral(index.type))
      throw new KsqlStatementError(`Array index must be INTEGER: ${formatExpr(e)}`);
    return {
      type: base.type.item,
      fn: (row) => {
        const arr = bf(row) as unknown[] | null;
        const i = ifn(row) as number | null;
        if (arr === null || i === null) return null;
        // ksqlDB arrays are 1-based; negative indexes count from the end.
        const at = i >= 0 ? i - 1 : arr.length + i;
        return arr[at] ?? null;
      },
    };
  }
  if (base.type.kind === 'MAP') {
    return {
      type: base.type.value,
      fn: (row) => {
        const m = bf(row) as Map<unknown, unknown> | null;
        const k = ifn(row);
        if (m === null || k === null) return null;
        return m.get(k) ?? null;
      },
    };
  }
  throw new KsqlStatementError(`Subscript is only valid on ARRAY and MAP: ${formatExpr(e)}`);
}

function compileNegate(e: Extract<Expr, { k: 'negate' }>, scope: CompileScope): Compiled {
  const operand = compileExpr(e.operand, scope);
  if (!isNumeric(operand.type))
    throw new KsqlStatementError(`Cannot negate ${formatType(operand.type)}: ${formatExpr(e)}`);
  const f = operand.fn;
  const isInt = operand.type.kind === 'INTEGER';
  return {
    type: operand.type,
    fn: (row) => {
      const v = f(row) as number | null;
      return v === null ? null : isInt ? -v | 0 : -v;
    },
  };
}

function compileLogical(e: Extract<Expr, { k: 'logical' }>, scope: CompileScope): Compiled {
  const lf = requireBoolean(compileExpr(e.left, scope), e.left).fn;
  const rf = requireBoolean(compileExpr(e.right, scope), e.right).fn;
  if (e.op === 'AND') {
    return {
      type: BOOLEAN,
      fn: (row) => {
        const a = lf(row);
        if (a === false) return false;
        const b = rf(row);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      },
    };
  }
  return {
    type: BOOLEAN,
    fn: (row) => {
      const a = lf(row);
      if (a === true) return true;
      const b = rf(row);
      if (b === true) return true;
      return a === null || b === null ? null : false;
    },
  };
}

function compileNot(e: Extract<Expr, { k: 'not' }>, scope: CompileScope): Compiled {
  const f = requireBoolean(compileExpr(e.operand, scope), e.operand).fn;
  return {
    type: BOOLEAN,
    fn: (row) => {
      const v = f(row);
      return v === null ? null : !v;
    },
  };
}

function compileBetween(e: Extract<Expr, { k: 'between' }>, scope: CompileScope): Compiled {
  const operand = compileExpr(e.operand, scope);
  const site = (bound: Expr): CompareSite => ({ left: e.operand, right: bound, clause: scope.clause });
  const lo = compileCompare('>=', operand, compileExpr(e.low, scope), site(e.low)).fn;
  const hi = compileCompare('<=', operand, compileExpr(e.high, scope), site(e.high)).fn;
  const negated = e.negated;
  return {
    type: BOOLEAN,
    // `(v >= low && v <= high)` with comparisons that are false on a null (SqlToJavaVisitor).
    fn: (row) => (lo(row) === true && hi(row) === true) !== negated,
  };
}

function compileIn(e: Extract<Expr, { k: 'in' }>, scope: CompileScope): Compiled {
  const side = (x: Expr): InSide => ({ expr: x, ...compileExpr(x, scope) });
  const kind = scope.clause === 'WHERE' || scope.clause === 'HAVING' ? 'Predicate' : 'Select';
  return {
    type: BOOLEAN,
    fn: compileInList(side(e.operand), e.list.map(side), e.negated, kind, formatExpr),
  };
}

function likePattern(p: string): RegExp {
  const body = p
    .split('')
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

function compileLike(e: Extract<Expr, { k: 'like' }>, scope: CompileScope): Compiled {
  const operand = compileExpr(e.operand, scope);
  const pattern = compileExpr(e.pattern, scope);
  if (operand.type.kind !== 'STRING' || pattern.type.kind !== 'STRING') {
    throw new KsqlStatementError(`LIKE requires STRING operands: ${formatExpr(e)}`);
  }
  const of = operand.fn;
  const pf = pattern.fn;
  const negated = e.negated;
  const cache = new Map<string, RegExp>();
  return {
    type: BOOLEAN,
    fn: (row) => {
      const v = of(row) as string | null;
      const p = pf(row) as string | null;
      if (v === null || p === null) return null;
      let re = cache.get(p);
      if (re === undefined) {
        re = likePattern(p);
        cache.set(p, re);
      }
      return re.test(v) !== negated;
    },
  };
}

function compileLiteral(e: Extract<Expr, { k: 'literal' }>): Compiled {
  const v = e.value;
  switch (e.type) {
    case 'INTEGER':
      return { type: INTEGER, fn: () => v };
    case 'BIGINT':
      return { type: BIGINT, fn: () => v };
    case 'DOUBLE':
      return { type: DOUBLE, fn: () => v };
    case 'STRING':
      return { type: STRING, fn: () => v };
    case 'BOOLEAN':
      return { type: BOOLEAN, fn: () => v };
    case 'NULL':
      return { type: NULL_TYPE, fn: () => null };
    case 'DECIMAL':
      throw new KsqlUnsupportedError(`DECIMAL literal ${String(v)}`);
  }
}

function requireBoolean(c: Compiled, e: Expr): Compiled {
  if (c.type.kind !== 'BOOLEAN' && !isNullType(c.type)) {
    throw new KsqlStatementError(
      `Type mismatch: expected BOOLEAN but got ${formatType(c.type)} for ${formatExpr(e)}`,
    );
  }
  return c;
}

function compileArith(op: '+' | '-' | '*' | '/' | '%', l: Compiled, r: Compiled, text: string): Compiled {
  const lf = l.fn;
  const rf = r.fn;
  if (op === '+' && l.type.kind === 'STRING' && r.type.kind === 'STRING') {
    return {
      type: STRING,
      fn: (row) => {
        const a = lf(row);
        const b = rf(row);
        return a === null || b === null ? null : (a as string) + (b as string);
      },
    };
  }
  const lt = isNullType(l.type) ? r.type : l.type;
  const rt = isNullType(r.type) ? l.type : r.type;
  if (!isNumeric(lt) || !isNumeric(rt)) {
    throw new KsqlStatementError(
      `Error processing expression: ${text}. Unsupported arithmetic types. ${formatType(l.type)} ${formatType(r.type)}`,
    );
  }
  const type = widerNumeric(lt, rt);
  const integral = type.kind !== 'DOUBLE';
  const int32 = type.kind === 'INTEGER';
  const wrap = (v: number): number => (int32 ? v | 0 : v);
  let apply: (a: number, b: number) => number | null;
  switch (op) {
    case '+':
      apply = (a, b) => wrap(a + b);
      break;
    case '-':
      apply = (a, b) => wrap(a - b);
      break;
    case '*':
      apply = int32 ? (a, b) => Math.imul(a, b) : (a, b) => a * b;
      break;
    case '/':
      apply = integral
        ? (a, b) => {
            if (b === 0) throw new KsqlEvaluationError(`/ by zero in ${text}`);
            return wrap(Math.trunc(a / b));
          }
        : (a, b) => a / b;
      break;
    case '%':
      apply = integral
        ? (a, b) => {
            if (b === 0) throw new KsqlEvaluationError(`/ by zero in ${text}`);
            return a % b;
          }
        : (a, b) => a % b;
      break;
  }
  return {
    type,
    fn: (row) => {
      const a = lf(row);
      if (a === null) return null;
      const b = rf(row);
      if (b === null) return null;
      return apply(a as number, b as number);
    },
  };
}

/**
 * ksqlDB's ComparisonUtil.isValidComparison: numbers with numbers, strings with strings, and
 * BOOLEAN, ARRAY, MAP, STRUCT only with their own kind and only for = and <>.
 */
function comparable(a: SqlType, op: CompareOp, b: SqlType): boolean {
  if (isNumeric(a)) return isNumeric(b);
  if (a.kind === 'STRING') return b.kind === 'STRING';
  const equality = op === '=' || op === '<>';
  return equality && a.kind === b.kind && ['BOOLEAN', 'ARRAY', 'MAP', 'STRUCT'].includes(a.kind);
}

type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

const COMPARE_NAMES = {
  '=': 'EQUAL',
  '<>': 'NOT_EQUAL',
  '<': 'LESS_THAN',
  '<=': 'LESS_THAN_OR_EQUAL',
  '>': 'GREATER_THAN',
  '>=': 'GREATER_THAN_OR_EQUAL',
} as const;

/** The operands of a comparison as written, and the clause it is in (for ksqlDB's messages). */
interface CompareSite {
  readonly left: Expr;
  readonly right: Expr;
  readonly clause: string;
}

/** ksqlDB's type-check errors: ExpressionTypeManager / ComparisonUtil, wrapped by FilterTypeValidator. */
function checkComparison(op: CompareOp, lt: SqlType, rt: SqlType, site: CompareSite): void {
  if (isNullType(lt) || isNullType(rt)) {
    const name = (t: SqlType): string => (isNullType(t) ? 'NULL' : t.kind);
    throw new KsqlStatementError(
      `Comparison with NULL not supported: ${name(lt)} ${op} ${name(rt)}\nUse 'IS NULL' or 'IS NOT NULL' instead.`,
    );
  }
  if (comparable(lt, op, rt)) return;
  const prefix =
    site.clause === 'WHERE' || site.clause === 'HAVING' ? `Error in ${site.clause} expression: ` : '';
  throw new KsqlStatementError(
    `${prefix}Cannot compare ${formatExpr(site.left)} (${formatType(lt)}) to ${formatExpr(site.right)} (${formatType(rt)}) with ${COMPARE_NAMES[op]}.`,
  );
}

/**
 * A comparison as ksqlDB generates it (SqlToJavaVisitor.visitComparisonExpression): a null
 * operand makes it false, never null (`nullCheckPrefix`).
 */
function compileCompare(op: CompareOp, l: Compiled, r: Compiled, site: CompareSite): Compiled {
  checkComparison(op, l.type, r.type, site);
  const lf = l.fn;
  const rf = r.fn;
  const structured = l.type.kind === 'ARRAY' || l.type.kind === 'MAP' || l.type.kind === 'STRUCT';
  let test: (a: never, b: never) => boolean;
  switch (op) {
    case '=':
      test = structured ? sqlEquals : (a, b) => a === b;
      break;
    case '<>':
      test = structured ? (a, b) => !sqlEquals(a, b) : (a, b) => a !== b;
      break;
    case '<':
      test = (a, b) => a < b;
      break;
    case '<=':
      test = (a, b) => a <= b;
      break;
    case '>':
      test = (a, b) => a > b;
      break;
    case '>=':
      test = (a, b) => a >= b;
      break;
  }
  return {
    type: BOOLEAN,
    fn: (row) => {
      const a = lf(row);
      if (a === null) return false;
      const b = rf(row);
      if (b === null) return false;
      return test(a as never, b as never);
    },
  };
}

function commonType(types: SqlType[], text: string): SqlType {
  const known = types.filter((t) => !isNullType(t));
  const first = known[0];
  if (first === undefined) return NULL_TYPE;
  if (known.every(isNumeric)) return known.reduce(widerNumeric);
  for (const t of known) {
    if (!sameType(t, first)) {
      throw new KsqlStatementError(
        `Invalid Case expression. Type for all 'THEN' clauses should be the same: ${text}`,
      );
    }
  }
  return first;
}

function coerceNumber(from: SqlType, to: SqlType, f: Evaluator): Evaluator {
  if (from.kind === to.kind || !isNumeric(to)) return f;
  return f;
}

function compileCase(e: Extract<Expr, { k: 'case' }>, scope: CompileScope): Compiled {
  const text = formatExpr(e);
  const operand = e.operand === undefined ? undefined : compileExpr(e.operand, scope);
  const conditions = e.whens.map((w) =>
    operand === undefined
      ? requireBoolean(compileExpr(w.when, scope), w.when).fn
      : compileCompare('=', operand, compileExpr(w.when, scope), {
          left: e.operand as Expr,
          right: w.when,
          clause: scope.clause,
        }).fn,
  );
  const results = e.whens.map((w) => compileExpr(w.result, scope));
  const otherwise = e.otherwise === undefined ? undefined : compileExpr(e.otherwise, scope);
  const type = commonType(
    [...results.map((r) => r.type), ...(otherwise === undefined ? [] : [otherwise.type])],
    text,
  );
  const resultFns = results.map((r) => coerceNumber(r.type, type, r.fn));
  const otherwiseFn = otherwise === undefined ? () => null : otherwise.fn;
  return {
    type,
    fn: (row) => {
      for (let i = 0; i < conditions.length; i++) {
        if ((conditions[i] as Evaluator)(row) === true) return (resultFns[i] as Evaluator)(row);
      }
      return otherwiseFn(row);
    },
  };
}

/** Converts a value to its ksqlDB string form (CAST(x AS STRING), CONCAT). */
export function toKsqlString(v: unknown, type: SqlType): string {
  if (type.kind === 'DOUBLE') return formatJavaDouble(v as number);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

// ---- scalar functions ----

/** StringUtils.ordinalIndexOf: the index of the n-th (overlapping) occurrence, or -1. */
function ordinalIndexOf(str: string, sub: string, n: number): number {
  if (n <= 0) return -1;
  if (sub === '') return 0;
  let index = -1;
  for (let found = 0; found < n; found++) {
    index = str.indexOf(sub, index + 1);
    if (index < 0) return -1;
  }
  return index;
}

/** ksqlDB's Instr UDF: 1-based position of the n-th occurrence from `position` (negative: from the end), else 0. */
function instr(str: string | null, sub: string | null, position: number, occurrence: number): number {
  if (str === null || sub === null || Math.abs(position) > str.length) return 0;
  const reversed = position < 0;
  const s = reversed ? [...str].reverse().join('') : str;
  const t = reversed ? [...sub].reverse().join('') : sub;
  const p = Math.abs(position);
  const i = ordinalIndexOf(s.slice(Math.max(0, p - 1)), t, occurrence);
  if (i === -1) return 0;
  return reversed ? str.length - p - i - sub.length + 2 : i + p;
}

type FunctionBuilder = (args: Compiled[], text: string) => Compiled;

function nullSafe(args: Compiled[], type: SqlType, impl: (...values: never[]) => unknown): Compiled {
  const fns = args.map((a) => a.fn);
  return {
    type,
    fn: (row) => {
      const values: unknown[] = [];
      for (const f of fns) {
        const v = f(row);
        if (v === null) return null;
        values.push(v);
      }
      return (impl as (...v: unknown[]) => unknown)(...values);
    },
  };
}

function expectArgs(args: Compiled[], text: string, ...allowed: ((t: SqlType) => boolean)[][]): void {
  const ok = allowed.some(
    (sig) =>
      sig.length === args.length &&
      sig.every((check, i) => isNullType((args[i] as Compiled).type) || check((args[i] as Compiled).type)),
  );
  if (!ok) {
    throw new KsqlStatementError(
      `Function '${text.slice(0, text.indexOf('('))}' does not accept parameters (${args.map((a) => formatType(a.type)).join(', ')}).`,
    );
  }
}

const isStr = (t: SqlType): boolean => t.kind === 'STRING';
const isNum = isNumeric;
const isInt = isIntegral;
const any = (): boolean => true;

/** True when the engine knows a function of this name (scalar, aggregate or AS_VALUE). */
export function isKnownFunction(name: string): boolean {
  return name === 'AS_VALUE' || AGGREGATE_NAMES.has(name) || Object.hasOwn(SCALARS, name);
}

const SCALARS: Readonly<Record<string, FunctionBuilder>> = {
  ABS: (args, text) => {
    expectArgs(args, text, [isNum]);
    return nullSafe(args, (args[0] as Compiled).type, (v: number) => Math.abs(v));
  },
  CEIL: (args, text) => {
    expectArgs(args, text, [isNum]);
    return nullSafe(args, (args[0] as Compiled).type, (v: number) => Math.ceil(v));
  },
  FLOOR: (args, text) => {
    expectArgs(args, text, [isNum]);
    return nullSafe(args, (args[0] as Compiled).type, (v: number) => Math.floor(v));
  },
  SIGN: (args, text) => {
    expectArgs(args, text, [isNum]);
    return nullSafe(args, INTEGER, (v: number) => Math.sign(v));
  },
  UCASE: (args, text) => {
    expectArgs(args, text, [isStr]);
    return nullSafe(args, STRING, (v: string) => v.toUpperCase());
  },
  LCASE: (args, text) => {
    expectArgs(args, text, [isStr]);
    return nullSafe(args, STRING, (v: string) => v.toLowerCase());
  },
  TRIM: (args, text) => {
    expectArgs(args, text, [isStr]);
    return nullSafe(args, STRING, (v: string) => v.trim());
  },
  LEN: (args, text) => {
    expectArgs(args, text, [isStr]);
    return nullSafe(args, INTEGER, (v: string) => [...v].length);
  },
  CONCAT: (args, text) => {
    if (args.length === 0 || !args.every((a) => isStr(a.type) || isNullType(a.type))) {
      expectArgs(
        args,
        text,
        args.map(() => isStr),
      );
    }
    const fns = args.map((a) => a.fn);
    // ksqlDB's CONCAT skips null arguments rather than returning null.
    return {
      type: STRING,
      fn: (row) => {
        let out = '';
        for (const f of fns) {
          const v = f(row);
          if (v !== null) out += v as string;
        }
        return out;
      },
    };
  },
  SUBSTRING: (args, text) => {
    expectArgs(args, text, [isStr, isInt], [isStr, isInt, isInt]);
    return nullSafe(args, STRING, (s: string, pos: number, len?: number) => {
      const chars = [...s];
      // 1-based position; negative counts from the end (ksqlDB semantics).
      let start = pos > 0 ? pos - 1 : pos < 0 ? chars.length + pos : 0;
      start = Math.max(0, Math.min(start, chars.length));
      const end = len === undefined ? chars.length : Math.min(chars.length, start + Math.max(0, len));
      return chars.slice(start, end).join('');
    });
  },
  REPLACE: (args, text) => {
    expectArgs(args, text, [isStr, isStr, isStr]);
    return nullSafe(args, STRING, (s: string, a: string, b: string) => s.split(a).join(b));
  },
  INSTR: (args, text) => {
    expectArgs(args, text, [isStr, isStr], [isStr, isStr, isInt], [isStr, isStr, isInt, isInt]);
    const [str, sub, position, occurrence] = args.map((a) => a.fn);
    return {
      type: INTEGER,
      fn: (row) => {
        const p = position === undefined ? 1 : position(row);
        const n = occurrence === undefined ? 1 : occurrence(row);
        if (p === null || n === null) return null;
        return instr(str?.(row) as string | null, sub?.(row) as string | null, p as number, n as number);
      },
    };
  },
  IFNULL: (args, text) => {
    expectArgs(args, text, [any, any]);
    const [a, b] = args as [Compiled, Compiled];
    const type = commonType([a.type, b.type], text);
    return {
      type,
      fn: (row) => {
        const v = a.fn(row);
        return v === null ? b.fn(row) : v;
      },
    };
  },
  COALESCE: (args, text) => {
    if (args.length === 0) expectArgs(args, text, [any]);
    const type = commonType(
      args.map((a) => a.type),
      text,
    );
    const fns = args.map((a) => a.fn);
    return {
      type,
      fn: (row) => {
        for (const f of fns) {
          const v = f(row);
          if (v !== null) return v;
        }
        return null;
      },
    };
  },
  NULLIF: (args, text) => {
    expectArgs(args, text, [any, any]);
    const [a, b] = args as [Compiled, Compiled];
    return {
      type: a.type,
      fn: (row) => {
        const v = a.fn(row);
        return v !== null && v === b.fn(row) ? null : v;
      },
    };
  },
  ARRAY_LENGTH: (args, text) => {
    expectArgs(args, text, [(t) => t.kind === 'ARRAY']);
    return nullSafe(args, INTEGER, (v: unknown[]) => v.length);
  },
};

/** Aggregate function names; they are planned by the aggregation planner, not compiled here. */
export const AGGREGATE_NAMES: ReadonlySet<string> = new Set([
  'COUNT',
  'SUM',
  'MIN',
  'MAX',
  'AVG',
  'COUNT_DISTINCT',
  'LATEST_BY_OFFSET',
  'EARLIEST_BY_OFFSET',
  'COLLECT_LIST',
  'COLLECT_SET',
  'TOPK',
  'TOPKDISTINCT',
  'HISTOGRAM',
  'STDDEV_SAMP',
  'STDDEV_SAMPLE',
  'CORRELATION',
  'ATTR',
]);

function compileCall(e: Extract<Expr, { k: 'call' }>, scope: CompileScope): Compiled {
  const name = e.name;
  if (AGGREGATE_NAMES.has(name)) {
    for (const a of e.args) compileExpr(a, scope);
    throw new KsqlStatementError(`Use of aggregate function ${name} requires a GROUP BY clause.`);
  }
  if (name === 'AS_VALUE') {
    if (e.args.length !== 1) throw new KsqlStatementError('AS_VALUE takes exactly one argument');
    return compileExpr(e.args[0] as Expr, scope);
  }
  const builder = SCALARS[name];
  if (builder === undefined) {
    throw new KsqlUnsupportedError(
      `function ${name} (Can't find any functions with the name '${name}' in the embedded engine)`,
    );
  }
  if (e.star) throw new KsqlStatementError(`Function ${name} does not accept '*'`);
  const args = e.args.map((a) => compileExpr(a, scope));
  const compiled = builder(args, formatExpr(e));
  const fn = compiled.fn;
  return {
    type: compiled.type,
    fn: (row) => {
      try {
        return fn(row);
      } catch (err) {
        if (err instanceof KsqlEvaluationError) throw err;
        throw new KsqlEvaluationError(`Error evaluating ${formatExpr(e)}`, { cause: err });
      }
    },
  };
}
