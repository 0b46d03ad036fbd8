import { describe, expect, it } from 'vitest';
import { eventRecordBytes, PayloadSize } from '../../../emulators/esm/payload.ts';
import {
  buildKafkaEvent,
  type EventSourceIdentity,
  toEventRecord,
} from '../../../services/kafka/esm-event.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';

const sourceRecord = (overrides: Partial<SourceRecord> = {}): SourceRecord => ({
  topic: 'mytopic',
  partition: 0,
  offset: 15,
  timestamp: 1545084650987,
  timestampType: 'CREATE_TIME',
  key: Buffer.from('recordKey'),
  value: Buffer.from('{"key":"value"}'),
  headers: [{ name: 'headerKey', value: Buffer.from('headerValue') }],
  ...overrides,
});

describe('Kafka event payload', () => {
  it('encodes a record like the self-managed Kafka example in the Lambda docs', () => {
    // Prepare
    const source: EventSourceIdentity = {
      eventSource: 'SelfManagedKafka',
      bootstrapServers: 'b-2.demo:9092,b-1.demo:9092',
    };

    // Act
    const event = buildKafkaEvent(source, [{ key: 'mytopic-0', records: [toEventRecord(sourceRecord())] }]);

    // Assert
    expect(event).toEqual({
      eventSource: 'SelfManagedKafka',
      bootstrapServers: 'b-2.demo:9092,b-1.demo:9092',
      records: {
        'mytopic-0': [
          {
            topic: 'mytopic',
            partition: 0,
            offset: 15,
            timestamp: 1545084650987,
            timestampType: 'CREATE_TIME',
            key: 'cmVjb3JkS2V5',
            value: 'eyJrZXkiOiJ2YWx1ZSJ9',
            headers: [{ headerKey: [104, 101, 97, 100, 101, 114, 86, 97, 108, 117, 101] }],
          },
        ],
      },
    });
  });

  it('names the MSK cluster in eventSourceArn', () => {
    // Prepare
    const source: EventSourceIdentity = {
      eventSource: 'aws:kafka',
      eventSourceArn:
        'arn:aws:kafka:us-east-1:123456789012:cluster/vpc-2priv-2pub/751d2973-a626-431c-9d4e-d7975eb44dd7-2',
      bootstrapServers: 'b-1:9092',
    };

    // Act
    const event = buildKafkaEvent(source, []);

    // Assert
    expect(Object.keys(event)).toEqual(['eventSource', 'eventSourceArn', 'bootstrapServers', 'records']);
  });

  it('omits the key of a record without one, keeps repeated headers in order', () => {
    // Act
    const record = toEventRecord(
      sourceRecord({
        key: null,
        headers: [
          { name: 'a', value: Buffer.from([1]) },
          { name: 'a', value: Buffer.from([2]) },
        ],
      }),
    );

    // Assert
    expect(record).not.toHaveProperty('key');
    expect(record.headers).toEqual([{ a: [1] }, { a: [2] }]);
  });

  it('computes the exact serialized size of an event as records are added', () => {
    // Prepare
    const source: EventSourceIdentity = { eventSource: 'SelfManagedKafka', bootstrapServers: 'h:9092' };
    const records = [
      toEventRecord(sourceRecord({ partition: 0, offset: 1 })),
      toEventRecord(sourceRecord({ partition: 0, offset: 2, value: Buffer.from('é€'.repeat(50)) })),
      toEventRecord(sourceRecord({ topic: 'other', partition: 3, offset: 9, key: null })),
    ];
    const size = new PayloadSize(source);

    // Act
    for (const record of records) size.add(`${record.topic}-${record.partition}`, eventRecordBytes(record));
    const event = buildKafkaEvent(source, [
      { key: 'mytopic-0', records: records.slice(0, 2) },
      { key: 'other-3', records: records.slice(2) },
    ]);

    // Assert
    expect(size.bytes).toBe(Buffer.byteLength(JSON.stringify(event)));
  });
});
