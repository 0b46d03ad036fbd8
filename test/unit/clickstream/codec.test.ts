import { describe, expect, it } from 'vitest';
import {
  DecodeFailure,
  decodeEvent,
  EventDecodeError,
  encodeEvent,
  eventKey,
  MAX_EVENT_BYTES,
  MAX_ORDER_LINES,
} from '../../../services/clickstream/index.ts';
import { aClickstreamEvent, anOrder, aPurchase } from '../../support/factories/clickstream-event.ts';

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
    const value = JSON.stringify(aClickstreamEvent({ type: 'add_to_cart', product: null }));

    const error = decodeFailure(value);

    expect(error.reason).toBe(DecodeFailure.SchemaInvalid);
    expect(error.detail).toContain('product: a add_to_cart event needs a product');
  });

  it('makes a purchase one order: an order is required, a product refused', () => {
    const withoutOrder = decodeFailure(JSON.stringify(aPurchase({ order: null })));
    const withProduct = decodeFailure(
      JSON.stringify(aPurchase({ product: { id: 'p', category: 'c', price: 1, quantity: 1 } })),
    );
    const orderOnAView = decodeFailure(JSON.stringify(aClickstreamEvent({ order: anOrder() })));

    expect(withoutOrder.detail).toContain('order: a purchase event needs an order');
    expect(withProduct.detail).toContain('product: a purchase event has no product');
    expect(orderOnAView.detail).toContain('order: a page_view event has no order');
  });

  it('holds quantity and revenue to the lines of the order, to the cent', () => {
    const lines = [
      { productId: 'a', quantity: 3, unitPrice: 0.1 },
      { productId: 'b', quantity: 1, unitPrice: 0.2 },
    ];
    const order = anOrder(lines);
    const wrongRevenue = decodeFailure(JSON.stringify(aPurchase({ order: { ...order, revenue: 0.51 } })));
    const wrongQuantity = decodeFailure(JSON.stringify(aPurchase({ order: { ...order, quantity: 3 } })));

    expect(order).toEqual({ lines, quantity: 4, revenue: 0.5 });
    expect(decodeEvent(encodeEvent(aPurchase({ order }))).order).toEqual(order);
    expect(wrongRevenue.detail).toContain('order.revenue: the lines come to 0.50, not 0.51');
    expect(wrongQuantity.detail).toContain('order.quantity: the lines add up to 4 units, not 3');
  });

  it('bounds an order: one to MAX_ORDER_LINES lines, one line per product', () => {
    const line = (i: number) => ({ productId: `p-${i}`, quantity: 1, unitPrice: 1 });
    const full = anOrder(Array.from({ length: MAX_ORDER_LINES }, (_, i) => line(i)));
    const tooMany = anOrder(Array.from({ length: MAX_ORDER_LINES + 1 }, (_, i) => line(i)));
    const repeated = anOrder([line(1), line(1)]);

    expect(decodeEvent(encodeEvent(aPurchase({ order: full }))).order?.lines).toHaveLength(MAX_ORDER_LINES);
    expect(encodeEvent(aPurchase({ order: full })).length).toBeLessThan(MAX_EVENT_BYTES);
    expect(decodeFailure(JSON.stringify(aPurchase({ order: tooMany }))).detail).toContain('order.lines');
    expect(decodeFailure(JSON.stringify(aPurchase({ order: anOrder([]) }))).detail).toContain('order.lines');
    expect(decodeFailure(JSON.stringify(aPurchase({ order: repeated }))).detail).toContain(
      'order.lines: an order has one line per product',
    );
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
