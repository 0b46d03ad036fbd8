/**
 * The aggregation of a CREATE TABLE … AS SELECT … GROUP BY, as Kafka Streams runs it for ksqlDB:
 * per task (input partition) a stream time, a window or session store with its retention, and
 * for EMIT FINAL the `onWindowClose` emit strategy (ksqlDB's StreamAggregateBuilder calls
 * `emitStrategy(EmitStrategy.onWindowClose())` on the windowed stream for EMIT FINAL; the
 * processor emits closed windows straight from the store, window-store.ts has the rules).
 */
import { MinHeap } from '../../tooling/min-heap.ts';
import type { AggregateFunction } from './aggregates.ts';
import type { DataSource } from './data-source.ts';
import { KsqlEvaluationError, KsqlStatementError } from './errors.ts';
import type { Row } from './expressions.ts';
import { partitionForKey } from './partitioner.ts';
import {
  type AggregationSpec,
  type DecodedRecord,
  type OutputRow,
  type PersistentQuery,
  type QueryContext,
  SkipReason,
} from './query-runtime.ts';
import type { WindowBounds } from './serde.ts';
import {
  type EmitRange,
  NO_TIMESTAMP,
  segmentLive,
  sessionEmitRange,
  sessionVisible,
  shouldEmitFinal,
  storeRetention,
  timeWindowEmitRange,
} from './window-store.ts';
import { defaultGrace, timeWindowsFor } from './windows.ts';

/** One aggregate: its group key, window, states and the last timestamp and HAVING outcome. */
interface AggEntry {
  key: unknown[];
  start: number;
  end: number;
  states: unknown[];
  ts: number;
  passed: boolean;
  /** EMIT FINAL: the store key's bytes as hex, which order entries of one timestamp in the store. */
  order?: string;
  /** Session replaced by a merge (removed from the store). */
  removed?: boolean;
  /** Checkpoints: an EMIT FINAL entry not emitted yet. */
  pending?: boolean;
}

/** State of one task (partition) as written to a changelog. */
interface TaskSnapshot {
  readonly streamTime: number;
  readonly storeTime?: number;
  readonly lastEmitCloseTime?: number;
  readonly entries: AggEntry[];
  /** Older checkpoints: the suppression buffer's rows (windows still to emit). */
  readonly buffer?: { row: OutputRow }[];
}

/** State of an aggregation as written to a changelog: one entry per task, by partition. */
interface AggregationSnapshot {
  readonly seq: number;
  readonly tasks: Readonly<Record<string, TaskSnapshot>>;
}

/** How windows are assigned and kept: grace, store retention, and the EMIT FINAL ordering. */
interface WindowModel {
  readonly grace: number;
  readonly retention: number;
  /** Time windows: size and advance (tumbling: advance = size). */
  readonly size: number;
  readonly advance: number;
  readonly gap: number;
  readonly session: boolean;
}

/** Store order of EMIT FINAL entries: time-first key schemas (session: end, start, key; window: start, key). */
function storeOrder(session: boolean): (a: AggEntry, b: AggEntry) => boolean {
  if (session)
    return (a, b) =>
      a.end !== b.end
        ? a.end < b.end
        : a.start !== b.start
          ? a.start < b.start
          : (a.order ?? '') < (b.order ?? '');
  return (a, b) => (a.start !== b.start ? a.start < b.start : (a.order ?? '') < (b.order ?? ''));
}

/**
 * What Kafka Streams keeps per task: stream time, the window/session store (with the largest
 * timestamp it was written with, which drives retention) and the EMIT FINAL progress.
 */
class TaskState {
  streamTime = Number.NEGATIVE_INFINITY;
  /** The store's observed stream time: largest window start (session end) put. */
  storeTime = Number.NEGATIVE_INFINITY;
  lastEmitCloseTime = NO_TIMESTAMP;
  nextTimeToEmit = 0;
  processed = 0;
  /** Non-session entries by `key|start`; session entries by key. */
  readonly entries = new Map<string, AggEntry>();
  readonly sessions = new Map<string, AggEntry[]>();
  /** EMIT FINAL: entries not emitted yet, in the store's time-first order, and as a set. */
  readonly due: MinHeap<AggEntry>;
  readonly pending = new Set<AggEntry>();

  constructor(session: boolean) {
    this.due = new MinHeap<AggEntry>(storeOrder(session));
  }
}

/** Settings of EMIT FINAL's emit throttle (Kafka Streams' internal emit interval). */
export interface EmitSettings {
  readonly intervalMs: number;
  readonly now: () => number;
}

/**
 * GROUP BY with optional TUMBLING / HOPPING / SESSION window, HAVING and EMIT FINAL, following
 * Kafka Streams' processors (KStreamWindowAggregate, KStreamSessionWindowAggregate): stream time
 * is the largest timestamp the aggregation's task has seen (one task per input partition), late
 * records are dropped, a session merges only with sessions its store still holds, EMIT CHANGES
 * forwards every update (session merges as tombstones), EMIT FINAL emits closed windows.
 */
export class AggregationQuery implements PersistentQuery {
  private seq = 0;
  private readonly tasks = new Map<number, TaskState>();
  private readonly model: WindowModel | undefined;

  constructor(
    readonly id: string,
    readonly source: DataSource,
    readonly sink: DataSource,
    private readonly spec: AggregationSpec,
    private readonly emit: EmitSettings,
  ) {
    const w = spec.window;
    if (w === undefined) {
      this.model = undefined;
      return;
    }
    const session = w.type === 'SESSION';
    const sizeOrGap = session ? w.gap : w.size;
    const grace = w.grace ?? defaultGrace(sizeOrGap, spec.emitFinal);
    this.model = {
      grace,
      retention: storeRetention(sizeOrGap, grace, w.retention),
      size: session ? 0 : w.size,
      advance: w.type === 'HOPPING' ? w.advance : session ? 0 : w.size,
      gap: session ? w.gap : 0,
      session,
    };
  }

  private task(partition: number): TaskState {
    let t = this.tasks.get(partition);
    if (t === undefined) {
      t = new TaskState(this.model?.session === true);
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
    if (record.value === null) return;
    const input = this.evaluateInput(record, ctx);
    if (input === undefined) return;
    const { key, args } = input;
    const t = this.taskFor(key, ctx);
    const seq = this.seq++;
    const ts = record.timestamp;
    t.streamTime = Math.max(t.streamTime, ts);
    const keyText = JSON.stringify(key);
    const m = this.model;
    const out: OutputRow[] = [];
    if (m === undefined) this.update(t, keyText, key, 0, 0, args, seq, ts, out, false);
    else if (m.session) this.session(t, keyText, key, args, seq, ts, m, out, ctx);
    else this.timeWindows(t, keyText, key, args, seq, ts, m, out, ctx);
    if (this.spec.emitFinal && m !== undefined) this.emitFinal(t, m, ctx);
    else for (const r of out) ctx.emit(r);
    if (++t.processed % 1000 === 0) this.prune(t);
  }

  /** WHERE, the GROUP BY key and the aggregate arguments of one record; undefined when it is skipped. */
  private evaluateInput(
    record: DecodedRecord,
    ctx: QueryContext,
  ): { key: unknown[]; args: unknown[][] } | undefined {
    const spec = this.spec;
    const row = spec.toRow(record);
    try {
      if (spec.where !== undefined && spec.where(row) !== true) return undefined;
      const key: unknown[] = [];
      for (const g of spec.groupBy) {
        const v = g(row);
        if (v === null) {
          ctx.skip(SkipReason.NullGroupKey, 'GROUP BY expression evaluated to null');
          return undefined;
        }
        key.push(v);
      }
      return { key, args: spec.aggregates.map((a) => a.args.map((f) => f.fn(row))) };
    } catch (err) {
      ctx.skip(SkipReason.Evaluation, (err as Error).message);
      return undefined;
    }
  }

  /** KStreamWindowAggregate: every window of the record still open (end > stream time − grace). */
  private timeWindows(
    t: TaskState,
    keyText: string,
    key: unknown[],
    args: unknown[][],
    seq: number,
    ts: number,
    m: WindowModel,
    out: OutputRow[],
    ctx: QueryContext,
  ): void {
    const closeTime = t.streamTime - m.grace;
    for (const win of timeWindowsFor(ts, m.size, m.advance)) {
      if (win.end <= closeTime) {
        ctx.skip(
          SkipReason.LateRecord,
          `window [${win.start}, ${win.end}) closed at stream time ${t.streamTime}`,
        );
        continue;
      }
      t.storeTime = Math.max(t.storeTime, win.start);
      this.update(t, `${keyText}|${win.start}`, key, win.start, win.end, args, seq, ts, out, true);
    }
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
      if (this.spec.emitFinal) this.addDue(t, entry);
    } else {
      entry.ts = Math.max(entry.ts, ts);
    }
    for (let i = 0; i < aggs.length; i++) {
      entry.states[i] = (aggs[i] as AggregateFunction).add(entry.states[i], args[i] as unknown[], seq);
    }
    if (!this.spec.emitFinal) this.result(entry, windowed ? { start, end } : undefined, entry.ts, out);
  }

  private addDue(t: TaskState, entry: AggEntry, order?: string): void {
    entry.order = order ?? Buffer.from(this.spec.storeKey.write(entry.key) ?? []).toString('hex');
    t.due.push(entry);
    t.pending.add(entry);
  }

  /** Applies HAVING and the projection to an entry, producing a row or a tombstone (or nothing). */
  private result(
    entry: AggEntry,
    window: WindowBounds | undefined,
    timestamp: number,
    out: OutputRow[],
  ): void {
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
      out.push({ key: entry.key, window, value: values, timestamp });
    } else if (entry.passed) {
      // A table filter forwards a tombstone only when the previous row passed (sendOldValues).
      out.push({ key: entry.key, window, value: null, timestamp });
    }
    entry.passed = pass;
  }

  /**
   * KStreamSessionWindowAggregate.process: find the key's sessions within the gap that the store
   * still holds (retention = gap + grace unless RETENTION is given: a session ending before
   * observed − retention + 1 is gone), merge them with the record; drop the record when the merged
   * session ends before stream time − grace − gap; otherwise remove the merged sessions
   * (forwarding their tombstones under EMIT CHANGES) and put the merged one.
   */
  private session(
    t: TaskState,
    keyText: string,
    key: unknown[],
    args: unknown[][],
    seq: number,
    ts: number,
    m: WindowModel,
    out: OutputRow[],
    ctx: QueryContext,
  ): void {
    const aggs = this.spec.aggregates;
    const list = t.sessions.get(keyText) ?? [];
    const overlapping = list
      .filter(
        (s) =>
          s.end >= ts - m.gap && s.start <= ts + m.gap && sessionVisible(s.end, t.storeTime, m.retention),
      )
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
    const closeTime = t.streamTime - m.grace - m.gap;
    if (end < closeTime) {
      ctx.skip(
        SkipReason.LateRecord,
        `session [${start}, ${end}] closed at ${closeTime} (stream time ${t.streamTime} − grace − gap)`,
      );
      return;
    }
    this.removeMerged(overlapping, start !== ts || end !== ts, out);
    const remaining = list.filter((s) => !overlapping.includes(s));
    for (let i = 0; i < aggs.length; i++)
      states[i] = (aggs[i] as AggregateFunction).add(states[i], args[i] as unknown[], seq);
    // Kafka forwards a session update without its old value, so HAVING never turns it into a tombstone.
    const entry: AggEntry = { key, start, end, states, ts: end, passed: false };
    remaining.push(entry);
    t.sessions.set(keyText, remaining);
    t.storeTime = Math.max(t.storeTime, end);
    if (this.spec.emitFinal) this.addDue(t, entry, overlapping[0]?.order);
    else this.result(entry, { start, end }, end, out);
  }

  private removeMerged(merged: readonly AggEntry[], grew: boolean, out: OutputRow[]): void {
    for (const s of merged) {
      s.removed = true;
      if (grew && s.passed && !this.spec.emitFinal)
        out.push({ key: s.key, window: { start: s.start, end: s.end }, value: null, timestamp: s.end });
    }
  }

  /**
   * `maybeForwardFinalResult`: when the throttle allows and the close time progressed, emit the
   * windows of the emit range from the store, in its time-first order, then remember the close time.
   */
  private emitFinal(t: TaskState, m: WindowModel, ctx: QueryContext): void {
    const closeTime = t.streamTime - m.grace - m.gap;
    if (!shouldEmitFinal(t, closeTime, this.emit.now(), this.emit.intervalMs)) return;
    const range = m.session
      ? sessionEmitRange(t, closeTime)
      : timeWindowEmitRange(t, closeTime, m, { observed: t.storeTime, retention: m.retention });
    if (range === undefined) return;
    this.emitRange(t, m, range, ctx);
    t.lastEmitCloseTime = closeTime;
  }

  private emitRange(t: TaskState, m: WindowModel, range: EmitRange, ctx: QueryContext): void {
    const out: OutputRow[] = [];
    for (let top = t.due.peek(); top !== undefined; top = t.due.peek()) {
      const at = m.session ? top.end : top.start;
      if (at > range.to) break;
      t.due.pop();
      t.pending.delete(top);
      // Below the range: emitted already, or never emittable (negative time, past retention).
      if (top.removed === true || at < range.from) continue;
      // A session whose segment was dropped by a put (retention) is gone before it is emitted.
      if (m.session && !segmentLive(top.end, t.storeTime, m.retention)) continue;
      const window = { start: top.start, end: top.end };
      this.result(top, window, m.session ? top.end : top.ts, out);
    }
    // Final results carry no tombstones: a window that fails HAVING emits nothing.
    for (const r of out) if (r.value !== null) ctx.emit(r);
  }

  /** Drops state no record can reach any more (closed windows, sessions the store no longer holds). */
  private prune(t: TaskState): void {
    const m = this.model;
    if (m === undefined) return;
    if (m.session) {
      for (const [k, list] of t.sessions) {
        const live = list.filter((s) => sessionVisible(s.end, t.storeTime, m.retention));
        if (live.length === 0) t.sessions.delete(k);
        else if (live.length !== list.length) t.sessions.set(k, live);
      }
      return;
    }
    const closeTime = t.streamTime - m.grace;
    for (const [k, e] of t.entries) if (e.end <= closeTime) t.entries.delete(k);
  }

  snapshot(): AggregationSnapshot {
    const tasks: Record<string, TaskSnapshot> = {};
    for (const [partition, t] of this.tasks) {
      // Pending EMIT FINAL entries the store pruned (closed, not yet emitted) are kept too.
      const entries = new Set([...t.entries.values(), ...[...t.sessions.values()].flat(), ...t.pending]);
      tasks[String(partition)] = {
        streamTime: t.streamTime,
        storeTime: t.storeTime,
        lastEmitCloseTime: t.lastEmitCloseTime,
        entries: [...entries]
          .filter((e) => e.removed !== true)
          .map((e) => ({ ...e, pending: t.pending.has(e) })),
      };
    }
    return { seq: this.seq, tasks };
  }

  restore(state: unknown, _partitions: number): void {
    this.tasks.clear();
    if (typeof state !== 'object' || state === null || !('tasks' in state)) {
      throw new KsqlStatementError(
        `query ${this.id}: the changelog holds a checkpoint of an older format; delete the application's changelog topic to start over`,
      );
    }
    const s = state as AggregationSnapshot;
    this.seq = s.seq;
    for (const [partition, ts] of Object.entries(s.tasks)) {
      const t = this.task(Number(partition));
      t.streamTime = ts.streamTime ?? Number.NEGATIVE_INFINITY;
      t.storeTime = ts.storeTime ?? t.streamTime;
      t.lastEmitCloseTime = ts.lastEmitCloseTime ?? NO_TIMESTAMP;
      // An older checkpoint's suppression buffer names the windows still to emit.
      const buffered = new Set(
        (ts.buffer ?? []).map(
          (b) => `${JSON.stringify(b.row.key)}|${b.row.window?.start}|${b.row.window?.end}`,
        ),
      );
      for (const e of ts.entries) {
        const entry: AggEntry = { ...e };
        if (buffered.has(`${JSON.stringify(e.key)}|${e.start}|${e.end}`)) entry.pending = true;
        this.restoreEntry(t, entry);
      }
    }
  }

  private restoreEntry(t: TaskState, e: AggEntry): void {
    const keyText = JSON.stringify(e.key);
    if (this.model?.session === true) t.sessions.set(keyText, [...(t.sessions.get(keyText) ?? []), e]);
    else t.entries.set(this.model === undefined ? keyText : `${keyText}|${e.start}`, e);
    if (this.spec.emitFinal && e.pending === true) this.addDue(t, e);
  }
}
