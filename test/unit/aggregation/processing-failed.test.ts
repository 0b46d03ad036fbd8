import { describe, expect, it, vi } from 'vitest';
import { AggregateStoreError, aggregateBatch } from '../../../services/aggregation/index.ts';
import { PROCESSING_FAILED } from '../../../services/commons/errors.ts';
import { testDependencies } from '../../support/aggregation/fakes.ts';
import { InMemoryAggregateStore } from '../../support/aggregation/in-memory-aggregate-store.ts';
import { aSourceRecord } from '../../support/factories/clickstream-event.ts';
import { RecordingDeadLetterPublisher } from '../../support/fakes/recording.ts';

// Stands in for a bug in the aggregation: the event at offset 0 fails with a plain error, the one
// at offset 1 with a retriable one.
const failure = vi.hoisted(() => ({ kind: 'bug' as 'bug' | 'infrastructure' }));
vi.mock('../../../services/aggregation/batch-aggregate.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../services/aggregation/batch-aggregate.ts')>();
  return {
    ...original,
    aggregateEvents: (...args: Parameters<typeof original.aggregateEvents>) => {
      const [events, ...rest] = args;
      const aggregate = original.aggregateEvents(
        events.filter((event) => event.offset !== 0),
        ...rest,
      );
      const error =
        failure.kind === 'bug'
          ? new TypeError('cannot read properties of undefined')
          : new AggregateStoreError('throttled');
      return { ...aggregate, rejected: [{ source: 'clickstream-events-0', offset: 0, error }] };
    },
  };
});

describe('an unexpected per-record error', () => {
  it('dead-letters that record as PROCESSING_FAILED and counts the rest', async () => {
    failure.kind = 'bug';
    const store = new InMemoryAggregateStore();
    const deadLetters = new RecordingDeadLetterPublisher();

    const summary = await aggregateBatch(
      [aSourceRecord({ offset: 0 }), aSourceRecord({ offset: 1 })],
      testDependencies(store, deadLetters),
    );

    expect(deadLetters.letters.map((letter) => [letter.reason, letter.source.offset])).toEqual([
      [PROCESSING_FAILED, 0],
    ]);
    expect(deadLetters.letters[0]?.detail).toContain('cannot read properties of undefined');
    expect(summary.events).toBe(1);
  });

  it('fails the batch when the error is retriable (infrastructure), dead-lettering nothing', async () => {
    failure.kind = 'infrastructure';
    const deadLetters = new RecordingDeadLetterPublisher();

    const running = aggregateBatch(
      [aSourceRecord({ offset: 0 }), aSourceRecord({ offset: 1 })],
      testDependencies(new InMemoryAggregateStore(), deadLetters),
    );

    await expect(running).rejects.toThrow(AggregateStoreError);
    expect(deadLetters.letters).toEqual([]);
  });
});
