import { describe, expect, it } from 'vitest';
import {
  aggregateEvents,
  bucketOf,
  EMPTY_BUCKET,
  Entity,
  funnelKey,
  pageBucketKey,
  pendingUpdate,
  planBucketMerge,
  revenueCentsOf,
  SessionSketch,
  sessionSketchKey,
} from '../../../services/aggregation/index.ts';
import { aClickstreamEvent, anOrder, BASE_TIME } from '../../support/factories/clickstream-event.ts';

const totalOf = (draft: ReturnType<typeof aggregateEvents>['counterItems'][number]) =>
  pendingUpdate(draft, new Map())?.counters;

describe('aggregateEvents', () => {
  it('counts each page per minute: views, clicks, add-to-carts, purchases and revenue', () => {
    // Prepare
    const events = [
      aClickstreamEvent({ type: 'page_view' }),
      aClickstreamEvent({ type: 'page_view' }),
      aClickstreamEvent({ type: 'click' }),
      aClickstreamEvent({ type: 'add_to_cart' }),
      aClickstreamEvent({ type: 'purchase' }),
      aClickstreamEvent({ type: 'purchase' }),
    ].map((event, offset) => ({ event, source: 'clickstream-events-0', offset }));

    // Act
    const aggregate = aggregateEvents(events, 30);

    // Assert
    const [bucket] = aggregate.pageBuckets;
    expect(bucket?.key).toEqual(pageBucketKey('2026-03-14T09:26Z', bucketOf('/'), 'clickstream-events-0'));
    // 19.99 × 3, twice, in integer cents.
    expect(planBucketMerge(EMPTY_BUCKET, bucket?.contributions ?? []).next?.pages.get('/')).toEqual({
      views: 2,
      clicks: 1,
      addToCarts: 1,
      purchases: 2,
      revenueCents: 11_994n,
    });
  });

  it('counts every event type in the minute funnel, with the total', () => {
    // Prepare
    const types = [
      'page_view',
      'click',
      'search',
      'add_to_cart',
      'remove_from_cart',
      'checkout',
      'purchase',
    ] as const;
    const events = types.map((type, offset) => ({
      event: aClickstreamEvent({ type }),
      source: 's-0',
      offset,
    }));

    // Act
    const aggregate = aggregateEvents(events, 30);

    // Assert
    const funnel = aggregate.counterItems.find((item) => item.entity === Entity.Funnel);
    expect(funnel?.key).toEqual(funnelKey('2026-03-14T09:26Z'));
    expect(funnel && totalOf(funnel)).toEqual({
      events: 7,
      pageViews: 1,
      clicks: 1,
      searches: 1,
      addToCarts: 1,
      removeFromCarts: 1,
      checkouts: 1,
      purchases: 1,
      revenueCents: 5997,
    });
  });

  it('buckets by event time, so a minute boundary splits the items', () => {
    // Prepare
    const events = [
      aClickstreamEvent({ eventTime: BASE_TIME + 59_999 }),
      aClickstreamEvent({ eventTime: BASE_TIME + 60_000 }),
    ].map((event, offset) => ({ event, source: 's-0', offset }));

    // Act
    const aggregate = aggregateEvents(events, 30);

    // Assert
    expect(aggregate.counterItems.map((item) => item.key.sk).sort()).toEqual([
      'MINUTE#2026-03-14T09:26Z',
      'MINUTE#2026-03-14T09:27Z',
    ]);
    expect(aggregate.pageBuckets.map((bucket) => bucket.minute).sort()).toEqual([
      '2026-03-14T09:26Z',
      '2026-03-14T09:27Z',
    ]);
  });

  it('writes no page item for event types a page does not count', () => {
    // Prepare
    const events = [{ event: aClickstreamEvent({ type: 'search' }), source: 's-0', offset: 0 }];

    // Act
    const aggregate = aggregateEvents(events, 30);

    // Assert
    expect(aggregate.counterItems.map((item) => item.entity)).toEqual([Entity.Funnel]);
    expect(aggregate.pageBuckets).toEqual([]);
  });

  it('keeps contributions per source partition in offset order', () => {
    // Prepare
    const events = [
      { event: aClickstreamEvent(), source: 's-1', offset: 9 },
      { event: aClickstreamEvent(), source: 's-0', offset: 4 },
      { event: aClickstreamEvent(), source: 's-1', offset: 7 },
    ];

    // Act
    const aggregate = aggregateEvents(events, 30);

    // Assert: the funnel keeps them per partition; a page bucket belongs to one partition
    const [funnel] = aggregate.counterItems;
    expect(
      [...(funnel?.contributions ?? [])].map(([source, list]) => [source, list.map((c) => c.offset)]),
    ).toEqual([
      ['s-1', [7, 9]],
      ['s-0', [4]],
    ]);
    expect(
      aggregate.pageBuckets.map((bucket) => [bucket.source, bucket.contributions.map((c) => c.offset)]),
    ).toEqual([
      ['s-1', [7, 9]],
      ['s-0', [4]],
    ]);
  });

  it('sketches the distinct sessions per minute per source partition', () => {
    // Prepare
    const events = [
      { event: aClickstreamEvent({ sessionId: 'a' }), source: 's-0', offset: 0 },
      { event: aClickstreamEvent({ sessionId: 'a' }), source: 's-0', offset: 1 },
      { event: aClickstreamEvent({ sessionId: 'b' }), source: 's-0', offset: 2 },
      { event: aClickstreamEvent({ sessionId: 'c' }), source: 's-1', offset: 0 },
    ];

    // Act
    const { sessionSketches } = aggregateEvents(events, 30);

    // Assert
    const hex = (sketch: SessionSketch): string => Buffer.from(sketch.toBytes()).toString('hex');
    expect(sessionSketches.map((draft) => [draft.key, hex(draft.sketch)])).toEqual([
      [sessionSketchKey('2026-03-14T09:26Z', 's-0'), hex(SessionSketch.of(['a', 'b']))],
      [sessionSketchKey('2026-03-14T09:26Z', 's-1'), hex(SessionSketch.of(['c']))],
    ]);
  });

  it('sets expiresAt to the end of the minute plus the retention, in epoch seconds', () => {
    // Prepare
    const events = [{ event: aClickstreamEvent(), source: 's-0', offset: 0 }];

    // Act: written while the minute is still current
    const { counterItems, pageBuckets, sessionSketches } = aggregateEvents(events, 2, BASE_TIME + 10_000);

    // Assert
    const expected = (BASE_TIME + 60_000) / 1000 + 2 * 86_400;
    expect(counterItems.map((item) => item.attributes.expiresAt)).toEqual([expected]);
    expect(pageBuckets.map((bucket) => bucket.expiresAt)).toEqual([expected]);
    expect(sessionSketches[0]?.expiresAt).toBe(expected);
  });

  it('counts the retention from the write for a late event, so its item outlives any redelivery', () => {
    // Prepare: an event of a minute 30 days past, written now
    const now = BASE_TIME + 30 * 86_400_000;
    const events = [{ event: aClickstreamEvent(), source: 's-0', offset: 0 }];

    // Act
    const { counterItems, pageBuckets, sessionSketches } = aggregateEvents(events, 2, now);

    // Assert
    const expected = Math.floor(now / 1000) + 2 * 86_400;
    expect(counterItems.map((item) => item.attributes.expiresAt)).toEqual([expected]);
    expect(pageBuckets.map((bucket) => bucket.expiresAt)).toEqual([expected]);
    expect(sessionSketches[0]?.expiresAt).toBe(expected);
  });
});

describe('revenueCentsOf', () => {
  it('is zero for anything but a purchase', () => {
    expect(revenueCentsOf(aClickstreamEvent({ type: 'add_to_cart' }))).toBe(0);
  });

  it('is what the lines of the order come to, in exact cents', () => {
    const order = anOrder([
      { productId: 'a', quantity: 3, unitPrice: 0.1 },
      { productId: 'b', quantity: 1, unitPrice: 0.2 },
    ]);

    expect(revenueCentsOf(aClickstreamEvent({ type: 'purchase', order }))).toBe(50);
  });
});
