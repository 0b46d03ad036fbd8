import type { Expr } from './ast.ts';
import { KsqlStatementError, KsqlUnsupportedError } from './errors.ts';
import { type Compiled, formatExpr } from './expressions.ts';
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
): number | boolean | undefined {
  if (e === undefined) return undefined;
  if (e.k === 'literal' && e.type === kind) return e.value as number | boolean;
  throw new KsqlStatementError(`Function ${fn} expects a ${kind} literal, got ${formatExpr(e)}`);
}

/**
 * Builds an aggregate for a call such as `SUM(VALUE)`. `compileArg` compiles an argument against
 * the input row. Functions ksqlDB has but the engine does not raise {@link KsqlUnsupportedError}.
 */
export function buildAggregate(
  call: Extract<Expr, { k: 'call' }>,
  compileArg: (e: Expr) => Compiled,
): AggregateFunction {
  const name = call.name;
  const text = formatExpr(call);
  const first = call.args[0];
  const arg0 = first === undefined ? undefined : compileArg(first);
  const wrongArgs = (): never => {
    throw new KsqlStatementError(
      `Function '${name}' does not accept parameters (${call.args.map(() => '?').join(', ')}): ${text}`,
    );
  };
  switch (name) {
    case 'COUNT': {
      if (call.args.length > 1) wrongArgs();
      const countAll = call.star || arg0 === undefined;
      return {
        name,
        type: BIGINT,
        args: countAll || arg0 === undefined ? [] : [arg0],
        init: () => 0,
        add: (s, v) => (countAll || v[0] !== null ? (s as number) + 1 : s),
        merge: (a, b) => (a as number) + (b as number),
        result: (s) => s,
      };
    }
    case 'SUM': {
      if (arg0 === undefined || call.args.length !== 1) return wrongArgs();
      if (!isNumeric(arg0.type)) {
        if (arg0.type.kind === 'UNSUPPORTED')
          throw new KsqlUnsupportedError(`SUM over ${formatType(arg0.type)}`);
        throw new KsqlStatementError(`Function 'SUM' does not accept parameters (${formatType(arg0.type)}).`);
      }
      const int32 = arg0.type.kind === 'INTEGER';
      const plus = (a: number, b: number): number => (int32 ? (a + b) | 0 : a + b);
      return {
        name,
        type: arg0.type,
        args: [arg0],
        init: () => 0,
        add: (s, v) => (v[0] === null ? s : plus(s as number, v[0] as number)),
        merge: (a, b) => plus(a as number, b as number),
        result: (s) => s,
      };
    }
    case 'MIN':
    case 'MAX': {
      if (arg0 === undefined || call.args.length !== 1) return wrongArgs();
      const k = arg0.type.kind;
      if (k !== 'INTEGER' && k !== 'BIGINT' && k !== 'DOUBLE' && k !== 'STRING') {
        if (k === 'UNSUPPORTED') throw new KsqlUnsupportedError(`${name} over ${formatType(arg0.type)}`);
        throw new KsqlStatementError(
          `Function '${name}' does not accept parameters (${formatType(arg0.type)}).`,
        );
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
    case 'AVG': {
      if (arg0 === undefined || call.args.length !== 1) return wrongArgs();
      if (!isNumeric(arg0.type)) {
        if (arg0.type.kind === 'UNSUPPORTED')
          throw new KsqlUnsupportedError(`AVG over ${formatType(arg0.type)}`);
        throw new KsqlStatementError(`Function 'AVG' does not accept parameters (${formatType(arg0.type)}).`);
      }
      return {
        name,
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
    case 'COUNT_DISTINCT': {
      if (arg0 === undefined || call.args.length !== 1) return wrongArgs();
      return {
        name,
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
    case 'COLLECT_LIST':
    case 'COLLECT_SET': {
      if (arg0 === undefined || call.args.length !== 1) return wrongArgs();
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
          if (set && (v[0] === null || list.includes(v[0]))) return list;
          return [...list, v[0] ?? null];
        },
        merge: (a, b) => {
          const out = [...(a as unknown[])];
          for (const x of b as unknown[]) if (!set || !out.includes(x)) out.push(x);
          return out.slice(0, limit);
        },
        result: (s) => s,
      };
    }
    case 'LATEST_BY_OFFSET':
    case 'EARLIEST_BY_OFFSET': {
      if (arg0 === undefined || call.args.length > 3) return wrongArgs();
      if (arg0.type.kind === 'UNSUPPORTED')
        throw new KsqlUnsupportedError(`${name} over ${formatType(arg0.type)}`);
      const second = call.args[1];
      let n: number | undefined;
      let ignoreNulls = true;
      if (second !== undefined) {
        if (second.k === 'literal' && second.type === 'BOOLEAN') {
          if (call.args.length > 2) return wrongArgs();
          ignoreNulls = second.value as boolean;
        } else {
          n = literalArg(second, 'INTEGER', name) as number;
          const third = literalArg(call.args[2], 'BOOLEAN', name);
          if (third !== undefined) ignoreNulls = third as boolean;
        }
      }
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
    default:
      throw new KsqlUnsupportedError(`aggregate function ${name}`);
  }
}
