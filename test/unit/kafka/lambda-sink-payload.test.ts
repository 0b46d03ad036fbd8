import { describe, expect, it } from 'vitest';
import { KafkaEventError } from '../../../services/kafka/errors.ts';
import {
  isLambdaSinkPayload,
  SinkConversionError,
  SinkValueFormat,
  sourceRecordsOfSinkPayload,
  toLambdaSinkRecord,
} from '../../../services/kafka/lambda-sink-payload.ts';
import { type SourceRecord, TimestampType } from '../../../services/kafka/record.ts';

const record = (value: string | null, offset = 42): SourceRecord => ({
  topic: 'clickstream-events',
  partition: 3,
  offset,
  timestamp: 1_795_638_817_660,
  timestampType: TimestampType.CreateTime,
  key: Buffer.from('user-000001'),
  value: value === null ? null : Buffer.from(value),
  headers: [{ name: 'h', value: Buffer.from('x') }],
});

describe('the Lambda Sink connector payload', () => {
  it('round-trips a record through the StringConverter form, bytes unchanged', () => {
    // Prepare
    const original = record('{"broken json');

    // Act
    const payload = [toLambdaSinkRecord(original, SinkValueFormat.String)];
    const [back] = sourceRecordsOfSinkPayload(JSON.parse(JSON.stringify(payload)));

    // Assert
    expect(payload[0]?.payload).toEqual({
      timestamp: 1_795_638_817_660,
      topic: 'clickstream-events',
      partition: 3,
      offset: 42,
      key: 'user-000001',
      value: '{"broken json',
    });
    expect(back).toEqual({ ...original, headers: [] });
  });

  it('gives the JSON converter the parsed value and refuses text that is not JSON', () => {
    expect(toLambdaSinkRecord(record('{"a":1}'), SinkValueFormat.Json).payload.value).toEqual({ a: 1 });
    expect(() => toLambdaSinkRecord(record('{"a":'), SinkValueFormat.Json)).toThrow(SinkConversionError);
  });

  it('reads a parsed JSON value back as JSON bytes, a null value as null, a missing timestamp as none', () => {
    // Act
    const [json, tombstone] = sourceRecordsOfSinkPayload([
      { payload: { timestamp: 5, topic: 't', partition: 0, offset: 1, key: null, value: { a: 1 } } },
      { payload: { timestamp: null, topic: 't', partition: 0, offset: 2, key: null, value: null } },
    ]);

    // Assert
    expect(json?.value?.toString()).toBe('{"a":1}');
    expect(tombstone).toMatchObject({ value: null, timestampType: TimestampType.NoTimestampType });
  });

  it('tells the connector payload from an event source mapping event, and refuses records without coordinates', () => {
    expect(isLambdaSinkPayload([])).toBe(true);
    expect(isLambdaSinkPayload({ eventSource: 'SelfManagedKafka', records: {} })).toBe(false);
    expect(() => sourceRecordsOfSinkPayload([{ payload: { topic: 't', value: 'x' } }])).toThrow(
      KafkaEventError,
    );
  });
});
