import { Logger } from '@aws-lambda-powertools/logger';
import { kafkaBatchHandler } from '../../../functions/commons/kafka-batch-handler.ts';
import { type AggregationDependencies, aggregateBatch } from '../../../services/aggregation/index.ts';
import { isRetriable } from '../../../services/commons/errors.ts';
import type { MetricsSink } from '../../../services/commons/metrics-sink.ts';
import type { DeadLetter, DeadLetterPublisher } from '../../../services/dead-letter/index.ts';
import { sourceRecordsOf } from '../../../services/kafka/esm-event.ts';
import { type FuzzBackend, inMemoryBackend } from './backends.ts';

/**
 * The aggregation function's path, event in to totals out, as its handler runs it
 * (functions/aggregate-events/handler.ts: sourceRecordsOf, then aggregateBatch), with an
 * in-memory store that never fails. With no infrastructure to fail, the rule
 * (docs/effectively-once.md) says every input must end with each record counted once or
 * dead-lettered once; anything thrown is a crash (not retriable: a bug) or a stall (retriable,
 * but nothing here can recover, so the mapping would retry the batch forever).
 */

/** What became of one delivered batch. */
export type FuzzVerdict =
  | { readonly kind: 'ok'; readonly outcomes: ReadonlyMap<string, number> }
  | { readonly kind: 'crash' | 'stall'; readonly error: unknown }
  | { readonly kind: 'violation'; readonly detail: string };

class KeepingPublisher implements DeadLetterPublisher {
  readonly letters: DeadLetter[] = [];
  async publish(letters: readonly DeadLetter[]): Promise<void> {
    this.letters.push(...letters);
  }
}

const silent = new Logger({ logLevel: 'SILENT' });
const noMetrics = { addMetric: () => {} };

/**
 * Delivers `event` to the aggregation, then delivers it again (a redelivery), and checks the
 * rule: the unique records are split between counted and dead-lettered, each dead letter names
 * a delivered record once, the stored totals count exactly the counted records, and the
 * redelivery changes no total.
 */
export const fuzzAggregation = async (
  event: unknown,
  now: number,
  aggregate: typeof aggregateBatch = aggregateBatch,
  backend: FuzzBackend = inMemoryBackend(),
  metrics: MetricsSink = noMetrics,
): Promise<FuzzVerdict> => {
  const dependencies = (deadLetters: DeadLetterPublisher): AggregationDependencies => ({
    store: backend.store,
    deadLetters,
    logger: silent,
    metrics,
    retentionDays: 30,
    writeConcurrency: 4,
    now: () => now,
  });
  const first = new KeepingPublisher();
  const again = new KeepingPublisher();
  let records: ReturnType<typeof sourceRecordsOf>;
  // The handler's own shape (functions/commons/kafka-batch-handler.ts, as create-handler.ts
  // builds it): decode the event, one service call.
  const handler = (deadLetters: DeadLetterPublisher) =>
    kafkaBatchHandler((delivered) => aggregate(delivered, dependencies(deadLetters)));
  try {
    records = sourceRecordsOf(event);
    await handler(first)(event);
    const before = await backend.snapshot();
    await handler(again)(event);
    if ((await backend.snapshot()) !== before) {
      return { kind: 'violation', detail: 'a redelivery changed the totals' };
    }
  } catch (error) {
    return { kind: isRetriable(error) ? 'stall' : 'crash', error };
  }

  const unique = new Set(records.map((record) => `${record.topic}-${record.partition}@${record.offset}`));
  const outcomes = new Map<string, number>();
  const lettered = new Set<string>();
  for (const letter of first.letters) {
    const id = `${letter.source.topic}-${letter.source.partition}@${letter.source.offset}`;
    if (!unique.has(id)) return { kind: 'violation', detail: `a dead letter for ${id}, never delivered` };
    if (lettered.has(id)) return { kind: 'violation', detail: `${id} dead-lettered twice` };
    lettered.add(id);
    outcomes.set(letter.reason, (outcomes.get(letter.reason) ?? 0) + 1);
  }
  const counted = unique.size - lettered.size;
  const stored = await backend.countedEvents();
  if (stored !== counted) {
    return {
      kind: 'violation',
      detail: `${counted} records counted by the dead letters, ${stored} in the totals`,
    };
  }
  if (again.letters.length !== first.letters.length) {
    return { kind: 'violation', detail: 'a redelivery dead-lettered a different number of records' };
  }
  outcomes.set('COUNTED', counted);
  return { kind: 'ok', outcomes };
};
