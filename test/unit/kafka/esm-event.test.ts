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

describe('sourceRecordsOf, one record at a time', () => {
  const event = (...records: unknown[]) => ({
    eventSource: 'SelfManagedKafka',
    records: { 'events-0': records },
  });
  const good = {
    topic: 'events',
    partition: 0,
    offset: 1,
    timestamp: 5,
    timestampType: 'CREATE_TIME',
    value: 'e30=',
    headers: [],
  };

  it('reads a record without a timestamp (NO_TIMESTAMP_TYPE) like any other', () => {
    const [record] = sourceRecordsOf(event({ ...good, timestamp: -1, timestampType: 'NO_TIMESTAMP_TYPE' }));

    expect(record).toMatchObject({ timestampType: 'NO_TIMESTAMP_TYPE', timestamp: -1 });
    expect(record?.defect).toBeUndefined();
  });

  it.each([
    ['a value of invalid length', { value: 'abc' }, 'value is not valid base64'],
    ['a key with characters outside base64', { key: 'a*b=' }, 'key is not valid base64'],
    ['padding in the middle', { value: 'ab==cd==' }, 'value is not valid base64'],
    ['a header byte out of range', { headers: [{ h: [256] }] }, 'header "h" has a value that is not bytes'],
  ])('marks %s as a defect of that record only', (_, fields, defect) => {
    const records = sourceRecordsOf(event({ ...good, offset: 0, ...fields }, good));

    expect(records.map((record) => record.defect)).toEqual([defect, undefined]);
  });

  it('marks a record with a malformed field as a defect, keeping its coordinates', () => {
    const [record] = sourceRecordsOf(event({ ...good, timestampType: 'SOMETIME', timestamp: 'x' }));

    expect(record).toMatchObject({ topic: 'events', partition: 0, offset: 1 });
    expect(record?.defect).toMatch(/^malformed record in events-0/);
  });

  it('fails the event only for a record that has no coordinates to dead-letter it by', () => {
    expect(() => sourceRecordsOf(event({ value: 'e30=' }))).toThrow(KafkaEventError);
  });
});
