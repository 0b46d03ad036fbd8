import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHandler as createAggregateEvents } from '../../../functions/aggregate-events/create-handler.ts';
import { createHandler as createEnrichSessions } from '../../../functions/enrich-sessions/create-handler.ts';
import { KafkaEventError } from '../../../services/kafka/errors.ts';
import { sourceRecordsOf } from '../../../services/kafka/esm-event.ts';
import { SinkValueFormat, toLambdaSinkRecord } from '../../../services/kafka/lambda-sink-payload.ts';
import { testDependencies } from '../../support/aggregation/fakes.ts';
import { InMemoryAggregateStore } from '../../support/aggregation/in-memory-aggregate-store.ts';
import { anEsmEvent } from '../../support/factories/esm-event.ts';
import { aSessionKey, aSessionRecord, aSessionRow } from '../../support/factories/session-row.ts';
import { RecordingDeadLetterPublisher } from '../../support/fakes/recording.ts';
import { fakeDependencies } from '../enrichment/fakes.ts';

// The handlers as Lambda invokes them, with fakes for their clients and the events shaped as
// the Lambda docs show them (https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html and
// with-kafka.html, "Example event").
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8'));

describe('aggregate-events handler', () => {
  it.each(['msk-event.json', 'self-managed-kafka-event.json'])(
    'aggregates every record of %s',
    async (name) => {
      const store = new InMemoryAggregateStore();
      const deadLetters = new RecordingDeadLetterPublisher();
      const handler = createAggregateEvents(testDependencies(store, deadLetters));

      await handler(fixture(name));

      const funnelEvents = [...store.items.values()]
        .filter((item) => item.attributes.entity === 'Funnel')
        .reduce((sum, item) => sum + (item.counters.events ?? 0), 0);
      expect(funnelEvents).toBe(6);
      expect(deadLetters.letters).toEqual([]);
    },
  );

  it('aggregates the same records sent by the Lambda Sink connector, and dead-letters its poison with coordinates', async () => {
    // Prepare: the self-managed event's records as the connector sends them (a JSON array), plus one broken value
    const records = sourceRecordsOf(fixture('self-managed-kafka-event.json'));
    const payload = [
      ...records.map((record) => toLambdaSinkRecord(record, SinkValueFormat.String)),
      {
        payload: {
          timestamp: 1,
          topic: 'clickstream-events',
          partition: 5,
          offset: 77,
          key: null,
          value: '{',
        },
      },
    ];
    const store = new InMemoryAggregateStore();
    const deadLetters = new RecordingDeadLetterPublisher();
    const handler = createAggregateEvents(testDependencies(store, deadLetters));

    // Act
    await handler(JSON.parse(JSON.stringify(payload)));

    // Assert
    const funnelEvents = [...store.items.values()]
      .filter((item) => item.attributes.entity === 'Funnel')
      .reduce((sum, item) => sum + (item.counters.events ?? 0), 0);
    expect(funnelEvents).toBe(6);
    expect(
      deadLetters.letters.map((letter) => [letter.reason, letter.source.partition, letter.source.offset]),
    ).toEqual([['MALFORMED_JSON', 5, 77]]);
  });

  it('fails the invocation on a payload that is not a Kafka event (the mapping retries it)', async () => {
    const handler = createAggregateEvents(testDependencies(new InMemoryAggregateStore()));

    await expect(handler({ Records: [] })).rejects.toThrow(KafkaEventError);
  });
});

describe('enrich-sessions handler', () => {
  it('enriches a closed session delivered in an ESM event, and dead-letters an undecodable record', async () => {
    const { dependencies, producer, deadLetters } = fakeDependencies();
    const handler = createEnrichSessions(dependencies);

    await handler(
      anEsmEvent('aws:kafka', [
        aSessionRecord(aSessionKey(), aSessionRow(), { offset: 0 }),
        {
          ...aSessionRecord(aSessionKey({ userId: 'user-2' }), aSessionRow(), { offset: 1 }),
          value: Buffer.from('{'),
        },
      ]),
    );

    expect(producer.sent.flatMap((sent) => sent.messages.map((message) => message.key))).toEqual([
      'user-0001',
    ]);
    expect(deadLetters.letters.map((letter) => letter.source.offset)).toEqual([1]);
  });
});
