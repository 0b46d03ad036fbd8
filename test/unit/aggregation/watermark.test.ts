import { describe, expect, it } from 'vitest';
import {
  aggregateEvents,
  type CounterItemDraft,
  Entity,
  pendingUpdate,
  updateHolds,
} from '../../../services/aggregation/index.ts';
import { aClickstreamEvent } from '../../support/factories/clickstream-event.ts';

/** The funnel item of page views at the given offsets of two partitions. */
const pageDraft = (offsets: Record<string, number[]>): CounterItemDraft => {
  const events = Object.entries(offsets).flatMap(([source, list]) =>
    list.map((offset) => ({ event: aClickstreamEvent({ type: 'page_view' }), source, offset })),
  );
  const draft = aggregateEvents(events, 30).counterItems.find((item) => item.entity === Entity.Funnel);
  if (draft === undefined) throw new Error('no funnel item');
  return draft;
};

describe('pendingUpdate', () => {
  it('takes the whole batch when the item has no watermark', () => {
    // Prepare
    const draft = pageDraft({ 'p-0': [10, 11, 12], 'p-1': [5] });

    // Act
    const update = pendingUpdate(draft, new Map());

    // Assert
    expect(update?.counters.pageViews).toBe(4);
    expect(update?.sources).toEqual([
      { source: 'p-0', from: 10, through: 12 },
      { source: 'p-1', from: 5, through: 5 },
    ]);
    expect(update?.records).toBe(4);
  });

  it('takes only the records above each partition watermark', () => {
    // Prepare
    const draft = pageDraft({ 'p-0': [10, 11, 12], 'p-1': [5, 8] });

    // Act
    const update = pendingUpdate(
      draft,
      new Map([
        ['p-0', 11],
        ['p-1', 4],
      ]),
    );

    // Assert
    expect(update?.counters.pageViews).toBe(3);
    expect(update?.sources).toEqual([
      { source: 'p-0', from: 12, through: 12 },
      { source: 'p-1', from: 5, through: 8 },
    ]);
  });

  it('leaves out a partition that is fully applied', () => {
    // Prepare
    const draft = pageDraft({ 'p-0': [10, 11], 'p-1': [5] });

    // Act
    const update = pendingUpdate(draft, new Map([['p-0', 20]]));

    // Assert
    expect(update?.sources.map((step) => step.source)).toEqual(['p-1']);
    expect(update?.counters.pageViews).toBe(1);
  });

  it('is undefined when every record is already in the item', () => {
    // Prepare
    const draft = pageDraft({ 'p-0': [10, 11] });

    // Act
    const update = pendingUpdate(draft, new Map([['p-0', 11]]));

    // Assert
    expect(update).toBeUndefined();
  });

  it('writes every counter of the item kind, zero when untouched', () => {
    // Prepare
    const draft = pageDraft({ 'p-0': [1] });

    // Act
    const update = pendingUpdate(draft, new Map());

    // Assert
    expect(update?.counters).toEqual({
      events: 1,
      pageViews: 1,
      clicks: 0,
      searches: 0,
      addToCarts: 0,
      removeFromCarts: 0,
      checkouts: 0,
      purchases: 0,
      revenueCents: 0,
    });
  });
});

describe('updateHolds', () => {
  const update = pendingUpdate(pageDraft({ 'p-0': [10, 11], 'p-1': [3] }), new Map());
  if (update === undefined) throw new Error('no update');

  it('holds on an item the partitions never wrote', () => {
    expect(updateHolds(update, new Map())).toBe(true);
  });

  it('holds while every watermark is below the records being applied', () => {
    expect(
      updateHolds(
        update,
        new Map([
          ['p-0', 9],
          ['p-1', 2],
        ]),
      ),
    ).toBe(true);
  });

  it('fails as soon as one partition already applied one of the records', () => {
    expect(
      updateHolds(
        update,
        new Map([
          ['p-0', 9],
          ['p-1', 3],
        ]),
      ),
    ).toBe(false);
  });
});
