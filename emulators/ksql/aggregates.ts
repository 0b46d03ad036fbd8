import type { Expr } from './ast.ts';
import { KsqlStatementError, KsqlUnsupportedError } from './errors.ts';
import { type Compiled, formatExpr } from './expressions.ts';
import { sqlEquals } from './sql-equals.ts';
import { BIGINT, DOUBLE, formatType, isNumeric, type SqlType } from './types.ts';

/**
 * An aggregate function over one group. States are plain JSON values so that they can be written
 * to a changelog and restored after a restart.
 */
export interface AggregateFunction {
  readonly name: string;
  readonly type: SqlType;
  /** Evaluated arguments of one input row (constants already bound). */
  readonly args: readonly Compiled[];
  init(): unknown;
  /** Folds one row into the state; `seq` orders rows by arrival (LATEST/EARLIEST_BY_OFFSET). */
  add(state: unknown, values: readonly unknown[], seq: number): unknown;
  /** Merges two states (session windows that grow together). */
  merge(a: unknown, b: unknown): unknown;
  result(state: unknown): unknown;
}

type Seq = { s: number; v: unknown };

function literalArg(
  e: Expr | undefined,
  kind: 'INTEGER' | 'BOOLEAN',
  fn: string,
  position: number,
): number | boolean | undefined {
  if (e === undefined) return undefined;
  if (e.k === 'literal' && e.type === kind) return e.value as number | boolean;
  if (e.k !== 'literal') {
    // UdafUtil.createAggregateFunctionInitArgs: arguments after the column must be literals.
    throw new KsqlStatementError(
      `Parameter ${position} passed to function ${fn} must be a literal constant, but was expression: '${formatExpr(e)}'`,
    );
  }
  throw new KsqlStatementError(`Function ${fn} expects a ${kind} literal, got ${formatExpr(e)}`);
}

/** What every aggregate builder gets: the call, its first argument compiled, the error for bad arguments. */
interface AggregateCall {
  readonly name: string;
  readonly call: Extract<Expr, { k: 'call' }>;
  readonly arg0: Compiled | undefined;
  readonly wrongArgs: () => never;
}

/** The single argument of a one-argument aggregate. */
function oneArg(c: AggregateCall): Compiled {
  if (c.arg0 === undefined || c.call.args.length !== 1) return c.wrongArgs();
  return c.arg0;
}

/** Rejects a non-numeric argument as ksqlDB does (or as unsupported for types the engine lacks). */
function requireNumeric(name: string, arg: Compiled): void {
  if (isNumeric(arg.type)) return;
  if (arg.type.kind === 'UNSUPPORTED') throw new KsqlUnsupportedError(`${name} over ${formatType(arg.type)}`);
  throw new KsqlStatementError(`Function '${name}' does not accept parameters (${formatType(arg.type)}).`);
}

function buildCount(c: AggregateCall): AggregateFunction {
  if (c.call.args.length > 1) c.wrongArgs();
  const arg0 = c.arg0;
  const countAll = c.call.star || arg0 === undefined;
  return {
    name: c.name,
    type: BIGINT,
    args: countAll || arg0 === undefined ? [] : [arg0],
    init: () => 0,
    add: (s, v) => (countAll || v[0] !== null ? (s as number) + 1 : s),
    merge: (a, b) => (a as number) + (b as number),
    result: (s) => s,
  };
}

function buildSum(c: AggregateCall): AggregateFunction {
  const arg0 = oneArg(c);
  requireNumeric('SUM', arg0);
  const int32 = arg0.type.kind === 'INTEGER';
  const plus = (a: number, b: number): number => (int32 ? (a + b) | 0 : a + b);
  return {
    name: c.name,
    type: arg0.type,
    args: [arg0],
    init: () => 0,
    add: (s, v) => (v[0] === null ? s : plus(s as number, v[0] as number)),
    merge: (a, b) => plus(a as number, b as number),
    result: (s) => s,
  };
}

function buildMinMax(c: AggregateCall): AggregateFunction {
  const arg0 = oneArg(c);
  const { name } = c;
  const k = arg0.type.kind;
  if (k !== 'INTEGER' && k !== 'BIGINT' && k !== 'DOUBLE' && k !== 'STRING') {
    if (k === 'UNSUPPORTED') throw new KsqlUnsupportedError(`${name} over ${formatType(arg0.type)}`);
    throw new KsqlStatementError(`Function '${name}' does not accept parameters (${formatType(arg0.type)}).`);
  }
  const better =
    name === 'MIN'
      ? (a: unknown, b: unknown): unknown =>
          a === null ? b : b === null ? a : (b as number) < (a as number) ? b : a
      : (a: unknown, b: unknown): unknown =>
          a === null ? b : b === null ? a : (b as number) > (a as number) ? b : a;
  return {
    name,
    type: arg0.type,
    args: [arg0],
    init: () => null,
    add: (s, v) => better(s, v[0] ?? null),
    merge: (a, b) => better(a, b),
    result: (s) => s,
  };
}

function buildAvg(c: AggregateCall): AggregateFunction {
  const arg0 = oneArg(c);
  requireNumeric('AVG', arg0);
  return {
    name: c.name,
    type: DOUBLE,
    args: [arg0],
    init: () => [0, 0],
    add: (s, v) => {
      const [sum, count] = s as [number, number];
      return v[0] === null ? s : [sum + (v[0] as number), count + 1];
    },
    merge: (a, b) => {
      const [s1, c1] = a as [number, number];
      const [s2, c2] = b as [number, number];
      return [s1 + s2, c1 + c2];
    },
    result: (s) => {
      const [sum, count] = s as [number, number];
      return count === 0 ? null : sum / count;
    },
  };
}

function buildCountDistinct(c: AggregateCall): AggregateFunction {
  const arg0 = oneArg(c);
  return {
    name: c.name,
    type: BIGINT,
    args: [arg0],
    // State: { n: distinct count, seen: value token -> 1 }; mutated in place for speed.
    init: () => ({ n: 0, seen: {} }),
    add: (s, v) => {
      if (v[0] === null) return s;
      const state = s as { n: number; seen: Record<string, 1> };
      const token = typeof v[0] === 'string' ? `s${v[0]}` : JSON.stringify(v[0]);
      if (state.seen[token] === undefined) {
        state.seen[token] = 1;
        state.n++;
      }
      return state;
    },
    merge: (a, b) => {
      const seen: Record<string, 1> = {
        ...(a as { seen: Record<string, 1> }).seen,
        ...(b as { seen: Record<string, 1> }).seen,
      };
      return { n: Object.keys(seen).length, seen };
    },
    result: (s) => (s as { n: number }).n,
  };
}

function buildCollect(c: AggregateCall): AggregateFunction {
  const arg0 = oneArg(c);
  const { name } = c;
  if (arg0.type.kind === 'MAP' || arg0.type.kind === 'STRUCT')
    throw new KsqlUnsupportedError(`${name} over ${arg0.type.kind}`);
  const set = name === 'COLLECT_SET';
  const limit = 1000;
  return {
    name,
    type: { kind: 'ARRAY', item: arg0.type },
    args: [arg0],
    init: () => [],
    add: (s, v) => {
      const list = s as unknown[];
      if (list.length >= limit) return list;
      // CollectSetUdaf: List.contains, so one null and structured values by content.
      if (set && list.some((x) => sqlEquals(x, v[0] ?? null))) return list;
      return [...list, v[0] ?? null];
    },
    merge: (a, b) => {
      const out = [...(a as unknown[])];
      for (const x of b as unknown[]) if (!set || !out.some((y) => sqlEquals(y, x))) out.push(x);
      return out.slice(0, limit);
    },
    result: (s) => s,
  };
}

/** The optional arguments of LATEST/EARLIEST_BY_OFFSET: (col, ignoreNulls) or (col, n[, ignoreNulls]). */
function byOffsetOptions(c: AggregateCall): { n: number | undefined; ignoreNulls: boolean } {
  const second = c.call.args[1];
  if (second === undefined) return { n: undefined, ignoreNulls: true };
  if (second.k === 'literal' && second.type === 'BOOLEAN') {
    if (c.call.args.length > 2) return c.wrongArgs();
    return { n: undefined, ignoreNulls: second.value as boolean };
  }
  const n = literalArg(second, 'INTEGER', c.name, 2) as number;
  const third = literalArg(c.call.args[2], 'BOOLEAN', c.name, 3);
  return { n, ignoreNulls: third === undefined ? true : (third as boolean) };
}

function buildByOffset(c: AggregateCall): AggregateFunction {
  const { name, arg0 } = c;
  if (arg0 === undefined || c.call.args.length > 3) return c.wrongArgs();
  if (arg0.type.kind === 'UNSUPPORTED')
    throw new KsqlUnsupportedError(`${name} over ${formatType(arg0.type)}`);
  const { n, ignoreNulls } = byOffsetOptions(c);
  const latest = name === 'LATEST_BY_OFFSET';
  // Entries are kept in arrival order; LATEST keeps the last n, EARLIEST the first n.
  const keep = (entries: Seq[]): Seq[] => {
    const sorted = [...entries].sort((x, y) => x.s - y.s);
    const limit = n ?? 1;
    return latest ? sorted.slice(Math.max(0, sorted.length - limit)) : sorted.slice(0, limit);
  };
  return {
    name,
    type: n === undefined ? arg0.type : { kind: 'ARRAY', item: arg0.type },
    args: [arg0],
    init: () => [],
    add: (s, v, seq) => {
      const value = v[0] ?? null;
      if (value === null && ignoreNulls) return s;
      const entries = s as Seq[];
      if (n === undefined) {
        // Rows arrive in sequence order: the latest is the new row, the earliest the first one kept.
        return latest || entries.length === 0 ? [{ s: seq, v: value }] : entries;
      }
      return keep([...entries, { s: seq, v: value }]);
    },
    merge: (a, b) => keep([...(a as Seq[]), ...(b as Seq[])]),
    result: (s) => {
      const entries = s as Seq[];
      if (n !== undefined) return entries.map((e) => e.v);
      return entries[0]?.v ?? null;
    },
  };
}

const BUILDERS: Readonly<Record<string, (c: AggregateCall) => AggregateFunction>> = {
  COUNT: buildCount,
  SUM: buildSum,
  MIN: buildMinMax,
  MAX: buildMinMax,
  AVG: buildAvg,
  COUNT_DISTINCT: buildCountDistinct,
  COLLECT_LIST: buildCollect,
  COLLECT_SET: buildCollect,
  LATEST_BY_OFFSET: buildByOffset,
  EARLIEST_BY_OFFSET: buildByOffset,
};

/**
 * Builds an aggregate for a call such as `SUM(VALUE)`. `compileArg` compiles an argument against
 * the input row. Functions ksqlDB has but the engine does not raise {@link KsqlUnsupportedError}.
 */
export function buildAggregate(
  call: Extract<Expr, { k: 'call' }>,
  compileArg: (e: Expr) => Compiled,
): AggregateFunction {
  const name = call.name;
  const first = call.args[0];
  // The first argument is compiled first, so a bad column is reported before an unknown function.
  const arg0 = first === undefined ? undefined : compileArg(first);
  const builder = BUILDERS[name];
  if (builder === undefined) throw new KsqlUnsupportedError(`aggregate function ${name}`);
  const wrongArgs = (): never => {
    throw new KsqlStatementError(
      `Function '${name}' does not accept parameters (${call.args.map(() => '?').join(', ')}): ${formatExpr(call)}`,
    );
  };
  return builder({ name, call, arg0, wrongArgs });
}
