import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, valueEncodingOf } from '../../../services/clickstream/codec.ts';
import { DecodeFailure, EventDecodeError } from '../../../services/clickstream/errors.ts';
import type { ClickstreamEvent } from '../../../services/clickstream/event.ts';
import { encodeEventAvro } from '../../../services/clickstream/event-avro.ts';
import { sourceRecordsOf } from '../../../services/kafka/esm-event.ts';

const search: ClickstreamEvent = {
  schemaVersion: 2,
  eventId: '0b7d3c1e-5a4f-4e2d-8c6b-1a2b3c4d5e6f',
  type: 'search',
  userId: 'u-7',
  sessionId: 's-7',
  eventTime: 1_767_225_600_123,
  page: { path: '/search', title: 'Search', referrer: 'https://example.com/' },
  product: null,
  order: null,
  query: 'red shoes',
  userAgent: 'Mozilla/5.0',
  ip: '2001:db8::1',
  utm: { source: 'ads', medium: 'cpc', campaign: 'winter' },
};

const AVRO = { dataFormat: 'AVRO', schemaId: '1' } as const;

describe('Avro deliveries (schema registry mappings)', () => {
  it('decodes an Avro value (EventRecordFormat SOURCE) to the event it encodes', () => {
    const value = encodeEventAvro(search);

    expect(valueEncodingOf(value, AVRO)).toBe('avro');
    expect(decodeEvent(value, undefined, valueEncodingOf(value, AVRO))).toEqual(search);
  });

  it('reads a JSON delivery of an Avro-written value (EventRecordFormat JSON) as JSON', () => {
    const value = encodeEvent(search);

    expect(valueEncodingOf(value, AVRO)).toBe('json');
    expect(decodeEvent(value, undefined, valueEncodingOf(value, AVRO))).toEqual(search);
  });

  it('reads values without schema metadata as JSON', () => {
    expect(valueEncodingOf(encodeEventAvro(search), undefined)).toBe('json');
  });

  it('makes truncated Avro a poison record (MALFORMED_AVRO)', () => {
    const error = (() => {
      try {
        decodeEvent(encodeEventAvro(search).subarray(0, 10), undefined, 'avro');
      } catch (e) {
        return e;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(EventDecodeError);
    expect((error as EventDecodeError).reason).toBe(DecodeFailure.MalformedAvro);
  });

  it('keeps valueSchemaMetadata from the event on the source record', () => {
    const event = {
      eventSource: 'SelfManagedKafka',
      bootstrapServers: 'b:9092',
      records: {
        't-0': [
          {
            topic: 't',
            partition: 0,
            offset: 3,
            timestamp: 1,
            timestampType: 'CREATE_TIME',
            value: encodeEventAvro(search).toString('base64'),
            headers: [],
            valueSchemaMetadata: AVRO,
          },
        ],
      },
    };

    const [record] = sourceRecordsOf(event);

    expect(record?.valueSchemaMetadata).toEqual(AVRO);
  });
});
