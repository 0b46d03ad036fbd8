import { AppError } from '../../services/commons/errors.ts';
import { type AggregateFunction, buildAggregate } from './aggregates.ts';
import { AggregationQuery, type EmitSettings } from './aggregation-query.ts';
import type { CreateAsSelect, Expr, Query, SelectItem, WindowSpec } from './ast.ts';
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
  OFFSET_PSEUDO_COLUMNS,
  type Row,
  type ScopeColumn,
  walkExpr,
} from './expressions.ts';
import { rewriteMagicTimestamps } from './magic-timestamp.ts';
import { type DecodedRecord, type PersistentQuery, SkipReason } from './query-runtime.ts';
import { columnsSerde, Format, type SerdeColumn, validateKeyFormat, validateValueFormat } from './serde.ts';
import { BIGINT, containsMap, formatType, isNullType } from './types.ts';
import { defaultGrace } from './windows.ts';

/** Settings that shape how queries are planned. */
export interface PlanConfig {
  readonly queryId: string;
  readonly outputTopicPrefix: string;
  /** EMIT FINAL's emit throttle (the emit-interval property and the wall clock). */
  readonly emit: EmitSettings;
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

class NotInGroupBy extends AppError {
  readonly code: string = 'NOT_IN_GROUP_BY';
}

/** ksqlDB's SystemColumns the engine evaluates (ROWPARTITION and ROWOFFSET are unsupported). */
const SYSTEM_COLUMNS = new Set(['ROWTIME', 'WINDOWSTART', 'WINDOWEND']);

/** FinalProjectNode's error for a key column projected under two names. */
function keyProjectedTwice(key: string, aliases: readonly string[]): KsqlStatementError {
  return new KsqlStatementError(
    `The projection contains a key column (\`${key}\`) more than once, aliased as: ${joinNames([...aliases].sort())}.\nEach key column must only be in the projection once. If you intended to copy the key into the value, then consider using the AS_VALUE function to indicate which key reference should be copied.`,
  );
}

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
        throw new KsqlStatementError(`'${item.source}' is not a valid stream/table name or alias.`);
      }
      for (const c of [...source.keyColumns, ...source.valueColumns]) {
        out.push({ name: c.name, expr: { k: 'column', source: undefined, name: c.name, pos: item.pos } });
      }
    } else {
      out.push({ name: item.alias ?? '', expr: item.expr });
    }
  }
  const aliases = aliasGenerator([...source.keyColumns, ...source.valueColumns].map((c) => c.name));
  return out.map((p) => {
    if (p.name !== '') return p;
    if (p.expr.k === 'column' && !RESERVED_COLUMNS.has(p.expr.name)) return { ...p, name: p.expr.name };
    return { ...p, name: p.expr.k === 'deref' ? aliases.next(p.expr.field) : aliases.next(GENERATED_PREFIX) };
  });
}

const GENERATED_PREFIX = 'KSQL_COL';

/** `NAME_12` → NAME and 12; `NAME` → NAME and 0 (ksqlDB's NUMBERED_COLUMN_PATTERN). */
function splitNumbered(name: string): { base: string; n: number } {
  const m = /^(.*?)(?:_(\d+))?$/.exec(name);
  return { base: m?.[1] ?? name, n: m?.[2] === undefined ? 0 : Number(m[2]) };
}

/**
 * ksqlDB's names for unaliased SELECT expressions (ColumnNames.columnAliasGenerator, used by
 * AstSanitizer): a struct field `a->b` is named `B`, then `B_1`, `B_2`, … and anything else
 * `KSQL_COL_0`, `KSQL_COL_1`, …, each skipping the numbers the source's own columns of that name
 * already use (`B` counts as 0; the bare name is used for 0 except for KSQL_COL).
 */
function aliasGenerator(sourceColumns: readonly string[]): { next(name: string): string } {
  const used = new Map<string, Set<number>>();
  for (const c of sourceColumns) {
    const { base, n } = splitNumbered(c);
    used.set(base, (used.get(base) ?? new Set()).add(n));
  }
  const nextIndex = new Map<string, number>();
  return {
    next(name: string): string {
      const base = name === GENERATED_PREFIX ? name : splitNumbered(name).base;
      const taken = used.get(base);
      let i = nextIndex.get(base) ?? 0;
      while (taken?.has(i) === true) i++;
      nextIndex.set(base, i + 1);
      return i === 0 && base !== GENERATED_PREFIX ? base : `${base}_${i}`;
    },
  };
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

/** The query's source and the names that may qualify its columns (`TEST.ID`, `T.ID`). */
interface ResolvedSource {
  readonly source: DataSource;
  readonly qualifiers: ReadonlySet<string>;
}

/** The row a source record is decoded into and the columns that expressions over it see. */
interface SourceRow {
  readonly columns: ReadonlyMap<string, ScopeColumn>;
  readonly scope: (clause: string) => CompileScope;
  readonly toRow: (r: DecodedRecord) => Row;
}

/** Where the result is written: topic, formats and partition count. */
interface SinkSettings {
  readonly topic: string;
  readonly formats: { readonly key: Format; readonly value: Format };
  readonly partitions: number | undefined;
}

/** What the projection and aggregation phases share once the source and SELECT are resolved. */
interface PlanInput {
  readonly stmt: CreateAsSelect;
  readonly queryId: string;
  readonly source: DataSource;
  readonly qualifiers: ReadonlySet<string>;
  readonly row: SourceRow;
  readonly where: Evaluator | undefined;
  readonly projected: readonly Projected[];
  readonly sink: SinkSettings;
}

/** A value column of the sink and the expression computing it. */
interface ValueItem {
  readonly name: string;
  readonly compiled: Compiled;
}

/** Plans CREATE STREAM/TABLE AS SELECT into a runnable query. */
export function planQuery(
  stmt: CreateAsSelect,
  sources: ReadonlyMap<string, DataSource>,
  config: PlanConfig,
): PersistentQuery {
  const q = stmt.query;
  checkSinkProperties(stmt.properties);
  const { source, qualifiers } = resolveSource(q, sources);
  checkQueryClauses(q);
  const row = sourceRow(source, qualifiers);
  const where = planWhere(q.where, row);
  const projected = expandSelect(q.select, source, qualifiers);
  const aggregating = isAggregating(q, projected);
  const sink = sinkSettings(stmt, source, config);
  const input: PlanInput = { stmt, queryId: config.queryId, source, qualifiers, row, where, projected, sink };
  if (!aggregating) {
    checkProjectionResult(stmt, source);
    const projection = planProjection(input);
    return projectionQuery(input, projection, projectionSink(input, projection));
  }
  checkAggregationResult(stmt);
  const aggregation = planAggregation(input);
  return aggregationQuery(input, aggregation, aggregationSink(input, aggregation), config.emit);
}

function checkSinkProperties(properties: CreateAsSelect['properties']): void {
  checkProperties(properties, SINK_PROPERTIES);
  for (const p of ['TIMESTAMP_FORMAT', 'WRAP_SINGLE_VALUE']) {
    if (properties.has(p)) throw new KsqlUnsupportedError(`WITH property ${p}`);
  }
}

function resolveSource(q: Query, sources: ReadonlyMap<string, DataSource>): ResolvedSource {
  const source = sources.get(q.from.name);
  if (source === undefined) throw new KsqlStatementError(`${q.from.name} does not exist.`);
  const qualifiers = new Set([source.name, ...(q.from.alias === undefined ? [] : [q.from.alias])]);
  return { source, qualifiers };
}

/** Rejects PARTITION BY, reserved aliases and functions the engine does not know. */
function checkQueryClauses(q: Query): void {
  if (q.partitionBy !== undefined) throw new KsqlUnsupportedError('PARTITION BY');
  for (const p of q.select) {
    if (p.k === 'expr' && p.alias !== undefined && RESERVED_COLUMNS.has(p.alias)) {
      throw new KsqlStatementError(
        `\`${p.alias}\` is a reserved column name. You cannot use it as an alias for a column.`,
      );
    }
    // Analyzer.checkForReservedToken: a persistent query cannot name a column after a system column.
    if (p.k === 'expr' && p.alias === undefined && p.expr.k === 'column' && SYSTEM_COLUMNS.has(p.expr.name)) {
      throw new KsqlStatementError(
        `Reserved column name in select: \`${p.expr.name}\`. Please remove or alias the column.`,
      );
    }
  }
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
}

/** Source row layout: key columns, value columns, ROWTIME, then window bounds of a windowed source. */
function sourceRow(source: DataSource, qualifiers: ReadonlySet<string>): SourceRow {
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
  return { columns, scope: (clause) => ({ qualifiers, columns, clause }), toRow };
}

function planWhere(where: Expr | undefined, row: SourceRow): Evaluator | undefined {
  if (where === undefined) return undefined;
  const compiled = compileExpr(rewriteMagicTimestamps(where), row.scope('WHERE'));
  if (compiled.type.kind !== 'BOOLEAN') {
    throw new KsqlStatementError(
      `Type error in WHERE expression: Should evaluate to boolean but is ${formatExpr(where)} (${formatType(compiled.type)}) instead.`,
    );
  }
  return compiled.fn;
}

function isAggregating(q: Query, projected: readonly Projected[]): boolean {
  return q.groupBy !== undefined || projected.some((p) => containsAggregate(p.expr) !== undefined);
}

function sinkSettings(stmt: CreateAsSelect, source: DataSource, config: PlanConfig): SinkSettings {
  const topic = stringProperty(stmt.properties, 'KAFKA_TOPIC') ?? `${config.outputTopicPrefix}${stmt.name}`;
  const formats = resolveFormats(stmt.properties, { key: source.keyFormat, value: source.valueFormat });
  const partitions = stmt.properties.get('PARTITIONS');
  return { topic, formats, partitions: typeof partitions === 'number' ? partitions : source.partitions };
}

/** A query without aggregation produces a STREAM from a STREAM, and has no aggregate-only clause. */
function checkProjectionResult(stmt: CreateAsSelect, source: DataSource): void {
  const q = stmt.query;
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
}

/** An aggregation produces a TABLE. */
function checkAggregationResult(stmt: CreateAsSelect): void {
  if (stmt.sourceType === 'STREAM') {
    throw new KsqlStatementError(
      'Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.',
    );
  }
}

/** Sink columns checked the same way for both kinds of query. */
function checkSinkColumns(keyColumns: readonly SerdeColumn[], valueColumns: readonly SerdeColumn[]): void {
  // SelectionUtil.buildProjectionSchema: a column needs a type, and the NULL literal has none.
  if (valueColumns.some((c) => isNullType(c.type))) {
    throw new KsqlStatementError(
      "Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).",
    );
  }
  checkDuplicates([...keyColumns, ...valueColumns]);
  if (valueColumns.length === 0) throw new KsqlStatementError('The projection contains no value columns.');
}

// --- projection (no GROUP BY) ---

/** The WITH TIMESTAMP column of a projection's sink and where it sits in the output record. */
interface SinkTimestamp {
  readonly name: string;
  readonly key: boolean;
  readonly index: number;
}

/** Key columns (every source key column, under its projected name) and compiled value columns. */
interface ProjectionPlan {
  readonly keyColumns: readonly SerdeColumn[];
  readonly values: readonly ValueItem[];
}

/** The sink of a projection and, with WITH TIMESTAMP, the column its records take their time from. */
interface ProjectionSink {
  readonly sink: DataSource;
  readonly timestamp: SinkTimestamp | undefined;
}

function planProjection(input: PlanInput): ProjectionPlan {
  const { source } = input;
  const scope = input.row.scope('SELECT');
  const values: ValueItem[] = [];
  const keyIndexByColumn = new Map(source.keyColumns.map((c, i) => [c.name, i]));
  const keyAliases = new Map<number, string>();
  for (const p of input.projected) {
    const e = p.expr;
    if (e.k === 'column' && keyIndexByColumn.has(e.name)) {
      const ki = keyIndexByColumn.get(e.name) as number;
      const existing = keyAliases.get(ki);
      if (existing !== undefined) throw keyProjectedTwice(e.name, [existing, p.name]);
      keyAliases.set(ki, p.name);
      continue;
    }
    values.push({ name: p.name, compiled: compileExpr(e, scope) });
  }
  const missing = source.keyColumns.filter((_, i) => !keyAliases.has(i)).map((c) => c.name);
  if (missing.length > 0) {
    const all = source.keyColumns.map((c) => c.name);
    throw new KsqlStatementError(
      `The query used to build \`${input.stmt.name}\` must include the key column${all.length > 1 ? 's' : ''} ${joinNames(all)} in its projection (eg, SELECT ${all.join(', ')}...).`,
    );
  }
  const keyColumns = source.keyColumns.map((c, i) => ({ name: keyAliases.get(i) as string, type: c.type }));
  return { keyColumns, values };
}

function projectionSink(input: PlanInput, plan: ProjectionPlan): ProjectionSink {
  const { keyColumns } = plan;
  const valueColumns = plan.values.map((v) => ({ name: v.name, type: v.compiled.type }));
  checkSinkColumns(keyColumns, valueColumns);
  validateKeyFormat(input.sink.formats.key, keyColumns);
  validateValueFormat(input.sink.formats.value, valueColumns);
  const timestamp = sinkTimestamp(input.stmt.properties, keyColumns, valueColumns);
  const sink: DataSource = {
    name: input.stmt.name,
    type: 'STREAM',
    topic: input.sink.topic,
    keyFormat: input.sink.formats.key,
    valueFormat: input.sink.formats.value,
    keyColumns,
    valueColumns,
    timestampColumn: timestamp?.name,
    window: input.source.window,
    partitions: input.sink.partitions,
  };
  return { sink, timestamp };
}

function sinkTimestamp(
  properties: CreateAsSelect['properties'],
  keyColumns: readonly SerdeColumn[],
  valueColumns: readonly SerdeColumn[],
): SinkTimestamp | undefined {
  const name = stringProperty(properties, 'TIMESTAMP')?.toUpperCase();
  if (name === undefined) return undefined;
  const ki = keyColumns.findIndex((c) => c.name === name);
  const vi = valueColumns.findIndex((c) => c.name === name);
  const col = ki >= 0 ? keyColumns[ki] : valueColumns[vi];
  if (col === undefined)
    throw new KsqlStatementError(
      `The TIMESTAMP column set in the WITH clause does not exist in the schema: '${name}'`,
    );
  if (col.type.kind !== 'BIGINT')
    throw new KsqlUnsupportedError(`TIMESTAMP column of type ${formatType(col.type)}`);
  return ki >= 0 ? { name, key: true, index: ki } : { name, key: false, index: vi };
}

function projectionQuery(input: PlanInput, plan: ProjectionPlan, output: ProjectionSink): PersistentQuery {
  const { source, where } = input;
  const { toRow } = input.row;
  const { sink, timestamp } = output;
  const keyPositions = source.keyColumns.map((_, i) => i);
  const valueFns = plan.values.map((v) => v.compiled.fn);
  return {
    id: input.queryId,
    source,
    sink,
    process(record, ctx) {
      if (record.value === null) {
        // A null row, on a windowed source as on any stream: ksqlDB's filter drops it
        // (SqlPredicate: "if (value == null) return Optional.empty()") and its projection
        // maps it to null (SelectValueMapper: "if (value == null) return null"), so without a
        // WHERE it reaches the sink as a tombstone under its key and window (confluentinc/ksql,
        // ksqldb-execution/.../transform/{sqlpredicate/SqlPredicate,select/SelectValueMapper}.java).
        if (where !== undefined) return;
        if (timestamp !== undefined && !timestamp.key) {
          ctx.skip(
            SkipReason.InvalidTimestamp,
            `no value to read the timestamp column ${timestamp.name} from`,
          );
          return;
        }
        const key = keyPositions.map((i) => record.key[i] ?? null);
        const ts = timestamp === undefined ? record.timestamp : (key[timestamp.index] as number | null);
        if (ts === null || ts < 0) {
          ctx.skip(SkipReason.InvalidTimestamp, `invalid timestamp ${String(ts)}`);
          return;
        }
        ctx.emit({ key, window: record.window, value: null, timestamp: ts });
        return;
      }
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
      let ts = record.timestamp;
      if (timestamp !== undefined) {
        const t = (timestamp.key ? key[timestamp.index] : values[timestamp.index]) as number | null;
        if (t === null || t < 0) {
          ctx.skip(SkipReason.InvalidTimestamp, `invalid timestamp ${String(t)} in column ${timestamp.name}`);
          return;
        }
        ts = t;
      }
      ctx.emit({ key, window: record.window, value: values, timestamp: ts });
    },
    snapshot: () => null,
    restore: () => undefined,
  };
}

// --- aggregation (GROUP BY, windows, HAVING) ---

/** GROUP BY expressions: their canonical text (to match SELECT and HAVING) and compiled form. */
interface GroupKeys {
  readonly canon: readonly string[];
  readonly compiled: readonly Compiled[];
}

/** Aggregate calls of SELECT and HAVING, deduplicated by their canonical text. */
interface Aggregates {
  readonly functions: readonly AggregateFunction[];
  readonly index: ReadonlyMap<string, number>;
}

/** GROUP BY, aggregates, the projection's key and value columns, and HAVING, all checked. */
interface AggregationPlan {
  readonly groupBy: readonly Expr[];
  readonly groups: GroupKeys;
  readonly aggregates: Aggregates;
  readonly keyNames: readonly (string | undefined)[];
  readonly values: readonly ValueItem[];
  readonly having: Evaluator | undefined;
}

function planAggregation(input: PlanInput): AggregationPlan {
  const { stmt, source, projected } = input;
  const q = stmt.query;
  checkAggregationSource(q, source);
  const groupBy = requireGroupBy(stmt, projected);
  const groups = planGroupBy(groupBy, projected, input.row);
  const aggregates = collectAggregates(projected, q.having, input.row);
  checkIntermediateFormat(aggregates, source);
  const scope = (clause: 'SELECT' | 'HAVING'): CompileScope =>
    aggregateScope(clause, input, groups, aggregates, q.window !== undefined);
  const { keyNames, values } = planAggregateColumns(input, groupBy, groups, scope('SELECT'));
  const having = planHaving(q.having, scope('HAVING'));
  return { groupBy, groups, aggregates, keyNames, values, having };
}

function checkAggregationSource(q: Query, source: DataSource): void {
  if (source.type === 'TABLE') throw new KsqlUnsupportedError('aggregation over a TABLE source');
  if (source.window !== undefined) throw new KsqlUnsupportedError('aggregation over a windowed source');
  if (source.valueFormat === Format.KAFKA) {
    throw new KsqlStatementError(
      `Source(s) ${source.name} are using the 'KAFKA' value format. This format does not yet support GROUP BY.`,
    );
  }
  if (q.emit === 'FINAL' && q.window === undefined)
    throw new KsqlStatementError('EMIT FINAL is only supported for windowed aggregations.');
}

/** The GROUP BY expressions; an aggregate without GROUP BY is rejected with ksqlDB's message. */
function requireGroupBy(stmt: CreateAsSelect, projected: readonly Projected[]): readonly Expr[] {
  const groupBy = stmt.query.groupBy;
  if (groupBy !== undefined) return groupBy;
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

function planGroupBy(groupBy: readonly Expr[], projected: readonly Projected[], row: SourceRow): GroupKeys {
  const sourceScope = row.scope('GROUP BY');
  const canon: string[] = [];
  const compiled: Compiled[] = [];
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
    const c = canonicalExpr(g);
    if (canon.includes(c)) throw new KsqlStatementError(`Duplicate GROUP BY expression: ${formatExpr(g)}`);
    canon.push(c);
    compiled.push(compileExpr(g, sourceScope));
  }
  for (const [i, g] of compiled.entries()) {
    if (containsMap(g.type)) {
      throw new KsqlStatementError(
        `Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. Key column name: \`${projected.find((p) => canonicalExpr(p.expr) === canon[i])?.name ?? `KSQL_COL_${i}`}\`. Column type: ${formatType(g.type)}. See https://github.com/confluentinc/ksql/issues/6621 for more.`,
      );
    }
  }
  return { canon, compiled };
}

function collectAggregates(
  projected: readonly Projected[],
  having: Expr | undefined,
  row: SourceRow,
): Aggregates {
  const functions: AggregateFunction[] = [];
  const index = new Map<string, number>();
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
        if (!index.has(canon)) {
          index.set(canon, functions.length);
          functions.push(buildAggregate(n, (a) => compileExpr(a, row.scope('SELECT'))));
        }
        return false;
      }
      return undefined;
    });
  };
  for (const p of projected) collect(p.expr);
  if (having !== undefined) {
    const wb = usesWindowBounds(having);
    if (wb !== undefined)
      throw new KsqlStatementError(
        `Window bounds column ${wb} can only be used in the SELECT clause of windowed aggregations`,
      );
    collect(having);
  }
  if (functions.length === 0)
    throw new KsqlStatementError(
      'GROUP BY requires aggregate functions in either the SELECT or HAVING clause.',
    );
  return { functions, index };
}

function checkIntermediateFormat(aggregates: Aggregates, source: DataSource): void {
  const structIntermediate = aggregates.functions.some((a) =>
    ['AVG', 'LATEST_BY_OFFSET', 'EARLIEST_BY_OFFSET'].includes(a.name),
  );
  if (structIntermediate && source.valueFormat === Format.DELIMITED) {
    throw new KsqlStatementError(
      'One of the functions used in the statement has an intermediate type that the value format can not handle. Please remove the function or change the format.',
    );
  }
}

/**
 * Scope of SELECT and HAVING after aggregation: the row is the group key, the aggregate results,
 * then (windowed) WINDOWSTART and WINDOWEND; a source column outside GROUP BY throws NotInGroupBy.
 */
function aggregateScope(
  clause: 'SELECT' | 'HAVING',
  input: PlanInput,
  groups: GroupKeys,
  aggregates: Aggregates,
  windowed: boolean,
): CompileScope {
  const G = groups.compiled.length;
  const A = aggregates.functions.length;
  const columns = input.row.columns;
  return {
    qualifiers: input.qualifiers,
    columns: new Map(),
    clause,
    override: (e) => {
      const canon = canonicalExpr(e);
      const gi = groups.canon.indexOf(canon);
      if (gi >= 0) {
        const t = (groups.compiled[gi] as Compiled).type;
        return { type: t, fn: (row) => row[gi] ?? null };
      }
      if (e.k === 'call' && AGGREGATE_NAMES.has(e.name)) {
        const ai = aggregates.index.get(canon) as number;
        const t = (aggregates.functions[ai] as AggregateFunction).type;
        return { type: t, fn: (row) => row[G + ai] ?? null };
      }
      if (e.k === 'column') {
        if ((e.name === 'WINDOWSTART' || e.name === 'WINDOWEND') && clause === 'SELECT') {
          if (!windowed) throw new KsqlStatementError(`SELECT column '${e.name}' cannot be resolved.`);
          const at = G + A + (e.name === 'WINDOWSTART' ? 0 : 1);
          return { type: BIGINT, fn: (row) => row[at] ?? null };
        }
        if (!columns.has(e.name)) {
          if (OFFSET_PSEUDO_COLUMNS.has(e.name)) throw new KsqlUnsupportedError(`pseudo column ${e.name}`);
          throw new KsqlStatementError(`${clause} column '${e.name}' cannot be resolved.`);
        }
        throw new NotInGroupBy(e.name);
      }
      return undefined;
    },
  };
}

/** Names of the key columns (the SELECT items matching a GROUP BY expression) and the value columns. */
function planAggregateColumns(
  input: PlanInput,
  groupBy: readonly Expr[],
  groups: GroupKeys,
  scope: CompileScope,
): { keyNames: readonly (string | undefined)[]; values: readonly ValueItem[] } {
  const keyNames: (string | undefined)[] = groups.canon.map(() => undefined);
  const values: ValueItem[] = [];
  const notInGroupBy: string[] = [];
  for (const p of input.projected) {
    const gi = groups.canon.indexOf(canonicalExpr(p.expr));
    if (gi >= 0) {
      const existing = keyNames[gi];
      // A GROUP BY key projected twice: ksqlDB's aggregate analysis words it so (group-by.json).
      if (existing !== undefined) {
        throw new KsqlStatementError(
          `The projection contains a key column more than once: \`${existing}\` and \`${p.name}\`.`,
        );
      }
      keyNames[gi] = p.name;
      continue;
    }
    try {
      values.push({ name: p.name, compiled: compileExpr(p.expr, scope) });
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
      `The query used to build \`${input.stmt.name}\` must include the grouping expression${missingKeys.length > 1 ? 's' : ''} ${joinNames(missingKeys)} in its projection (eg, SELECT ${missingKeys.join(', ')}...).`,
    );
  }
  return { keyNames, values };
}

function planHaving(having: Expr | undefined, scope: CompileScope): Evaluator | undefined {
  if (having === undefined) return undefined;
  try {
    const compiled = compileExpr(rewriteMagicTimestamps(having), scope);
    if (compiled.type.kind !== 'BOOLEAN')
      throw new KsqlStatementError(`HAVING expression must be BOOLEAN: ${formatExpr(having)}`);
    return compiled.fn;
  } catch (err) {
    if (!(err instanceof NotInGroupBy)) throw err;
    throw new KsqlStatementError(`Non-aggregate HAVING expression not part of GROUP BY: ${err.message}`);
  }
}

/** A key format error of an aggregation carries the statement as ksqlDB prints it. */
function validateAggregateKeyFormat(
  input: PlanInput,
  keyFormat: Format,
  keyColumns: readonly SerdeColumn[],
): void {
  try {
    validateKeyFormat(keyFormat, keyColumns);
  } catch (err) {
    if (!(err instanceof KsqlStatementError)) throw err;
    throw new KsqlStatementError(
      err.message,
      ksqlStatementText(input.stmt, input.projected, input.stmt.query.from.alias ?? input.source.name),
    );
  }
}

/** Checks the WINDOW clause and returns the sink's window (kind, and size of a time window). */
function planWindow(w: WindowSpec | undefined, emitFinal: boolean): DataSource['window'] {
  if (w === undefined) return undefined;
  if (w.type === 'HOPPING' && (w.advance <= 0 || w.advance > w.size)) {
    throw new KsqlStatementError(`Window advance must be > 0 and <= window size: ${w.advance} > ${w.size}`);
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
  return { kind: w.type, size: w.type === 'SESSION' ? undefined : w.size };
}

function aggregationSink(input: PlanInput, plan: AggregationPlan): DataSource {
  const { stmt } = input;
  const keyColumns = plan.groups.compiled.map((g, i) => ({ name: plan.keyNames[i] as string, type: g.type }));
  const valueColumns = plan.values.map((v) => ({ name: v.name, type: v.compiled.type }));
  checkSinkColumns(keyColumns, valueColumns);
  const keyFormat = input.sink.formats.key === Format.NONE ? Format.KAFKA : input.sink.formats.key;
  validateAggregateKeyFormat(input, keyFormat, keyColumns);
  validateValueFormat(input.sink.formats.value, valueColumns);
  if (stmt.properties.has('TIMESTAMP'))
    throw new KsqlUnsupportedError('TIMESTAMP property on an aggregate sink');
  return {
    name: stmt.name,
    type: 'TABLE',
    topic: input.sink.topic,
    keyFormat,
    valueFormat: input.sink.formats.value,
    keyColumns,
    valueColumns,
    timestampColumn: undefined,
    window: planWindow(stmt.query.window, stmt.query.emit === 'FINAL'),
    partitions: input.sink.partitions,
  };
}

function aggregationQuery(
  input: PlanInput,
  plan: AggregationPlan,
  sink: DataSource,
  emit: EmitSettings,
): PersistentQuery {
  const { source } = input;
  const q = input.stmt.query;
  const spec = {
    toRow: input.row.toRow,
    partitionKey: groupsByExistingKey(plan.groupBy, input)
      ? undefined
      : columnsSerde(sink.keyFormat, sink.keyColumns, true),
    storeKey: columnsSerde(sink.keyFormat, sink.keyColumns, true),
    where: input.where,
    groupBy: plan.groups.compiled.map((g) => g.fn),
    aggregates: plan.aggregates.functions,
    having: plan.having,
    values: plan.values.map((v) => v.compiled.fn),
    window: q.window,
    emitFinal: q.emit === 'FINAL',
  };
  return new AggregationQuery(input.queryId, source, sink, spec, emit);
}

/**
 * ksqlDB groups by the existing key (no repartition) only when the GROUP BY expressions are
 * exactly the source's key columns, in order; otherwise records go through a repartition
 * topic keyed by the new key, in the sink's key format.
 */
function groupsByExistingKey(groupBy: readonly Expr[], input: PlanInput): boolean {
  const { source, qualifiers } = input;
  return (
    groupBy.length === source.keyColumns.length &&
    groupBy.every(
      (g, i) =>
        g.k === 'column' &&
        (g.source === undefined || qualifiers.has(g.source)) &&
        g.name === source.keyColumns[i]?.name,
    )
  );
}
