import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  EnrichedEventPublishError,
  EnrichmentMetric,
  enrichSessionBatch,
  LineageHeader,
  SessionDecodeFailure,
  sessionEventId,
} from '../../../services/enrichment/index.ts';
import { ProfileStoreError } from '../../../services/profiles/index.ts';
import {
  anAbandonedCartSessionRow,
  aSessionKey,
  aSessionRecord,
  aSessionRow,
  aSessionTombstone,
} from '../../support/factories/session-row.ts';
import { aProfile, fakeDependencies, InMemoryProfileReader, TOPICS } from './fakes.ts';

const header = (value: unknown): string => String(value);

describe('enrichSessionBatch', () => {
  it('produces one enriched event per session, keyed by user, stamped with the session end, with lineage', async () => {
    // Prepare
    const { dependencies, producer } = fakeDependencies();
    const key = aSessionKey();
    const record = aSessionRecord(key, aSessionRow(), { partition: 2, offset: 417 });

    // Act
    const summary = await enrichSessionBatch([record], dependencies);

    // Assert
    expect(summary).toMatchObject({ records: 1, enriched: 1, cartsAbandoned: 0, tombstones: 0, poison: 0 });
    expect(producer.sent).toHaveLength(1);
    const [sent] = producer.sent;
    expect(sent).toMatchObject({ topic: TOPICS.sessionsEnriched, acks: -1 });
    const [message] = sent?.messages ?? [];
    const eventId = sessionEventId('session_enriched', key.userId, key.windowStart);
    expect(message?.key).toBe(key.userId);
    expect(message?.timestamp).toBe(String(key.windowEnd));
    expect(JSON.parse(String(message?.value))).toMatchObject({
      eventId,
      userId: key.userId,
      segment: 'loyal',
    });
    const headers = message?.headers ?? {};
    expect(header(headers[LineageHeader.EventId])).toBe(eventId);
    expect(header(headers[LineageHeader.EventType])).toBe('session_enriched');
    expect(header(headers[LineageHeader.SourceTopic])).toBe(record.topic);
    expect(header(headers[LineageHeader.SourcePartition])).toBe('2');
    expect(header(headers[LineageHeader.SourceOffset])).toBe('417');
    expect(header(headers[LineageHeader.WindowStart])).toBe(String(key.windowStart));
    expect(header(headers[LineageHeader.WindowEnd])).toBe(String(key.windowEnd));
  });

  it('never produces anything for tombstones', async () => {
    const { dependencies, producer, deadLetters } = fakeDependencies();
    const profiles = new InMemoryProfileReader([aProfile()]);

    const summary = await enrichSessionBatch(
      [aSessionTombstone(), aSessionTombstone(aSessionKey({ userId: 'u2' }))],
      {
        ...dependencies,
        profiles,
      },
    );

    expect(summary).toMatchObject({ tombstones: 2, enriched: 0 });
    expect(producer.sent).toEqual([]);
    expect(deadLetters.letters).toEqual([]);
    expect(profiles.requests).toEqual([]);
  });

  it('skips a merged session’s tombstone and enriches the merged session', async () => {
    const { dependencies, producer } = fakeDependencies();
    const first = aSessionKey({ windowEnd: aSessionKey().windowStart + 10_000 });
    const merged = aSessionKey();

    await enrichSessionBatch(
      [
        aSessionRecord(first, aSessionRow(), { offset: 1 }),
        aSessionTombstone(first, { offset: 2 }),
        aSessionRecord(merged),
      ],
      dependencies,
    );

    const events = producer.values(TOPICS.sessionsEnriched);
    expect(events).toHaveLength(2);
    // Both rows are the same session (same user, same start): consumers keep one id.
    expect(new Set(events.map((event) => (event as { eventId: string }).eventId)).size).toBe(1);
  });

  it('sends a cart-abandoned event to its own topic', async () => {
    const { dependencies, producer, metrics } = fakeDependencies();

    const summary = await enrichSessionBatch(
      [aSessionRecord(aSessionKey(), anAbandonedCartSessionRow())],
      dependencies,
    );

    expect(summary.cartsAbandoned).toBe(1);
    expect(producer.values(TOPICS.cartAbandoned)).toEqual([
      expect.objectContaining({ type: 'cart_abandoned', userId: 'user-0001', addToCarts: 2 }),
    ]);
    expect(metrics.values.get(EnrichmentMetric.CartsAbandoned)).toBe(1);
  });

  it('enriches users without a profile as "unknown" and counts them, invalid profiles apart', async () => {
    const profiles = new InMemoryProfileReader([aProfile()], ['user-broken']);
    const { dependencies, producer, metrics } = fakeDependencies(profiles);
    const records = ['user-0001', 'bot-0001', 'user-broken'].map((userId, offset) =>
      aSessionRecord(aSessionKey({ userId }), aSessionRow(), { offset }),
    );

    const summary = await enrichSessionBatch(records, dependencies);

    expect(summary).toMatchObject({ enriched: 3, unknownProfiles: 1, invalidProfiles: 1 });
    expect(
      producer.values(TOPICS.sessionsEnriched).map((event) => (event as { segment: string }).segment),
    ).toEqual(['loyal', 'unknown', 'unknown']);
    expect(metrics.values.get(EnrichmentMetric.ProfilesUnknown)).toBe(1);
    expect(metrics.values.get(EnrichmentMetric.ProfilesInvalid)).toBe(1);
    expect(profiles.requests).toEqual([['user-0001', 'bot-0001', 'user-broken']]);
  });

  it('dead-letters an undecodable record with its reason and original bytes, and enriches the rest', async () => {
    const { dependencies, producer, deadLetters } = fakeDependencies();
    const poison = { ...aSessionRecord(), offset: 9, value: Buffer.from('not json') };

    const summary = await enrichSessionBatch(
      [poison, aSessionRecord(aSessionKey(), aSessionRow(), { offset: 10 })],
      dependencies,
    );

    expect(summary).toMatchObject({ poison: 1, enriched: 1 });
    expect(deadLetters.letters).toEqual([
      expect.objectContaining({
        reason: SessionDecodeFailure.ValueNotJson,
        key: poison.key,
        value: poison.value,
        source: expect.objectContaining({ offset: 9 }),
      }),
    ]);
    expect(producer.values(TOPICS.sessionsEnriched)).toHaveLength(1);
  });

  it('dead-letters a session whose record the broker refuses, and produces the others', async () => {
    // Prepare: the topic's limit lowered below what the function read at init.
    const { dependencies, producer, deadLetters } = fakeDependencies();
    producer.maxMessageBytes.set(TOPICS.sessionsEnriched, 32 * 1024);
    const large = aSessionRecord(
      aSessionKey({ userId: 'user-large' }),
      aSessionRow({ ENTRY_PAGE: `/${'p'.repeat(40_000)}` }),
      { offset: 8 },
    );
    const records = [aSessionRecord(aSessionKey({ userId: 'user-a' })), large];

    // Act
    const summary = await enrichSessionBatch(records, dependencies);

    // Assert
    expect(producer.values(TOPICS.sessionsEnriched)).toEqual([expect.objectContaining({ userId: 'user-a' })]);
    expect(deadLetters.letters).toEqual([
      expect.objectContaining({
        reason: 'PROCESSING_FAILED',
        source: expect.objectContaining({ offset: 8 }),
      }),
    ]);
    expect(deadLetters.letters[0]?.detail).toMatch(
      /refused its enriched record: .*larger than the max message size/,
    );
    expect(summary).toMatchObject({ enriched: 1, poison: 1 });
  });

  it('fails the batch when the events cannot be produced', async () => {
    const { dependencies, producer } = fakeDependencies();
    producer.failure = new kafkajs.KafkaJSConnectionError('Connection error: ECONNREFUSED');

    const result = enrichSessionBatch([aSessionRecord()], dependencies);

    await expect(result).rejects.toBeInstanceOf(EnrichedEventPublishError);
    await expect(result).rejects.toHaveProperty('cause', producer.failure);
  });

  it('fails the batch, producing nothing, when the profiles cannot be read', async () => {
    const failure = new ProfileStoreError('cannot read profiles in table profiles: throttled');
    const { dependencies, producer } = fakeDependencies({ getProfiles: () => Promise.reject(failure) });

    await expect(enrichSessionBatch([aSessionRecord()], dependencies)).rejects.toBe(failure);
    expect(producer.sent).toEqual([]);
  });

  it('re-sends identical events when a batch is retried', async () => {
    const { dependencies, producer } = fakeDependencies();
    const batch = [
      aSessionRecord(),
      aSessionRecord(aSessionKey({ userId: 'user-0002' }), anAbandonedCartSessionRow()),
    ];

    await enrichSessionBatch(batch, dependencies);
    const firstAttempt = structuredClone(producer.sent);
    producer.sent.length = 0;
    await enrichSessionBatch(batch, dependencies);

    expect(producer.sent).toEqual(firstAttempt);
  });
});
