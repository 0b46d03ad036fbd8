import { describe, expect, it } from 'vitest';
import { avroValueEncoder, valueSubject } from '../../../load-generator/value-format.ts';
import { encodeEvent } from '../../../services/clickstream/codec.ts';
import { type ClickstreamEvent, ClickstreamEventSchema } from '../../../services/clickstream/event.ts';
import { clickstreamEventAvroType } from '../../../services/clickstream/event-avro.ts';
import { unframe } from '../../../services/schema-registry/wire-format.ts';

const purchase: ClickstreamEvent = {
  schemaVersion: 2,
  eventId: '6f1c8a9e-2b1d-4c3e-9f00-0a1b2c3d4e5f',
  type: 'purchase',
  userId: 'u-000042',
  sessionId: 's-1',
  eventTime: 1_767_225_600_000,
  page: { path: '/checkout/done', title: 'Thank you', referrer: null },
  product: null,
  order: { lines: [{ productId: 'p-1', quantity: 2, unitPrice: 9.99 }], quantity: 2, revenue: 19.98 },
  query: null,
  userAgent: 'Mozilla/5.0',
  ip: '203.0.113.7',
  utm: { source: 'newsletter', medium: null, campaign: null },
};

describe('load generator --format avro', () => {
  it('frames a valid event with the schema id, and the Avro decodes back to the same event', () => {
    const encoded = avroValueEncoder(7)(encodeEvent(purchase), 'valid');

    const framed = unframe(encoded);
    expect(framed.ok && framed.schemaId).toBe(7);
    const decoded = framed.ok
      ? JSON.parse(JSON.stringify(clickstreamEventAvroType.fromBuffer(framed.payload)))
      : undefined;
    expect(ClickstreamEventSchema.parse(decoded)).toEqual(purchase);
  });

  it('sends a deliberately bad record unframed, so the consumer rejects it', () => {
    const bad = Buffer.from('{"schemaVersion":2,');

    expect(avroValueEncoder(7)(bad, 'malformedJson')).toBe(bad);
  });

  it('registers under <topic>-value (TopicNameStrategy)', () => {
    expect(valueSubject('clickstream-events')).toBe('clickstream-events-value');
  });
});
