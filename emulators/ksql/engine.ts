import type { StreamRecord } from '../../services/kafka/record.ts';
import type { EmitSettings } from './aggregation-query.ts';
import type { Statement } from './ast.ts';
import { type DataSource, planCreateSource } from './data-source.ts';
import { KsqlError, KsqlSerdeError, KsqlStatementError, KsqlUnsupportedError } from './errors.ts';
import { parseSplitStatement, parseStatement, splitStatements } from './parser.ts';
import { partitionForKey } from './partitioner.ts';
import { planQuery } from './query-plan.ts';
import {
  type DecodedRecord,
  type OutputRow,
  type PersistentQuery,
  type QueryContext,
  SkipReason,
} from './query-runtime.ts';
import {
  type ColumnsSerde,
  columnsSerde,
  Format,
  parseFormat,
  splitWindowedKey,
  windowedKeyBytes,
} from './serde.ts';
import { DEFAULT_EMIT_INTERVAL_MS, EMIT_INTERVAL_PROPERTY } from './window-store.ts';

/** One processing-log entry: a record (or a column of it) the engine skipped. */
export interface ProcessingLogEntry {
  readonly queryId: string | undefined;
  readonly topic: string;
  readonly reason: SkipReason;
  readonly message: string;
}

/** Options of an engine instance. */
export interface KsqlEngineOptions {
  /** ksql properties (`ksql.output.topic.name.prefix`, ...); unknown ones are rejected. */
  readonly properties?: Readonly<Record<string, string>>;
  /** Receives every processing-log entry. */
  readonly onSkip?: (entry: ProcessingLogEntry) => void;
  /**
   * Wall clock of EMIT FINAL's emit throttle (Kafka Streams tries to emit closed windows at most
   * once per `__emit.interval.ms.kstreams.windowed.aggregation__`, 1000 ms by default); tests pass
   * the property as 0, as ksqlDB's own tests do, or a clock of their own.
   */
  readonly now?: () => number;
}

/** What executing one statement did. */
export type ExecuteResult =
  | { readonly kind: 'source'; readonly source: DataSource }
  | { readonly kind: 'query'; readonly query: PersistentQuery }
  | { readonly kind: 'noop'; readonly name: string };

const HARMLESS_PROPERTIES: Readonly<Record<string, (v: string) => boolean>> = {
  'ksql.new.query.planner.enabled': () => true,
  'ksql.windowed.session.key.legacy': (v) => v === 'false',
  'ksql.streams.topology.optimization': () => true,
  'ksql.output.topic.name.prefix': () => true,
  'ksql.persistence.default.format.value': () => true,
  'ksql.persistence.default.format.key': () => true,
  'ksql.timestamp.throw.on.invalid': (v) => v === 'false',
  'ksql.streams.default.timestamp.extractor': (v) => v.endsWith('LogAndSkipOnInvalidTimestamp'),
  'ksql.streams.cache.max.bytes.buffering': (v) => v === '0',
  'cache.max.bytes.buffering': (v) => v === '0',
  'ksql.query.persistent.active.limit': () => true,
  [EMIT_INTERVAL_PROPERTY]: (v) => /^\d+$/.test(v),
};

interface SourceSerdes {
  readonly key: ColumnsSerde;
  readonly value: ColumnsSerde;
}

/**
 * The embedded ksql engine: statements in, then Kafka records in and records out. Pure and
 * synchronous; stream time comes only from record timestamps. The one wall clock is EMIT FINAL's
 * emit throttle (see {@link KsqlEngineOptions.now}), which the emit-interval property 0 turns off.
 */
export class KsqlEngine {
  private readonly sources = new Map<string, DataSource>();
  private readonly queryList: PersistentQuery[] = [];
  /** Topics some query reads: only their records (inputs or outputs) are dispatched. */
  private readonly sourceTopics = new Set<string>();
  private readonly serdes = new Map<string, SourceSerdes>();
  private readonly skipCounts = new Map<SkipReason, number>();
  private readonly partitionCounts = new Map<string, number>();
  private readonly outputPrefix: string;
  private readonly defaultValueFormat: Format | undefined;
  private readonly onSkip: ((entry: ProcessingLogEntry) => void) | undefined;
  private readonly emit: EmitSettings;

  constructor(options: KsqlEngineOptions = {}) {
    const props = options.properties ?? {};
    for (const [k, v] of Object.entries(props)) {
      const accept = HARMLESS_PROPERTIES[k];
      if (accept === undefined || !accept(v)) throw new KsqlUnsupportedError(`property ${k}=${v}`);
    }
    this.outputPrefix = props['ksql.output.topic.name.prefix'] ?? '';
    const dv = props['ksql.persistence.default.format.value'];
    this.defaultValueFormat = dv === undefined ? undefined : parseFormat(dv);
    this.onSkip = options.onSkip;
    const interval = props[EMIT_INTERVAL_PROPERTY];
    this.emit = {
      intervalMs: interval === undefined ? DEFAULT_EMIT_INTERVAL_MS : Number(interval),
      now: options.now ?? Date.now,
    };
  }

  /** Sources and sinks by name. */
  get catalog(): ReadonlyMap<string, DataSource> {
    return this.sources;
  }

  /** Running queries in creation order. */
  get queries(): readonly PersistentQuery[] {
    return this.queryList;
  }

  /** Skipped records by reason (ksqlDB's processing log, counted). */
  get skipped(): ReadonlyMap<SkipReason, number> {
    return this.skipCounts;
  }

  /**
   * Tells the engine how many partitions a topic has (the Kafka runtime reads it from the broker).
   * Stream time, windows and EMIT FINAL buffers are kept per partition of an aggregation's input,
   * as Kafka Streams keeps them per task; a topic not set here counts as one partition.
   */
  setPartitionCount(topic: string, partitions: number): void {
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new KsqlError(`partition count of ${topic} must be a positive integer, got ${partitions}`);
    this.partitionCounts.set(topic, partitions);
  }

  /** Partition count of a topic as set by {@link setPartitionCount}, else 1. */
  partitionCount(topic: string): number {
    return this.partitionCounts.get(topic) ?? 1;
  }

  /** Executes every statement of a script, in order. */
  executeScript(script: string): ExecuteResult[] {
    return splitStatements(script).map((s) => this.executeStatement(parseSplitStatement(s)));
  }

  /** Parses, plans and registers one statement. */
  execute(text: string): ExecuteResult {
    return this.executeStatement(parseStatement(text));
  }

  private executeStatement(stmt: Statement): ExecuteResult {
    try {
      return this.executeParsed(stmt);
    } catch (err) {
      if (err instanceof KsqlStatementError && err.statement === undefined) {
        throw new KsqlStatementError(err.message, stmt.text, { cause: err });
      }
      throw err;
    }
  }

  private executeParsed(stmt: Statement): ExecuteResult {
    const existing = this.sources.get(stmt.name);
    if (existing !== undefined) {
      if (stmt.ifNotExists) return { kind: 'noop', name: stmt.name };
      if (stmt.orReplace) throw new KsqlUnsupportedError('CREATE OR REPLACE of an existing source');
      throw new KsqlStatementError(
        `Cannot add ${stmt.sourceType.toLowerCase()} '${stmt.name}': A ${existing.type.toLowerCase()} with the same name already exists`,
      );
    }
    if (stmt.k === 'createSource') {
      const source = planCreateSource(stmt, this.defaultValueFormat);
      this.register(source);
      return { kind: 'source', source };
    }
    const query = planQuery(stmt, this.sources, {
      queryId: `${stmt.sourceType === 'TABLE' ? 'CTAS' : 'CSAS'}_${stmt.name}_${this.queryList.length + 1}`,
      outputTopicPrefix: this.outputPrefix,
      emit: this.emit,
    });
    if (query.sink.topic === query.source.topic) {
      throw new KsqlStatementError(
        `Sink topic ${query.sink.topic} is also the source topic of ${query.source.name}.`,
      );
    }
    this.register(query.sink);
    this.queryList.push(query);
    this.sourceTopics.add(query.source.topic);
    return { kind: 'query', query };
  }

  private register(source: DataSource): void {
    this.sources.set(source.name, source);
    this.serdes.set(source.name, {
      key: columnsSerde(source.keyFormat, source.keyColumns, true),
      value: columnsSerde(source.valueFormat, source.valueColumns, false),
    });
  }

  private serdesOf(source: DataSource): SourceSerdes {
    return this.serdes.get(source.name) as SourceSerdes;
  }

  /** Decodes a record with a source's formats; throws {@link KsqlSerdeError} on bad bytes. */
  decode(source: DataSource, record: StreamRecord): DecodedRecord {
    const serdes = this.serdesOf(source);
    let keyBytes = record.key;
    let window: DecodedRecord['window'];
    if (source.window !== undefined && keyBytes !== null) {
      const split = splitWindowedKey(keyBytes, source.window.kind, source.window.size);
      keyBytes = split.inner.byteLength === 0 && source.keyColumns.length === 0 ? null : split.inner;
      window = split.window;
    }
    const key = keyBytes === null ? source.keyColumns.map(() => null) : (serdes.key.read(keyBytes) ?? []);
    const value = serdes.value.read(record.value);
    return { key, window, value, timestamp: record.timestamp };
  }

  /** Encodes a row with a sink's formats (windowed keys get ksqlDB's window suffix). */
  encode(sink: DataSource, row: OutputRow): StreamRecord {
    const serdes = this.serdesOf(sink);
    // A key whose columns are all null is written as a null key.
    let key = row.key.every((v) => v === null || v === undefined) ? null : serdes.key.write(row.key);
    if (sink.window !== undefined && row.window !== undefined)
      key = windowedKeyBytes(key, sink.window.kind, row.window);
    return { topic: sink.topic, key, value: serdes.value.write(row.value), timestamp: row.timestamp };
  }

  /**
   * Processes one input record through every query reading its topic, and through queries reading
   * their outputs in turn. Returns every record produced, in order.
   */
  process(record: StreamRecord): StreamRecord[] {
    const produced: StreamRecord[] = [];
    this.dispatch(record, produced, 0);
    return produced;
  }

  private dispatch(record: StreamRecord, produced: StreamRecord[], depth: number): void {
    if (depth > 32) throw new KsqlError('query chain deeper than 32 levels');
    // Queries reading the same source share one decoded record (decoding dominates the cost).
    const decodedBySource = new Map<DataSource, DecodedRecord | KsqlSerdeError>();
    for (const query of this.queryList) {
      if (query.source.topic !== record.topic) continue;
      let decoded = decodedBySource.get(query.source);
      if (decoded === undefined) {
        try {
          decoded = this.decode(query.source, record);
        } catch (err) {
          if (!(err instanceof KsqlSerdeError)) throw err;
          decoded = err;
        }
        decodedBySource.set(query.source, decoded);
      }
      if (decoded instanceof KsqlSerdeError) {
        this.skip(query.id, record.topic, SkipReason.Deserialization, decoded.message);
        continue;
      }
      const ts = this.extractTimestamp(query.source, decoded);
      if (ts === undefined) {
        this.skip(
          query.id,
          record.topic,
          SkipReason.InvalidTimestamp,
          'record timestamp is null or negative',
        );
        continue;
      }
      const outputs: StreamRecord[] = [];
      const ctx: QueryContext = {
        emit: (row) => outputs.push(this.encode(query.sink, row)),
        skip: (reason, message) => this.skip(query.id, record.topic, reason, message),
        partition: record.partition ?? 0,
        partitions: this.partitionCount(record.topic),
      };
      query.process(ts === decoded.timestamp ? decoded : { ...decoded, timestamp: ts }, ctx);
      for (const out of outputs) {
        produced.push(out);
        if (!this.sourceTopics.has(out.topic)) continue;
        // A query reading this sink reads the record from the partition the producer's default
        // partitioner puts it on.
        const partition = partitionForKey(out.key, this.partitionCount(out.topic));
        this.dispatch({ ...out, partition }, produced, depth + 1);
      }
    }
  }

  private extractTimestamp(source: DataSource, r: DecodedRecord): number | undefined {
    let ts: unknown = r.timestamp;
    const col = source.timestampColumn;
    if (col !== undefined) {
      const ki = source.keyColumns.findIndex((c) => c.name === col);
      ts = ki >= 0 ? r.key[ki] : r.value?.[source.valueColumns.findIndex((c) => c.name === col)];
    }
    return typeof ts === 'number' && ts >= 0 ? ts : undefined;
  }

  private skip(queryId: string | undefined, topic: string, reason: SkipReason, message: string): void {
    this.skipCounts.set(reason, (this.skipCounts.get(reason) ?? 0) + 1);
    this.onSkip?.({ queryId, topic, reason, message });
  }

  /** State of every query, by query id (for a changelog); aggregations keep one state per partition. */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const q of this.queryList) out[q.id] = q.snapshot();
    return out;
  }

  /** Restores state taken by {@link snapshot} on an engine that executed the same statements. */
  restore(state: Readonly<Record<string, unknown>>): void {
    for (const q of this.queryList) {
      const s = state[q.id];
      if (s !== undefined && s !== null) q.restore(s, this.partitionCount(q.source.topic));
    }
  }
}

export { Format };
