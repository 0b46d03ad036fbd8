import { describe, expect, it } from 'vitest';
import {
  DecodeFailure,
  decodeEvent,
  EventDecodeError,
  encodeEvent,
  eventKey,
  MAX_EVENT_BYTES,
} from '../../../services/clickstream/index.ts';
import { aClickstreamEvent, aPurchase } from '../../factories/clickstream-event.ts';

const decodeFailure = (value: Buffer | string | null): EventDecodeError => {
  try {
    decodeEvent(value);
  } catch (error) {
    if (error instanceof EventDecodeError) return error;
    throw error;
  }
  throw new Error('expected decodeEvent to throw');
};

describe('clickstream event codec', () => {
  it('round-trips an event through its Kafka value', () => {
    const event = aPurchase();

    const decoded = decodeEvent(encodeEvent(event));

    expect(decoded).toEqual(event);
  });

  it('keys events by user id so one user stays on one partition', () => {
    expect(eventKey(aClickstreamEvent({ userId: 'user-42' }))).toBe('user-42');
  });

  it('names malformed JSON', () => {
    const error = decodeFailure('{"eventId": ');

    expect(error.reason).toBe(DecodeFailure.MalformedJson);
  });

  it('lists every failing path of a schema-invalid event', () => {
    const { eventTime: _dropped, ...withoutTime } = aClickstreamEvent();
    const value = JSON.stringify({ ...withoutTime, type: 'teleport' });

    const error = decodeFailure(value);

    expect(error.reason).toBe(DecodeFailure.SchemaInvalid);
    expect(error.detail).toContain('type');
    expect(error.detail).toContain('eventTime');
  });

  it('requires a product on product events', () => {
    const value = JSON.stringify(aPurchase({ product: null }));

    const error = decodeFailure(value);

    expect(error.reason).toBe(DecodeFailure.SchemaInvalid);
    expect(error.detail).toContain('product: a purchase event needs a product');
  });

  it('rejects unknown fields (a strict contract between producer and consumers)', () => {
    const value = JSON.stringify({ ...aClickstreamEvent(), extra: true });

    expect(decodeFailure(value).reason).toBe(DecodeFailure.SchemaInvalid);
  });

  it('rejects an oversized record before parsing it', () => {
    const value = Buffer.alloc(MAX_EVENT_BYTES + 1, 0x20);

    expect(decodeFailure(value).reason).toBe(DecodeFailure.Oversized);
  });

  it('rejects a record with no value', () => {
    expect(decodeFailure(null).reason).toBe(DecodeFailure.EmptyValue);
  });
});
