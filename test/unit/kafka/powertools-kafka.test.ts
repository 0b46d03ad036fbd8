import { kafkaConsumer } from '@aws-lambda-powertools/kafka';
import { KafkaConsumerParserError } from '@aws-lambda-powertools/kafka/errors';
import type { ConsumerRecords, MSKEvent, SchemaConfig } from '@aws-lambda-powertools/kafka/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeEventAvro } from '../../../services/clickstream/event-avro.ts';
import {
  ClickstreamEventSchema,
  DecodeFailure,
  decodeEvent,
  EventDecodeError,
  encodeEvent,
} from '../../../services/clickstream/index.ts';
import { sourceRecordsOf } from '../../../services/kafka/esm-event.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';
import { aClickstreamEvent, aSourceRecord } from '../../support/factories/clickstream-event.ts';
import { anEsmEvent } from '../../support/factories/esm-event.ts';

/*
 * Why the functions decode the event source mapping's records themselves
 * (services/kafka/esm-event.ts, services/clickstream/codec.ts) rather than with
 * @aws-lambda-powertools/kafka's `kafkaConsumer`, the path the Powertools docs recommend
 * (https://docs.aws.amazon.com/powertools/typescript/latest/features/kafka): each case is a
 * dead letter that would lose its reason, its bytes or its per-record verdict. These run the
 * real library (2.35.0); should a release change one of these behaviours, its case fails
 * and the decision is worth revisiting.
 */

/** The records `kafkaConsumer` hands to a handler for an ESM event of `records`. */
const consumed = async (
  records: readonly SourceRecord[],
  config?: SchemaConfig,
): Promise<ConsumerRecords['records']> => {
  let out: ConsumerRecords['records'] = [];
  const handler = kafkaConsumer(async (event: ConsumerRecords) => {
    out = event.records;
  }, config as SchemaConfig);
  await handler(asMskEvent(anEsmEvent('aws:kafka', records)), {} as never);
  return out;
};

/** Its types name the MSK event alone, with two timestamp types; the shape is the same. */
const asMskEvent = (event: unknown): MSKEvent => event as MSKEvent;

/** The reason the project dead-letters `value` with. */
const reasonOf = (value: Buffer): string => {
  try {
    decodeEvent(value);
    return 'decoded';
  } catch (error) {
    return error instanceof EventDecodeError ? error.reason : String(error);
  }
};

describe('@aws-lambda-powertools/kafka against the per-record poison rule', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('cannot tell a malformed JSON value from a JSON string: both come back as the same text, no error', async () => {
    // Arrange
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const malformed = Buffer.from('abc');
    const jsonString = Buffer.from('"abc"');

    // Act
    const records = await consumed(
      [aSourceRecord({ offset: 1, value: malformed }), aSourceRecord({ offset: 2, value: jsonString })],
      { value: { type: 'json' } },
    );

    // Assert: Powertools gives the same value for both, and writes the poison value's bytes
    // to the function's log with console.error, outside the structured logger.
    expect(records.map((record) => record.value)).toEqual(['abc', 'abc']);
    expect(consoleError).toHaveBeenCalledTimes(1);
    expect(String(consoleError.mock.calls[0]?.[0])).toContain(malformed.toString('base64'));
    // The project's two dead-letter reasons for the same two values.
    expect([reasonOf(malformed), reasonOf(jsonString)]).toEqual([
      DecodeFailure.MalformedJson,
      DecodeFailure.SchemaInvalid,
    ]);
  });

  it('with the event schema as parserSchema, malformed JSON and an invalid event fail with one same error', async () => {
    // Arrange
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const malformed = Buffer.from('{"schemaVersion":');
    const invalid = encodeEvent({ ...aClickstreamEvent(), eventTime: -1 });

    // Act
    const records = await consumed(
      [aSourceRecord({ offset: 1, value: malformed }), aSourceRecord({ offset: 2, value: invalid })],
      { value: { type: 'json', parserSchema: ClickstreamEventSchema } },
    );
    const errors = records.map((record) => {
      try {
        return record.value;
      } catch (error) {
        return error;
      }
    });

    // Assert
    for (const error of errors) {
      expect(error).toBeInstanceOf(KafkaConsumerParserError);
      expect((error as Error).message).toBe('Schema validation failed');
    }
    expect([reasonOf(malformed), reasonOf(invalid)]).toEqual([
      DecodeFailure.MalformedJson,
      DecodeFailure.SchemaInvalid,
    ]);
  });

  it('keeps a lone surrogate that no store can hold, where the project makes it U+FFFD', async () => {
    // Arrange
    const event = aClickstreamEvent();
    const value = Buffer.from(JSON.stringify(event).replace('"Home"', '"Home\\ud800"'));

    // Act
    const [record] = await consumed([aSourceRecord({ value })], { value: { type: 'json' } });

    // Assert
    expect(record?.value).toMatchObject({ page: { title: 'Home\ud800' } });
    expect(decodeEvent(value).page.title).toBe('Home\ufffd');
  });

  it('decodes keys and headers to UTF-8 text, losing the bytes a dead letter carries', async () => {
    // Arrange
    const bytes = Buffer.from([0xff, 0x00, 0xc3]);
    const source = aSourceRecord({ key: bytes, headers: [{ name: 'trace', value: bytes }] });

    // Act
    const [record] = await consumed([source], { value: { type: 'json' } });
    const [ours] = sourceRecordsOf(anEsmEvent('aws:kafka', [source]));

    // Assert
    expect(record?.key).toBe('\ufffd\u0000\ufffd');
    expect(record?.headers).toEqual([{ trace: '\ufffd\u0000\ufffd' }]);
    expect(ours?.key).toEqual(bytes);
    expect(ours?.headers).toEqual([{ name: 'trace', value: bytes }]);
  });

  it('without a schema config, decodes an Avro SOURCE value to UTF-8 text, losing its bytes', async () => {
    // Arrange: what a schema registry mapping with EventRecordFormat SOURCE delivers.
    const event = aClickstreamEvent();
    const bytes = encodeEventAvro(event);
    const source = aSourceRecord({ value: bytes });

    // Act
    const [record] = await consumed([source]);
    const [ours] = sourceRecordsOf(anEsmEvent('aws:kafka', [source]));

    // Assert
    expect(Buffer.from(String(record?.value), 'utf8').equals(bytes)).toBe(false);
    expect(decodeEvent(ours?.value, undefined, 'avro')).toEqual(event);
  });

  it('passes a record with a malformed field through, where the project marks it for its dead letter', async () => {
    // Arrange
    const event = anEsmEvent('aws:kafka', [aSourceRecord({ offset: 7 })]);
    const [batch] = Object.values(event.records);
    (batch?.[0] as unknown as { timestamp: unknown }).timestamp = 'yesterday';
    let delivered: unknown[] = [];
    const handler = kafkaConsumer(
      async (consumedEvent: ConsumerRecords) => {
        delivered = consumedEvent.records.map((record) => record.timestamp);
      },
      undefined as unknown as SchemaConfig,
    );

    // Act
    await handler(asMskEvent(event), {} as never);
    const [ours] = sourceRecordsOf(event);

    // Assert
    expect(delivered).toEqual(['yesterday']);
    expect(ours?.offset).toBe(7);
    expect(ours?.defect).toMatch(/timestamp/);
  });
});
