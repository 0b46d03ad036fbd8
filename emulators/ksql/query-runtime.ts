/**
 * The runtime of the embedded engine's persistent queries: what a query consumes and emits,
 * and the aggregation (GROUP BY, windows, HAVING, EMIT FINAL) as Kafka Streams runs it.
 * Planning (from a CREATE … AS SELECT to a query) is query-plan.ts.
 */
import { MinHeap } from '../../tooling/min-heap.ts';
import type { AggregateFunction } from './aggregates.ts';
import type { CreateAsSelect } from './ast.ts';
import type { DataSource } from './data-source.ts';
import { KsqlEvaluationError, KsqlStatementError } from './errors.ts';
import type { Evaluator, Row } from './expressions.ts';
import { partitionForKey } from './partitioner.ts';
import type { ColumnsSerde, WindowBounds } from './serde.ts';
import { defaultGrace, timeWindowsFor } from './windows.ts';

/** A source record after deserialisation. */
export interface DecodedRecord {
  readonly key: readonly unknown[];
  readonly window: WindowBounds | undefined;
  readonly value: readonly unknown[] | null;
  readonly timestamp: number;
}

/** A sink record before serialisation; `value` null is a tombstone. */
export interface OutputRow {
  readonly key: readonly unknown[];
  readonly window: WindowBounds | undefined;
  readonly value: readonly unknown[] | null;
  readonly timestamp: number;
}

/** Reasons a record is skipped, as ksqlDB's processing log would record them. */
export const SkipReason = {
  Deserialization: 'deserialization-error',
  Evaluation: 'evaluation-error',
  NullGroupKey: 'null-group-key',
  LateRecord: 'late-record',
  InvalidTimestamp: 'invalid-timestamp',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** Receives what a query emits and what it skips, and says where the record came from. */
export interface QueryContext {
  emit(row: OutputRow): void;
  skip(reason: SkipReason, message: string): void;
  /** Partition of the source topic the record was read from. */
  readonly partition: number;
  /** Partition count of the source topic (also that of a repartition topic, as ksqlDB creates it). */
  readonly partitions: number;
}

/** A running persistent query (CSAS / CTAS): records in, rows out, state exportable. */
export interface PersistentQuery {
  readonly id: string;
  readonly source: DataSource;
  readonly sink: DataSource;
  process(record: DecodedRecord, ctx: QueryContext): void;
  /** State for a changelog; restoring it continues exactly where it was taken. */
  snapshot(): unknown;
  /** `partitions`: the source topic's partition count, to place state of an older snapshot format. */
  restore(state: unknown, partitions: number): void;
}

export interface AggregationSpec {
  readonly toRow: (r: DecodedRecord) => Row;
  /** Serialises the group key for the repartition topic; undefined when grouping by the source key. */
  readonly partitionKey: ColumnsSerde | undefined;
  /** Serialises a group key as the source topic's key (to place state of an older snapshot). */
  readonly sourceKey: ColumnsSerde;
  readonly where: Evaluator | undefined;
  readonly groupBy: readonly Evaluator[];
  readonly aggregates: readonly AggregateFunction[];
  readonly having: Evaluator | undefined;
  readonly values: readonly Evaluator[];
  readonly window: CreateAsSelect['query']['window'];
  readonly emitFinal: boolean;
}

/** One aggregate: its group key, window, states and the last timestamp and HAVING outcome. */
interface AggEntry {
  key: unknown[];
  start: number;
  end: number;
  states: unknown[];
  ts: number;
  passed: boolean;
}

interface Buffered {
  readonly order: string;
  readonly bufferTime: number;
  /** The window's latest update. */
  row: OutputRow;
}

/** State of one task (partition) as written to a changelog. */
interface TaskSnapshot {
  readonly streamTime: number;
  readonly suppressTime: number;
  readonly entries: AggEntry[];
  readonly buffer: Buffered[];
}

/** State of an aggregation as written to a changelog: one entry per task, by partition. */
interface AggregationSnapshot {
  readonly seq: number;
  readonly tasks: Readonly<Record<string, TaskSnapshot>>;
}

/**
 * What Kafka Streams keeps per task: stream time, the window/session store and the suppression
 * buffer. A task reads one partition of the aggregation's input (the source topic, or the
 * repartition topic when the GROUP BY changes the key).
 */
class TaskState {
  streamTime = Number.NEGATIVE_INFINITY;
  suppressTime = Number.NEGATIVE_INFINITY;
  processed = 0;
  /** Non-session entries by `key|start`; session entries by key. */
  readonly entries = new Map<string, AggEntry>();
  readonly sessions = new Map<string, AggEntry[]>();
  readonly buffer = new Map<string, Buffered>();
  /** EMIT FINAL buffer entries by (window end, key), as Kafka's suppression buffer orders them. */
  readonly due = new MinHeap<{ id: string; entry: Buffered }>(
    (a, b) =>
      a.entry.bufferTime < b.entry.bufferTime ||
      (a.entry.bufferTime === b.entry.bufferTime && a.entry.order < b.entry.order),
  );
}

/**
 * GROUP BY with optional TUMBLING / HOPPING / SESSION window, HAVING and EMIT FINAL, following
 * Kafka Streams' processors: stream time is the largest timestamp the aggregation's task has seen
 * (one task per input partition), late records are dropped, session merges forward tombstones,
 * EMIT FINAL buffers until close.
 */
export class AggregationQuery implements PersistentQuery {
  private seq = 0;
  private readonly tasks = new Map<number, TaskState>();
  private readonly grace: number;

  constructor(
    readonly id: string,
    readonly source: DataSource,
    readonly sink: DataSource,
    private readonly spec: AggregationSpec,
  ) {
    const w = spec.window;
    this.grace =
      w === undefined ? 0 : (w.grace ?? defaultGrace(w.type === 'SESSION' ? w.gap : w.size, spec.emitFinal));
  }

  private task(partition: number): TaskState {
    let t = this.tasks.get(partition);
    if (t === undefined) {
      t = new TaskState();
      this.tasks.set(partition, t);
    }
    return t;
  }

  /**
   * The task a group key is aggregated in: the source partition when grouping by the source key;
   * otherwise the repartition topic's partition, which Kafka's default partitioner picks from the
   * serialised new key (the repartition topic has the source's partition count).
   */
  private taskFor(key: unknown[], ctx: QueryContext): TaskState {
    const pk = this.spec.partitionKey;
    return this.task(pk === undefined ? ctx.partition : partitionForKey(pk.write(key), ctx.partitions));
  }

  process(record: DecodedRecord, ctx: QueryContext): void {
    const spec = this.spec;
    if (record.value === null) return;
    const row = spec.toRow(record);
    try {
      if (spec.where !== undefined && spec.where(row) !== true) return;
    } catch (err) {
      ctx.skip(SkipReason.Evaluation, (err as Error).message);
      return;
    }
    const key: unknown[] = [];
    try {
      for (const g of spec.groupBy) {
        const v = g(row);
        if (v === null) {
          ctx.skip(SkipReason.NullGroupKey, 'GROUP BY expression evaluated to null');
          return;
        }
        key.push(v);
      }
    } catch (err) {
      ctx.skip(SkipReason.Evaluation, (err as Error).message);
      return;
    }
    let args: unknown[][];
    try {
      args = spec.aggregates.map((a) => a.args.map((f) => f.fn(row)));
    } catch (err) {
      ctx.skip(SkipReason.Evaluation, (err as Error).message);
      return;
    }
    const t = this.taskFor(key, ctx);
    const seq = this.seq++;
    const ts = record.timestamp;
    t.streamTime = Math.max(t.streamTime, ts);
    const keyText = JSON.stringify(key);
    const w = spec.window;
    const out: OutputRow[] = [];
    if (w === undefined) {
      this.update(t, keyText, key, 0, 0, args, seq, ts, out, false);
    } else if (w.type === 'SESSION') {
      this.session(t, keyText, key, args, seq, ts, w.gap, out, ctx);
    } else {
      const advance = w.type === 'HOPPING' ? w.advance : w.size;
      const closeTime = t.streamTime - this.grace;
      for (const win of timeWindowsFor(ts, w.size, advance)) {
        if (win.end <= closeTime) {
          ctx.skip(
            SkipReason.LateRecord,
            `window [${win.start}, ${win.end}) closed at stream time ${t.streamTime}`,
          );
          continue;
        }
        this.update(t, `${keyText}|${win.start}`, key, win.start, win.end, args, seq, ts, out, true);
      }
    }
    this.forward(t, out, ctx);
    if (++t.processed % 1000 === 0) this.prune(t);
  }

  private update(
    t: TaskState,
    id: string,
    key: unknown[],
    start: number,
    end: number,
    args: unknown[][],
    seq: number,
    ts: number,
    out: OutputRow[],
    windowed: boolean,
  ): void {
    const aggs = this.spec.aggregates;
    let entry = t.entries.get(id);
    if (entry === undefined) {
      entry = { key, start, end, states: aggs.map((a) => a.init()), ts, passed: false };
      t.entries.set(id, entry);
    } else {
      entry.ts = Math.max(entry.ts, ts);
    }
    for (let i = 0; i < aggs.length; i++) {
      entry.states[i] = (aggs[i] as AggregateFunction).add(entry.states[i], args[i] as unknown[], seq);
    }
    this.result(entry, windowed ? { start, end } : undefined, out);
  }

  /** Applies HAVING and the projection to an entry, producing a row or a tombstone (or nothing). */
  private result(entry: AggEntry, window: WindowBounds | undefined, out: OutputRow[]): void {
    const spec = this.spec;
    const aggRow: Row = [...entry.key];
    for (let i = 0; i < spec.aggregates.length; i++)
      aggRow.push((spec.aggregates[i] as AggregateFunction).result(entry.states[i]));
    aggRow.push(entry.start, entry.end);
    let pass = true;
    if (spec.having !== undefined) {
      try {
        pass = spec.having(aggRow) === true;
      } catch {
        pass = false;
      }
    }
    if (pass) {
      const values = spec.values.map((f) => {
        try {
          return f(aggRow);
        } catch (err) {
          if (err instanceof KsqlEvaluationError) return null;
          throw err;
        }
      });
      out.push({ key: entry.key, window, value: values, timestamp: entry.ts });
    } else if (entry.passed) {
      // A table filter forwards a tombstone only when the previous row passed (sendOldValues).
      out.push({ key: entry.key, window, value: null, timestamp: entry.ts });
    }
    entry.passed = pass;
  }

  private session(
    t: TaskState,
    keyText: string,
    key: unknown[],
    args: unknown[][],
    seq: number,
    ts: number,
    gap: number,
    out: OutputRow[],
    ctx: QueryContext,
  ): void {
    const aggs = this.spec.aggregates;
    const list = t.sessions.get(keyText) ?? [];
    const overlapping = list
      .filter((s) => s.end >= ts - gap && s.start <= ts + gap)
      .sort((a, b) => a.end - b.end || a.start - b.start);
    let start = ts;
    let end = ts;
    // A record extending one session (the common case) takes over that session's states
    // instead of merging them into fresh ones: merge(init, s) is s, and a merge copies
    // (COUNT_DISTINCT's set), which made long sessions quadratic. Several sessions are merged.
    let states = overlapping.length === 1 ? [...(overlapping[0]?.states ?? [])] : aggs.map((a) => a.init());
    for (const s of overlapping) {
      start = Math.min(start, s.start);
      end = Math.max(end, s.end);
      if (overlapping.length > 1)
        states = states.map((st, i) => (aggs[i] as AggregateFunction).merge(st, s.states[i]));
    }
    // Kafka Streams' KStreamSessionWindowAggregate (apache/kafka, streams/src/main/java/org/
    // apache/kafka/streams/kstream/internals): `windowCloseTime = observedStreamTime -
    // gracePeriodMs - inactivityGap`, and a record is dropped only when the merged session's end
    // is before it. A session stays open for the gap after its end, then the grace period.
    const closeTime = t.streamTime - this.grace - gap;
    if (end < closeTime) {
      ctx.skip(
        SkipReason.LateRecord,
        `session [${start}, ${end}] closed at ${closeTime} (stream time ${t.streamTime} − grace − gap)`,
      );
      return;
    }
    if (!(start === ts && end === ts)) {
      for (const s of overlapping) {
        if (s.passed)
          out.push({ key: s.key, window: { start: s.start, end: s.end }, value: null, timestamp: s.end });
      }
    }
    const remaining = list.filter((s) => !overlapping.includes(s));
    for (let i = 0; i < aggs.length; i++)
      states[i] = (aggs[i] as AggregateFunction).add(states[i], args[i] as unknown[], seq);
    // Kafka forwards a session update without its old value, so HAVING never turns it into a tombstone.
    const entry: AggEntry = { key, start, end, states, ts: end, passed: false };
    remaining.push(entry);
    t.sessions.set(keyText, remaining);
    this.result(entry, { start, end }, out);
  }

  private forward(t: TaskState, rows: OutputRow[], ctx: QueryContext): void {
    if (!this.spec.emitFinal) {
      for (const r of rows) ctx.emit(r);
      return;
    }
    const w = this.spec.window;
    const suppressGrace = w === undefined ? 0 : w.type === 'SESSION' ? this.grace + w.gap : this.grace;
    for (const r of rows) {
      t.suppressTime = Math.max(t.suppressTime, r.timestamp);
      const win = r.window as WindowBounds;
      const order = JSON.stringify(r.key);
      const id = `${order}|${win.start}|${win.end}`;
      // A later update of a buffered window replaces its row in place: the buffer keeps one
      // row per window (Kafka's suppression buffer is keyed by the windowed key) and its place
      // in the expiry order, (window end, key), does not change, so no new heap entry is needed.
      const existing = t.buffer.get(id);
      if (existing !== undefined) {
        existing.row = r;
        continue;
      }
      const buffered: Buffered = { order, bufferTime: win.end, row: r };
      t.buffer.set(id, buffered);
      t.due.push({ id, entry: buffered });
    }
    const expiry = t.suppressTime - suppressGrace;
    const due: Buffered[] = [];
    for (let top = t.due.peek(); top !== undefined && top.entry.bufferTime <= expiry; top = t.due.peek()) {
      t.due.pop();
      // Only the latest update of a window is still in the buffer; older heap entries are stale.
      if (t.buffer.get(top.id) !== top.entry) continue;
      t.buffer.delete(top.id);
      due.push(top.entry);
    }
    for (const b of due) {
      // Final results drop tombstones: a window that ended empty emits nothing.
      if (b.row.value !== null) ctx.emit(b.row);
    }
  }

  /** Drops state no record can reach any more (closed windows, sessions beyond gap + grace). */
  private prune(t: TaskState): void {
    const w = this.spec.window;
    if (w === undefined) return;
    if (w.type === 'SESSION') {
      const limit = t.streamTime - this.grace - w.gap;
      for (const [k, list] of t.sessions) {
        const live = list.filter(
          (s) => s.end >= limit || t.buffer.has(`${JSON.stringify(s.key)}|${s.start}|${s.end}`),
        );
        if (live.length === 0) t.sessions.delete(k);
        else if (live.length !== list.length) t.sessions.set(k, live);
      }
      return;
    }
    const closeTime = t.streamTime - this.grace;
    for (const [k, e] of t.entries) if (e.end <= closeTime) t.entries.delete(k);
  }

  snapshot(): AggregationSnapshot {
    const tasks: Record<string, TaskSnapshot> = {};
    for (const [partition, t] of this.tasks) {
      tasks[String(partition)] = {
        streamTime: t.streamTime,
        suppressTime: t.suppressTime,
        entries: [...t.entries.values(), ...[...t.sessions.values()].flat()],
        buffer: [...t.buffer.values()],
      };
    }
    return { seq: this.seq, tasks };
  }

  restore(state: unknown, _partitions: number): void {
    this.tasks.clear();
    if (typeof state === 'object' && state !== null && 'tasks' in state) {
      const s = state as AggregationSnapshot;
      this.seq = s.seq;
      for (const [partition, ts] of Object.entries(s.tasks)) {
        const t = this.task(Number(partition));
        t.streamTime = ts.streamTime ?? Number.NEGATIVE_INFINITY;
        t.suppressTime = ts.suppressTime ?? Number.NEGATIVE_INFINITY;
        for (const e of ts.entries) this.restoreEntry(t, e);
        for (const b of ts.buffer) this.restoreBuffered(t, b);
      }
      return;
    }
    throw new KsqlStatementError(
      `query ${this.id}: the changelog holds a checkpoint of an older format; delete the application's changelog topic to start over`,
    );
  }

  private restoreEntry(t: TaskState, e: AggEntry): void {
    const keyText = JSON.stringify(e.key);
    if (this.spec.window?.type === 'SESSION')
      t.sessions.set(keyText, [...(t.sessions.get(keyText) ?? []), e]);
    else t.entries.set(this.spec.window === undefined ? keyText : `${keyText}|${e.start}`, e);
  }

  private restoreBuffered(t: TaskState, b: Buffered): void {
    const win = b.row.window as WindowBounds;
    const id = `${b.order}|${win.start}|${win.end}`;
    t.buffer.set(id, b);
    t.due.push({ id, entry: b });
  }
}
