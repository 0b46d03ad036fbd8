import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AggregateStoreError,
  aggregateBatch,
  aggregateEvents,
  expiresAtOf,
  isMinute,
} from '../../../services/aggregation/index.ts';
import {
  ClickstreamEventSchema,
  decodeEvent,
  EventDecodeError,
} from '../../../services/clickstream/index.ts';
import { KafkaEventError } from '../../../services/kafka/errors.ts';
import { kafkaEventOf, sourceRecordsOf } from '../../../services/kafka/esm-event.ts';
import { aSourceRecord } from '../../support/factories/clickstream-event.ts';
import {
  esmEventArb,
  FUZZ_BASE_TIME,
  floodEventArb,
  validEventArb,
  valueBytesArb,
} from '../../support/fuzz/arbitraries.ts';
import { fuzzEnrichment, sessionBatchArb } from '../../support/fuzz/enrichment-harness.ts';
import { fuzzAggregation } from '../../support/fuzz/harness.ts';

// Property tests of the poison rule (docs/effectively-once.md), a few thousand inputs in all;
// `npm run bench:fuzz` runs the same properties over 100k and more.

const NOW = FUZZ_BASE_TIME + 60_000;

// Thousands of generated inputs each: seconds on a quiet laptop, more on a shared one.
const PROPERTY_TIMEOUT_MS = 120_000;

describe('the event decoder', () => {
  it(
    'returns a valid event or throws EventDecodeError, for any bytes',
    () => {
      fc.assert(
        fc.property(
          valueBytesArb,
          fc.option(fc.integer({ min: -1, max: 2 * FUZZ_BASE_TIME })),
          (value, reference) => {
            try {
              const event = decodeEvent(value, {
                referenceTime: reference ?? undefined,
                maxPastMs: 7 * 86_400_000,
                maxFutureMs: 86_400_000,
              });
              expect(ClickstreamEventSchema.safeParse(event).success).toBe(true);
            } catch (error) {
              expect(error).toBeInstanceOf(EventDecodeError);
            }
          },
        ),
        { numRuns: 1500 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('the event source mapping parser', () => {
  it(
    'returns one record per delivered record (malformed ones with a defect), for any payload with coordinates',
    () => {
      fc.assert(
        fc.property(esmEventArb(), (event) => {
          const delivered = Object.values((event as { records: Record<string, unknown[]> }).records).flat();
          const records = sourceRecordsOf(event);
          expect(records).toHaveLength(delivered.length);
          for (const record of records) {
            if (record.defect === undefined) expect(Number.isInteger(record.timestamp)).toBe(true);
          }
        }),
        { numRuns: 800 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('throws only KafkaEventError on a payload that is not a Kafka event', () => {
    fc.assert(
      fc.property(fc.anything(), (payload) => {
        try {
          sourceRecordsOf(payload);
        } catch (error) {
          expect(error).toBeInstanceOf(KafkaEventError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('the aggregation', () => {
  it(
    'is total over valid events: well-formed minutes and finite TTLs, nothing rejected',
    () => {
      fc.assert(
        fc.property(
          fc.array(validEventArb, { maxLength: 8 }),
          fc.integer({ min: 0, max: 40 * 86_400 }),
          (raw, skew) => {
            const events = raw.map((event, offset) => ({
              event: ClickstreamEventSchema.parse(event),
              source: 'clickstream-events-0',
              offset,
            }));
            const aggregate = aggregateEvents(events, 30, NOW + skew * 1000);
            expect(aggregate.rejected).toEqual([]);
            for (const item of aggregate.counterItems) {
              expect(isMinute(String(item.attributes.minute))).toBe(true);
              expect(Number.isSafeInteger(item.attributes.expiresAt)).toBe(true);
              // The TTL is past the write: a redelivery within the retention finds the item.
              expect(Number(item.attributes.expiresAt) * 1000).toBeGreaterThan(NOW + skew * 1000);
            }
          },
        ),
        { numRuns: 500 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('gives every minute up to year 9999 a TTL after both the bucket and the write', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59) }), fc.nat(), (at, writtenAt) => {
        const minute = `${new Date(at).toISOString().slice(0, 16)}Z`;
        const expiresAt = expiresAtOf(minute, 30, writtenAt);
        expect(Number.isSafeInteger(expiresAt)).toBe(true);
        expect(expiresAt * 1000).toBeGreaterThan(Math.max(at, writtenAt));
      }),
      { numRuns: 500 },
    );
  });

  it(
    'counts every record exactly once or dead-letters it, redelivery included, for any payload',
    async () => {
      await fc.assert(
        fc.asyncProperty(esmEventArb(), async (event) => {
          const verdict = await fuzzAggregation(event, NOW);
          expect(verdict).toMatchObject({ kind: 'ok' });
        }),
        { numRuns: 800 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('the fuzz harness', () => {
  // One record to count, one to dead-letter.
  const payload = kafkaEventOf({ eventSource: 'SelfManagedKafka', bootstrapServers: '127.0.0.1:9092' }, [
    aSourceRecord({ offset: 0, timestamp: FUZZ_BASE_TIME }),
    aSourceRecord({ offset: 1, value: Buffer.from('not json') }),
  ]);

  it('calls a bug a crash, an error that claims to be retriable a stall', async () => {
    const buggy: typeof aggregateBatch = async () => {
      throw new TypeError('a bug');
    };
    const stuck: typeof aggregateBatch = async () => {
      throw new AggregateStoreError('never recovers');
    };

    expect(await fuzzAggregation(payload, NOW, buggy)).toMatchObject({ kind: 'crash' });
    expect(await fuzzAggregation(payload, NOW, stuck)).toMatchObject({ kind: 'stall' });
  });

  it('sees a record neither counted nor dead-lettered, and a redelivery that counts again', async () => {
    const losing: typeof aggregateBatch = (records, dependencies) =>
      aggregateBatch(records, { ...dependencies, deadLetters: { publish: async () => {} } });
    let deliveries = 0;
    const doubling: typeof aggregateBatch = (records, dependencies) => {
      deliveries += 1;
      // A fresh topic name on the second delivery: no watermark to stop it counting again.
      return aggregateBatch(
        deliveries === 2 ? records.map((record) => ({ ...record, topic: `${record.topic}-again` })) : records,
        dependencies,
      );
    };

    expect(await fuzzAggregation(payload, NOW, losing)).toMatchObject({ kind: 'violation' });
    expect(await fuzzAggregation(payload, NOW, doubling)).toMatchObject({ kind: 'violation' });
  });
});

describe('the sinks limits', () => {
  it(
    'counts floods on one partition and minute (long, multibyte, lone-surrogate paths; maximum orders) within the limits',
    async () => {
      await fc.assert(
        fc.asyncProperty(floodEventArb('clickstream-events', 400), async (event) => {
          expect(await fuzzAggregation(event, NOW)).toMatchObject({ kind: 'ok' });
        }),
        { numRuns: 6 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'enriches, skips or dead-letters every session record, whatever its size, under the broker limits',
    async () => {
      await fc.assert(
        fc.asyncProperty(sessionBatchArb(20), async (records) => {
          expect(await fuzzEnrichment(records)).toMatchObject({ kind: 'ok' });
        }),
        { numRuns: 15 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
