/**
 * The runtime contract of the embedded engine's persistent queries: what a query consumes and
 * emits. The aggregation (GROUP BY, windows, HAVING, EMIT FINAL) is aggregation-query.ts;
 * planning (from a CREATE … AS SELECT to a query) is query-plan.ts.
 */
import type { AggregateFunction } from './aggregates.ts';
import type { CreateAsSelect } from './ast.ts';
import type { DataSource } from './data-source.ts';
import type { Evaluator, Row } from './expressions.ts';
import type { ColumnsSerde, WindowBounds } from './serde.ts';

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
  /** Serialises a group key as the aggregation's store does (EMIT FINAL emits in store order). */
  readonly storeKey: ColumnsSerde;
  readonly where: Evaluator | undefined;
  readonly groupBy: readonly Evaluator[];
  readonly aggregates: readonly AggregateFunction[];
  readonly having: Evaluator | undefined;
  readonly values: readonly Evaluator[];
  readonly window: CreateAsSelect['query']['window'];
  readonly emitFinal: boolean;
}
