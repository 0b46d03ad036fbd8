import { type AggregateFunction, buildAggregate } from './aggregates.ts';
import type { CreateAsSelect, Expr, SelectItem } from './ast.ts';
import {
  checkProperties,
  type DataSource,
  RESERVED_COLUMNS,
  resolveFormats,
  stringProperty,
} from './data-source.ts';
import { KsqlStatementError, KsqlUnsupportedError } from './errors.ts';
import {
  AGGREGATE_NAMES,
  type Compiled,
  type CompileScope,
  canonicalExpr,
  compileExpr,
  type Evaluator,
  formatExpr,
  isKnownFunction,
  type Row,
  type ScopeColumn,
  walkExpr,
} from './expressions.ts';
import { AggregationQuery, type DecodedRecord, type PersistentQuery, SkipReason } from './query-runtime.ts';
import {
  columnsSerde,
  Format,
  type SerdeColumn,
  validateKeyFormat,
  validateValueFormat,
  type WindowKind,
} from './serde.ts';
import { BIGINT, containsMap, formatType } from './types.ts';
import { defaultGrace } from './windows.ts';

/** Settings that shape how queries are planned. */
export interface PlanConfig {
  readonly queryId: string;
  readonly outputTopicPrefix: string;
}

const SINK_PROPERTIES = new Set([
  'KAFKA_TOPIC',
  'VALUE_FORMAT',
  'KEY_FORMAT',
  'FORMAT',
  'PARTITIONS',
  'REPLICAS',
  'TIMESTAMP',
  'TIMESTAMP_FORMAT',
  'WRAP_SINGLE_VALUE',
  'RETENTION_MS',
]);

class NotInGroupBy extends Error {}

function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

interface Projected {
  readonly name: string;
  readonly expr: Expr;
}

function expandSelect(
  items: readonly SelectItem[],
  source: DataSource,
  qualifiers: ReadonlySet<string>,
): Projected[] {
  const out: Projected[] = [];
  for (const item of items) {
    if (item.k === 'all') {
      if (item.source !== undefined && !qualifiers.has(item.source)) {
        throw new KsqlStatementError(`Source ${item.source} does not exist.`);
      }
      for (const c of [...source.keyColumns, ...source.valueColumns]) {
        out.push({ name: c.name, expr: { k: 'column', source: undefined, name: c.name, pos: item.pos } });
      }
    } else {
      out.push({ name: item.alias ?? '', expr: item.expr });
    }
  }
  // Generated names skip names already taken, as ksqlDB's KSQL_COL_n generator does.
  const taken = new Set(out.filter((p) => p.name !== '').map((p) => p.name));
  let counter = 0;
  return out.map((p) => {
    if (p.name !== '') return p;
    if (p.expr.k === 'column' && !RESERVED_COLUMNS.has(p.expr.name)) return { ...p, name: p.expr.name };
    if (p.expr.k === 'deref') return { ...p, name: p.expr.field };
    let name = `KSQL_COL_${counter++}`;
    while (taken.has(name)) name = `KSQL_COL_${counter++}`;
    taken.add(name);
    return { ...p, name };
  });
}

function containsAggregate(e: Expr): string | undefined {
  let found: string | undefined;
  walkExpr(e, (n) => {
    if (found === undefined && n.k === 'call' && AGGREGATE_NAMES.has(n.name)) found = n.name;
    return undefined;
  });
  return found;
}

function usesWindowBounds(e: Expr): string | undefined {
  let found: string | undefined;
  walkExpr(e, (n) => {
    if (found === undefined && n.k === 'column' && (n.name === 'WINDOWSTART' || n.name === 'WINDOWEND'))
      found = n.name;
    return undefined;
  });
  return found;
}

function checkDuplicates(columns: readonly SerdeColumn[]): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name))
      throw new KsqlStatementError(
        `Duplicate value columns found in schema: \`${c.name}\` ${formatType(c.type)}`,
      );
    seen.add(c.name);
  }
}

function qualify(e: Expr, alias: string): Expr {
  switch (e.k) {
    case 'column':
      return e.source === undefined ? { ...e, source: alias } : e;
    case 'arith':
    case 'compare':
    case 'logical':
      return { ...e, left: qualify(e.left, alias), right: qualify(e.right, alias) };
    case 'call':
      return { ...e, args: e.args.map((a) => qualify(a, alias)) };
    case 'deref':
      return { ...e, base: qualify(e.base, alias) };
    case 'negate':
    case 'not':
    case 'isNull':
    case 'cast':
      return { ...e, operand: qualify(e.operand, alias) };
    default:
      return e;
  }
}

/** The statement as ksqlDB prints it in some errors (qualified columns, every item named). */
function ksqlStatementText(stmt: CreateAsSelect, projected: readonly Projected[], alias: string): string {
  const q = stmt.query;
  const props = [...stmt.properties.entries()].map(
    ([k, v]) => `${k}=${typeof v === 'string' ? `'${v}'` : String(v)}`,
  );
  const lines = [
    `CREATE ${stmt.sourceType} ${stmt.name}${props.length > 0 ? ` WITH (${props.join(', ')})` : ''} AS SELECT`,
    projected.map((p) => `  ${formatExpr(qualify(p.expr, alias))} ${p.name}`).join(',\n'),
    `FROM ${q.from.name} ${alias}`,
  ];
  if (q.where !== undefined) lines.push(`WHERE ${formatExpr(qualify(q.where, alias))}`);
  if (q.groupBy !== undefined)
    lines.push(`GROUP BY ${q.groupBy.map((g) => formatExpr(qualify(g, alias))).join(', ')}`);
  if (q.having !== undefined) lines.push(`HAVING ${formatExpr(qualify(q.having, alias))}`);
  lines.push(`EMIT ${q.emit ?? 'CHANGES'}`);
  return lines.join('\n');
}

/** Plans CREATE STREAM/TABLE AS SELECT into a runnable query. */
export function planQuery(
  stmt: CreateAsSelect,
  sources: ReadonlyMap<string, DataSource>,
  config: PlanConfig,
): PersistentQuery {
  const q = stmt.query;
  checkProperties(stmt.properties, SINK_PROPERTIES);
  for (const p of ['TIMESTAMP_FORMAT', 'WRAP_SINGLE_VALUE']) {
    if (stmt.properties.has(p)) throw new KsqlUnsupportedError(`WITH property ${p}`);
  }
  const found = sources.get(q.from.name);
  if (found === undefined) throw new KsqlStatementError(`${q.from.name} does not exist.`);
  const source: DataSource = found;
  if (q.partitionBy !== undefined) throw new KsqlUnsupportedError('PARTITION BY');
  for (const p of q.select) {
    if (p.k === 'expr' && p.alias !== undefined && RESERVED_COLUMNS.has(p.alias)) {
      throw new KsqlStatementError(
        `\`${p.alias}\` is a reserved column name. You cannot use it as an alias for a column.`,
      );
    }
  }
  const qualifiers = new Set([source.name, ...(q.from.alias === undefined ? [] : [q.from.alias])]);
  const clauses = [
    ...q.select.flatMap((i) => (i.k === 'expr' ? [i.expr] : [])),
    ...(q.where === undefined ? [] : [q.where]),
    ...(q.groupBy ?? []),
    ...(q.having === undefined ? [] : [q.having]),
  ];
  for (const e of clauses) {
    walkExpr(e, (n) => {
      if (n.k === 'call' && !isKnownFunction(n.name)) {
        throw new KsqlUnsupportedError(
          `function ${n.name} (Can't find any functions with the name '${n.name}' in the embedded engine)`,
        );
      }
      return undefined;
    });
  }

  // Source row layout: key columns, value columns, ROWTIME, then window bounds of a windowed source.
  const columns = new Map<string, ScopeColumn>();
  let index = 0;
  for (const c of [...source.keyColumns, ...source.valueColumns])
    columns.set(c.name, { name: c.name, type: c.type, index: index++ });
  const rowtimeIndex = index++;
  columns.set('ROWTIME', { name: 'ROWTIME', type: BIGINT, index: rowtimeIndex });
  if (source.window !== undefined) {
    columns.set('WINDOWSTART', { name: 'WINDOWSTART', type: BIGINT, index: index++ });
    columns.set('WINDOWEND', { name: 'WINDOWEND', type: BIGINT, index: index++ });
  }
  const rowWidth = index;
  const scopeFor = (clause: string): CompileScope => ({ qualifiers, columns, clause });

  const toRow = (r: DecodedRecord): Row => {
    const row: Row = new Array(rowWidth);
    const nk = source.keyColumns.length;
    for (let i = 0; i < nk; i++) row[i] = r.key[i] ?? null;
    const v = r.value;
    const nv = source.valueColumns.length;
    for (let i = 0; i < nv; i++) row[nk + i] = v === null ? null : (v[i] ?? null);
    row[rowtimeIndex] = r.timestamp;
    if (r.window !== undefined) {
      row[rowtimeIndex + 1] = r.window.start;
      row[rowtimeIndex + 2] = r.window.end;
    }
    return row;
  };

  let where: Evaluator | undefined;
  if (q.where !== undefined) {
    const compiled = compileExpr(q.where, scopeFor('WHERE'));
    if (compiled.type.kind !== 'BOOLEAN') {
      throw new KsqlStatementError(
        `Type error in WHERE expression: Should evaluate to boolean but is ${formatExpr(q.where)} (${formatType(compiled.type)}) instead.`,
      );
    }
    where = compiled.fn;
  }

  const projected = expandSelect(q.select, source, qualifiers);
  const aggregating =
    q.groupBy !== undefined || projected.some((p) => containsAggregate(p.expr) !== undefined);
  const sinkTopic =
    stringProperty(stmt.properties, 'KAFKA_TOPIC') ?? `${config.outputTopicPrefix}${stmt.name}`;
  const formats = resolveFormats(stmt.properties, { key: source.keyFormat, value: source.valueFormat });
  const partitions = stmt.properties.get('PARTITIONS');

  if (!aggregating) {
    if (q.window !== undefined) throw new KsqlStatementError('WINDOW clause requires a GROUP BY clause.');
    if (q.having !== undefined) throw new KsqlStatementError('HAVING clause requires a GROUP BY clause.');
    if (q.emit === 'FINAL')
      throw new KsqlStatementError('EMIT FINAL is only supported for windowed aggregations.');
    if (stmt.sourceType === 'TABLE' && source.type === 'STREAM') {
      throw new KsqlStatementError(
        'Invalid result type. Your SELECT query produces a STREAM. Please use CREATE STREAM AS SELECT statement instead.',
      );
    }
    if (stmt.sourceType === 'STREAM' && source.type === 'TABLE') {
      throw new KsqlStatementError(
        'Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.',
      );
    }
    if (source.type === 'TABLE')
      throw new KsqlUnsupportedError('CREATE TABLE AS SELECT over a TABLE source without GROUP BY');
    return planProjection();
  }
  if (stmt.sourceType === 'STREAM') {
    throw new KsqlStatementError(
      'Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.',
    );
  }
  return planAggregation();

  function planProjection(): PersistentQuery {
    const scope = scopeFor('SELECT');
    const keyPositions: number[] = [];
    const keyNames: string[] = [];
    const valueItems: { name: string; compiled: Compiled }[] = [];
    const keyIndexByColumn = new Map(source.keyColumns.map((c, i) => [c.name, i]));
    const keyAliases = new Map<number, string>();
    for (const p of projected) {
      const e = p.expr;
      if (e.k === 'column' && keyIndexByColumn.has(e.name)) {
        const ki = keyIndexByColumn.get(e.name) as number;
        const existing = keyAliases.get(ki);
        if (existing !== undefined) {
          throw new KsqlStatementError(
            `The projection contains a key column more than once: \`${existing}\` and \`${p.name}\`.`,
          );
        }
        keyAliases.set(ki, p.name);
        continue;
      }
      valueItems.push({ name: p.name, compiled: compileExpr(e, scope) });
    }
    const missing = source.keyColumns.filter((_, i) => !keyAliases.has(i)).map((c) => c.name);
    if (missing.length > 0) {
      const all = source.keyColumns.map((c) => c.name);
      throw new KsqlStatementError(
        `The query used to build \`${stmt.name}\` must include the key column${all.length > 1 ? 's' : ''} ${joinNames(all)} in its projection (eg, SELECT ${all.join(', ')}...).`,
      );
    }
    source.keyColumns.forEach((_, i) => {
      keyPositions.push(i);
      keyNames.push(keyAliases.get(i) as string);
    });
    const keyColumns = source.keyColumns.map((c, i) => ({ name: keyNames[i] as string, type: c.type }));
    const valueColumns = valueItems.map((v) => ({ name: v.name, type: v.compiled.type }));
    checkDuplicates([...keyColumns, ...valueColumns]);
    if (valueColumns.length === 0) throw new KsqlStatementError('The projection contains no value columns.');
    validateKeyFormat(formats.key, keyColumns);
    validateValueFormat(formats.value, valueColumns);
    const tsName = stringProperty(stmt.properties, 'TIMESTAMP')?.toUpperCase();
    let tsIndex: { key: boolean; index: number } | undefined;
    if (tsName !== undefined) {
      const ki = keyColumns.findIndex((c) => c.name === tsName);
      const vi = valueColumns.findIndex((c) => c.name === tsName);
      const col = ki >= 0 ? keyColumns[ki] : valueColumns[vi];
      if (col === undefined)
        throw new KsqlStatementError(
          `The TIMESTAMP column set in the WITH clause does not exist in the schema: '${tsName}'`,
        );
      if (col.type.kind !== 'BIGINT')
        throw new KsqlUnsupportedError(`TIMESTAMP column of type ${formatType(col.type)}`);
      tsIndex = ki >= 0 ? { key: true, index: ki } : { key: false, index: vi };
    }
    const sink: DataSource = {
      name: stmt.name,
      type: 'STREAM',
      topic: sinkTopic,
      keyFormat: formats.key,
      valueFormat: formats.value,
      keyColumns,
      valueColumns,
      timestampColumn: tsName,
      window: source.window,
      partitions: typeof partitions === 'number' ? partitions : source.partitions,
    };
    const valueFns = valueItems.map((v) => v.compiled.fn);
    return {
      id: config.queryId,
      source,
      sink,
      process(record, ctx) {
        if (record.value === null) return;
        const row = toRow(record);
        if (where !== undefined) {
          let keep: unknown;
          try {
            keep = where(row);
          } catch (err) {
            ctx.skip(SkipReason.Evaluation, (err as Error).message);
            return;
          }
          if (keep !== true) return;
        }
        const values = valueFns.map((f) => {
          try {
            return f(row);
          } catch (err) {
            // ksqlDB logs a failing expression and writes null for that column.
            ctx.skip(SkipReason.Evaluation, (err as Error).message);
            return null;
          }
        });
        const key = keyPositions.map((i) => row[i] ?? null);
        let timestamp = record.timestamp;
        if (tsIndex !== undefined) {
          const t = (tsIndex.key ? key[tsIndex.index] : values[tsIndex.index]) as number | null;
          if (t === null || t < 0) {
            ctx.skip(SkipReason.InvalidTimestamp, `invalid timestamp ${String(t)} in column ${tsName}`);
            return;
          }
          timestamp = t;
        }
        ctx.emit({ key, window: record.window, value: values, timestamp });
      },
      snapshot: () => null,
      restore: () => undefined,
    };
  }

  function planAggregation(): PersistentQuery {
    if (source.type === 'TABLE') throw new KsqlUnsupportedError('aggregation over a TABLE source');
    if (source.window !== undefined) throw new KsqlUnsupportedError('aggregation over a windowed source');
    if (source.valueFormat === Format.KAFKA) {
      throw new KsqlStatementError(
        `Source(s) ${source.name} are using the 'KAFKA' value format. This format does not yet support GROUP BY.`,
      );
    }
    if (q.emit === 'FINAL' && q.window === undefined)
      throw new KsqlStatementError('EMIT FINAL is only supported for windowed aggregations.');
    const groupBy = q.groupBy;
    if (groupBy === undefined) {
      const plain = projected
        .filter((p) => containsAggregate(p.expr) === undefined)
        .map((p) => canonicalExpr(p.expr));
      if (plain.length > 0) {
        throw new KsqlStatementError(
          `Non-aggregate SELECT expression(s) not part of GROUP BY: ${plain.join(', ')}\nEither add the column(s) to the GROUP BY or remove them from the SELECT.`,
        );
      }
      const first = projected.find((p) => containsAggregate(p.expr) !== undefined)?.expr;
      let shown = '';
      if (first !== undefined) {
        walkExpr(first, (n) => {
          if (shown === '' && n.k === 'call' && AGGREGATE_NAMES.has(n.name)) {
            shown = n.star || n.args.length === 0 ? `${n.name}(ROWTIME)` : canonicalExpr(n);
          }
          return undefined;
        });
      }
      throw new KsqlStatementError(
        `${stmt.sourceType === 'TABLE' ? 'CREATE TABLE' : 'CREATE STREAM'} AS SELECT statement does not support aggregate function [${shown}] without a GROUP BY clause.`,
      );
    }
    const sourceScope = scopeFor('GROUP BY');
    const groupCanon: string[] = [];
    const groupCompiled: Compiled[] = [];
    for (const g of groupBy) {
      const agg = containsAggregate(g);
      if (agg !== undefined)
        throw new KsqlStatementError(
          `GROUP BY does not support aggregate functions: ${agg} is an aggregate function.`,
        );
      const wb = usesWindowBounds(g);
      if (wb !== undefined)
        throw new KsqlStatementError(
          `Window bounds column ${wb} can only be used in the SELECT clause of windowed aggregations`,
        );
      const canon = canonicalExpr(g);
      if (groupCanon.includes(canon))
        throw new KsqlStatementError(`Duplicate GROUP BY expression: ${formatExpr(g)}`);
      groupCanon.push(canon);
      groupCompiled.push(compileExpr(g, sourceScope));
    }
    for (const [i, g] of groupCompiled.entries()) {
      if (containsMap(g.type)) {
        throw new KsqlStatementError(
          `Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. Key column name: \`${projected.find((p) => canonicalExpr(p.expr) === groupCanon[i])?.name ?? `KSQL_COL_${i}`}\`. Column type: ${formatType(g.type)}. See https://github.com/confluentinc/ksql/issues/6621 for more.`,
        );
      }
    }

    // Aggregate calls of SELECT and HAVING, deduplicated by their text.
    const aggregates: AggregateFunction[] = [];
    const aggIndex = new Map<string, number>();
    const collect = (e: Expr): void => {
      walkExpr(e, (n) => {
        if (n.k === 'call' && AGGREGATE_NAMES.has(n.name)) {
          for (const a of n.args) {
            if (containsAggregate(a) !== undefined)
              throw new KsqlStatementError(`Aggregate functions can not be nested: ${formatExpr(n)}`);
            const wb = usesWindowBounds(a);
            if (wb !== undefined)
              throw new KsqlStatementError(
                `Window bounds column ${wb} can only be used in the SELECT clause of windowed aggregations`,
              );
          }
          const canon = canonicalExpr(n);
          if (!aggIndex.has(canon)) {
            aggIndex.set(canon, aggregates.length);
            aggregates.push(buildAggregate(n, (a) => compileExpr(a, scopeFor('SELECT'))));
          }
          return false;
        }
        return undefined;
      });
    };
    for (const p of projected) collect(p.expr);
    if (q.having !== undefined) {
      const wb = usesWindowBounds(q.having);
      if (wb !== undefined)
        throw new KsqlStatementError(
          `Window bounds column ${wb} can only be used in the SELECT clause of windowed aggregations`,
        );
      collect(q.having);
    }
    if (aggregates.length === 0)
      throw new KsqlStatementError(
        'GROUP BY requires aggregate functions in either the SELECT or HAVING clause.',
      );
    const structIntermediate = aggregates.some((a) =>
      ['AVG', 'LATEST_BY_OFFSET', 'EARLIEST_BY_OFFSET'].includes(a.name),
    );
    if (structIntermediate && source.valueFormat === Format.DELIMITED) {
      throw new KsqlStatementError(
        'One of the functions used in the statement has an intermediate type that the value format can not handle. Please remove the function or change the format.',
      );
    }

    const G = groupCompiled.length;
    const A = aggregates.length;
    const windowed = q.window !== undefined;
    const postScope = (clause: 'SELECT' | 'HAVING'): CompileScope => ({
      qualifiers,
      columns: new Map(),
      clause,
      override: (e) => {
        const canon = canonicalExpr(e);
        const gi = groupCanon.indexOf(canon);
        if (gi >= 0) {
          const t = (groupCompiled[gi] as Compiled).type;
          return { type: t, fn: (row) => row[gi] ?? null };
        }
        if (e.k === 'call' && AGGREGATE_NAMES.has(e.name)) {
          const ai = aggIndex.get(canon) as number;
          const t = (aggregates[ai] as AggregateFunction).type;
          return { type: t, fn: (row) => row[G + ai] ?? null };
        }
        if (e.k === 'column') {
          if ((e.name === 'WINDOWSTART' || e.name === 'WINDOWEND') && clause === 'SELECT') {
            if (!windowed) throw new KsqlStatementError(`SELECT column '${e.name}' cannot be resolved.`);
            const at = G + A + (e.name === 'WINDOWSTART' ? 0 : 1);
            return { type: BIGINT, fn: (row) => row[at] ?? null };
          }
          if (!columns.has(e.name)) {
            throw new KsqlStatementError(`${clause} column '${e.name}' cannot be resolved.`);
          }
          throw new NotInGroupBy(e.name);
        }
        return undefined;
      },
    });

    const keyNames: (string | undefined)[] = groupCanon.map(() => undefined);
    const valueItems: { name: string; compiled: Compiled }[] = [];
    const notInGroupBy: string[] = [];
    for (const p of projected) {
      const gi = groupCanon.indexOf(canonicalExpr(p.expr));
      if (gi >= 0) {
        const existing = keyNames[gi];
        if (existing !== undefined) {
          throw new KsqlStatementError(
            `The projection contains a key column more than once: \`${existing}\` and \`${p.name}\`.`,
          );
        }
        keyNames[gi] = p.name;
        continue;
      }
      try {
        valueItems.push({ name: p.name, compiled: compileExpr(p.expr, postScope('SELECT')) });
      } catch (err) {
        if (!(err instanceof NotInGroupBy)) throw err;
        notInGroupBy.push(canonicalExpr(p.expr));
      }
    }
    if (notInGroupBy.length > 0) {
      throw new KsqlStatementError(
        `Non-aggregate SELECT expression(s) not part of GROUP BY: ${notInGroupBy.join(', ')}\nEither add the column(s) to the GROUP BY or remove them from the SELECT.`,
      );
    }
    const missingKeys = groupBy.filter((_, i) => keyNames[i] === undefined).map((g) => canonicalExpr(g));
    if (missingKeys.length > 0) {
      throw new KsqlStatementError(
        `The query used to build \`${stmt.name}\` must include the grouping expression${missingKeys.length > 1 ? 's' : ''} ${joinNames(missingKeys)} in its projection (eg, SELECT ${missingKeys.join(', ')}...).`,
      );
    }
    let having: Evaluator | undefined;
    if (q.having !== undefined) {
      try {
        const compiled = compileExpr(q.having, postScope('HAVING'));
        if (compiled.type.kind !== 'BOOLEAN')
          throw new KsqlStatementError(`HAVING expression must be BOOLEAN: ${formatExpr(q.having)}`);
        having = compiled.fn;
      } catch (err) {
        if (!(err instanceof NotInGroupBy)) throw err;
        throw new KsqlStatementError(`Non-aggregate HAVING expression not part of GROUP BY: ${err.message}`);
      }
    }
    const keyColumns = groupCompiled.map((g, i) => ({ name: keyNames[i] as string, type: g.type }));
    const valueColumns = valueItems.map((v) => ({ name: v.name, type: v.compiled.type }));
    checkDuplicates([...keyColumns, ...valueColumns]);
    if (valueColumns.length === 0) throw new KsqlStatementError('The projection contains no value columns.');
    try {
      validateKeyFormat(formats.key === Format.NONE ? Format.KAFKA : formats.key, keyColumns);
    } catch (err) {
      if (!(err instanceof KsqlStatementError)) throw err;
      throw new KsqlStatementError(
        err.message,
        ksqlStatementText(stmt, projected, q.from.alias ?? source.name),
      );
    }
    validateValueFormat(formats.value, valueColumns);
    if (stmt.properties.has('TIMESTAMP'))
      throw new KsqlUnsupportedError('TIMESTAMP property on an aggregate sink');

    const w = q.window;
    const emitFinal = q.emit === 'FINAL';
    let windowKind: WindowKind | undefined;
    let windowSize: number | undefined;
    if (w !== undefined) {
      windowKind = w.type;
      if (w.type !== 'SESSION') windowSize = w.size;
      if (w.type === 'HOPPING' && (w.advance <= 0 || w.advance > w.size)) {
        throw new KsqlStatementError(
          `Window advance must be > 0 and <= window size: ${w.advance} > ${w.size}`,
        );
      }
      const size = w.type === 'SESSION' ? w.gap : w.size;
      if (size <= 0) throw new KsqlStatementError('Window size must be greater than zero.');
      if (w.retention !== undefined && w.type !== 'SESSION') {
        const grace = w.grace ?? defaultGrace(size, emitFinal);
        if (w.retention < size + grace) {
          throw new KsqlStatementError(
            `The retention period specified (${w.retention} ms) must be no smaller than the window size plus grace period (${size + grace} ms).`,
          );
        }
      }
    }
    const sink: DataSource = {
      name: stmt.name,
      type: 'TABLE',
      topic: sinkTopic,
      keyFormat: formats.key === Format.NONE ? Format.KAFKA : formats.key,
      valueFormat: formats.value,
      keyColumns,
      valueColumns,
      timestampColumn: undefined,
      window: windowKind === undefined ? undefined : { kind: windowKind, size: windowSize },
      partitions: typeof partitions === 'number' ? partitions : source.partitions,
    };
    // ksqlDB groups by the existing key (no repartition) only when the GROUP BY expressions are
    // exactly the source's key columns, in order; otherwise records go through a repartition
    // topic keyed by the new key, in the sink's key format.
    const byExistingKey =
      groupBy.length === source.keyColumns.length &&
      groupBy.every(
        (g, i) =>
          g.k === 'column' &&
          (g.source === undefined || qualifiers.has(g.source)) &&
          g.name === source.keyColumns[i]?.name,
      );
    return new AggregationQuery(config.queryId, source, sink, {
      toRow,
      partitionKey: byExistingKey ? undefined : columnsSerde(sink.keyFormat, keyColumns, true),
      sourceKey: columnsSerde(source.keyFormat, source.keyColumns, true),
      where,
      groupBy: groupCompiled.map((g) => g.fn),
      aggregates,
      having,
      values: valueItems.map((v) => v.compiled.fn),
      window: w,
      emitFinal,
    });
  }
}
