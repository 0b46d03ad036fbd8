import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../../../services/clickstream/index.ts';
import { KafkaEventError } from '../../../services/kafka/errors.ts';
import { sourceRecordsOf } from '../../../services/kafka/esm-event.ts';

// Shaped as the Lambda docs show: https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html
// and https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html ("Example event").
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8'));

describe('sourceRecordsOf', () => {
  it.each(['msk-event.json', 'self-managed-kafka-event.json'])(
    'flattens %s in partition and offset order',
    (name) => {
      // Act
      const records = sourceRecordsOf(fixture(name));

      // Assert
      expect(records.map((record) => `${record.topic}-${record.partition}@${record.offset}`)).toEqual([
        'clickstream-events-0@40',
        'clickstream-events-0@41',
        'clickstream-events-0@42',
        'clickstream-events-1@17',
        'clickstream-events-1@18',
        'clickstream-events-1@19',
      ]);
      expect(records.map((record) => decodeEvent(record.value).type)).toEqual([
        'page_view',
        'click',
        'add_to_cart',
        'page_view',
        'purchase',
        'search',
      ]);
    },
  );

  it('decodes key, value and headers to their original bytes', () => {
    // Act
    const [first] = sourceRecordsOf(fixture('msk-event.json'));

    // Assert
    expect(first?.key?.toString('utf8')).toBe('user-1000');
    expect(first?.headers).toEqual([{ name: 'content-type', value: Buffer.from('application/json') }]);
    expect(first?.timestampType).toBe('CREATE_TIME');
  });

  it('reads an absent key or value as null, leaving the value to be dead-lettered', () => {
    // Prepare
    const event = {
      eventSource: 'SelfManagedKafka',
      records: {
        'clickstream-events-3': [
          {
            topic: 'clickstream-events',
            partition: 3,
            offset: 8,
            timestamp: 1,
            timestampType: 'LOG_APPEND_TIME',
            headers: [],
          },
        ],
      },
    };

    // Act
    const [record] = sourceRecordsOf(event);

    // Assert
    expect(record).toMatchObject({ key: null, value: null, headers: [] });
  });

  it.each([
    ['an SQS event', { Records: [{ messageId: '1', body: '{}' }] }],
    ['an MSK event without its ARN', { eventSource: 'aws:kafka', records: {} }],
    [
      'a record with a negative offset',
      {
        eventSource: 'SelfManagedKafka',
        records: {
          't-0': [{ topic: 't', partition: 0, offset: -1, timestamp: 1, timestampType: 'CREATE_TIME' }],
        },
      },
    ],
  ])('refuses %s', (_, event) => {
    expect(() => sourceRecordsOf(event)).toThrow(KafkaEventError);
  });
});
