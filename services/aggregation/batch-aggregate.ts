import {
  type ClickstreamEvent,
  type EventType,
  linesRevenueCents,
  MAX_ORDER_CENTS,
} from '../clickstream/index.ts';
import type { SourceId } from '../kafka/record.ts';
import {
  Attribute,
  bucketOf,
  Entity,
  FUNNEL_COUNTERS,
  type FunnelCounter,
  funnelKey,
  type ItemKey,
  PAGE_COUNTERS,
  type PageCounter,
  pageBucketKey,
  pageStatsKey,
  sessionSketchKey,
} from './data-model.ts';
import type { PageContribution } from './page-bucket.ts';
import { SessionSketch } from './session-sketch.ts';
import { expiresAtOf, type Minute, minuteOf } from './time-buckets.ts';

/** A valid event with the coordinates of the record it came from. */
export interface SourcedEvent {
  readonly event: ClickstreamEvent;
  readonly source: SourceId;
  readonly offset: number;
}

/** An event whose aggregation failed in a way no retry can fix, and why. */
export interface RejectedEvent {
  readonly source: SourceId;
  readonly offset: number;
  readonly error: unknown;
}

/** What one record adds to one item: only the counters it moves. */
export interface RecordContribution {
  readonly offset: number;
  readonly counters: Readonly<Record<string, number>>;
}

/**
 * Everything a batch adds to one counter item, kept per record and per source partition so
 * that a retry can recompute the part above each partition's watermark (see
 * docs/effectively-once.md).
 */
export interface CounterItemDraft {
  readonly key: ItemKey;
  readonly entity: Entity;
  /** Every counter of the item kind; an update writes them all so that items are complete. */
  readonly counterNames: readonly string[];
  /** Attributes whose value does not depend on the batch (bucket, path, TTL). */
  readonly attributes: Readonly<Record<string, string | number>>;
  /** Per source partition, the contributions in ascending offset order. */
  readonly contributions: ReadonlyMap<SourceId, readonly RecordContribution[]>;
}

/** Everything a batch adds to one page bucket (one minute, one bucket, one source partition). */
export interface PageBucketDraft {
  readonly key: ItemKey;
  readonly minute: Minute;
  readonly source: SourceId;
  readonly expiresAt: number;
  /** In ascending offset order. */
  readonly contributions: readonly PageContribution[];
}

/** The sketch of the sessions one source partition contributed to a minute. */
export interface SessionSketchDraft {
  readonly key: ItemKey;
  readonly minute: Minute;
  readonly sketch: SessionSketch;
  readonly expiresAt: number;
  readonly source: SourceId;
  /** The records behind the sketch, to isolate them if the sink refuses it (apply-items.ts). */
  readonly sessions: ReadonlyArray<{ readonly offset: number; readonly sessionId: string }>;
}

/**
 * The page items of the records a bucket did not admit (page-bucket.ts): one conditional
 * counter update per page, idempotent by its own watermark like the funnel's.
 */
export const overflowPageItems = (
  bucket: PageBucketDraft,
  overflow: readonly PageContribution[],
): CounterItemDraft[] => {
  const byPath = new Map<string, RecordContribution[]>();
  for (const { path, offset, counters } of overflow) {
    let list = byPath.get(path);
    if (list === undefined) {
      list = [];
      byPath.set(path, list);
    }
    list.push({ offset, counters });
  }
  return [...byPath].map(([path, contributions]) => ({
    key: pageStatsKey(path, bucket.minute),
    entity: Entity.PageStats,
    counterNames: PAGE_COUNTERS,
    attributes: {
      [Attribute.Entity]: Entity.PageStats,
      [Attribute.Minute]: bucket.minute,
      [Attribute.Path]: path,
      [Attribute.ExpiresAt]: bucket.expiresAt,
    },
    contributions: new Map([[bucket.source, contributions]]),
  }));
};

/** A batch folded into the items it touches. */
export interface BatchAggregate {
  /** The funnel items (one per minute). */
  readonly counterItems: readonly CounterItemDraft[];
  readonly pageBuckets: readonly PageBucketDraft[];
  readonly sessionSketches: readonly SessionSketchDraft[];
  /** Events that could not be aggregated (a bug, not bad input): the caller dead-letters them. */
  readonly rejected: readonly RejectedEvent[];
}

/** Revenue of a purchase in integer cents: what the lines of its order come to. */
export const revenueCentsOf = (event: ClickstreamEvent): number =>
  event.type === 'purchase' && event.order !== null ? linesRevenueCents(event.order.lines) : 0;

const PAGE_COUNTER_OF: Partial<Record<EventType, PageCounter>> = {
  page_view: 'views',
  click: 'clicks',
  add_to_cart: 'addToCarts',
  purchase: 'purchases',
};

const FUNNEL_COUNTER_OF: Record<EventType, FunnelCounter> = {
  page_view: 'pageViews',
  click: 'clicks',
  search: 'searches',
  add_to_cart: 'addToCarts',
  remove_from_cart: 'removeFromCarts',
  checkout: 'checkouts',
  purchase: 'purchases',
};

/** The page counters an event moves; empty for event types a page does not count. */
export const pageContribution = (event: ClickstreamEvent): Partial<Record<PageCounter, number>> => {
  const counter = PAGE_COUNTER_OF[event.type];
  if (counter === undefined) return {};
  const revenueCents = revenueCentsOf(event);
  return revenueCents > 0 ? { [counter]: 1, revenueCents } : { [counter]: 1 };
};

/** The funnel counters an event moves: the total, its step and, for a purchase, revenue. */
export const funnelContribution = (event: ClickstreamEvent): Record<string, number> => {
  const revenueCents = revenueCentsOf(event);
  const counters: Record<string, number> = { events: 1, [FUNNEL_COUNTER_OF[event.type]]: 1 };
  if (revenueCents > 0) counters.revenueCents = revenueCents;
  return counters;
};

interface MutableDraft {
  readonly key: ItemKey;
  readonly entity: Entity;
  readonly counterNames: readonly string[];
  readonly attributes: Readonly<Record<string, string | number>>;
  readonly contributions: Map<SourceId, RecordContribution[]>;
}

const itemId = (key: ItemKey): string => `${key.pk}\u0000${key.sk}`;

/**
 * Folds a batch of valid events into per-item drafts: page buckets per minute per bucket per
 * source partition, the funnel per minute, and session sketches per minute per source partition. Events are
 * bucketed by their event time, not by when Kafka received them.
 */
export const aggregateEvents = (
  events: readonly SourcedEvent[],
  retentionDays: number,
  now: number = Date.now(),
): BatchAggregate => {
  const items = new Map<string, MutableDraft>();
  const rejected: RejectedEvent[] = [];
  const sketches = new Map<
    string,
    Omit<SessionSketchDraft, 'expiresAt'> & { sessions: SessionSketchDraft['sessions'][number][] }
  >();
  const buckets = new Map<string, PageBucketDraft & { contributions: PageContribution[] }>();

  const contribute = (
    init: () => Omit<MutableDraft, 'contributions'>,
    source: SourceId,
    contribution: RecordContribution,
  ): void => {
    if (Object.keys(contribution.counters).length === 0) return;
    const template = init();
    const id = itemId(template.key);
    let draft = items.get(id);
    if (draft === undefined) {
      draft = { ...template, contributions: new Map() };
      items.set(id, draft);
    }
    let list = draft.contributions.get(source);
    if (list === undefined) {
      list = [];
      draft.contributions.set(source, list);
    }
    list.push(contribution);
  };

  for (const { event, source, offset } of events) {
    // Everything that depends on the event's values is computed before anything is added,
    // so an event either contributes to every item it touches or to none.
    let planned: ReturnType<typeof planEvent>;
    try {
      planned = planEvent(event, source, offset, retentionDays, now);
    } catch (error) {
      rejected.push({ source, offset, error });
      continue;
    }
    if (planned.page !== undefined) {
      const { key, contribution } = planned.page;
      const bucketId = itemId(key);
      let bucket = buckets.get(bucketId);
      if (bucket === undefined) {
        bucket = { key, minute: planned.minute, source, expiresAt: planned.expiresAt, contributions: [] };
        buckets.set(bucketId, bucket);
      }
      bucket.contributions.push(contribution);
    }
    contribute(planned.funnel.init, source, planned.funnel.contribution);
    const sketchId = itemId(planned.sessionKey);
    let sketch = sketches.get(sketchId);
    if (sketch === undefined) {
      sketch = {
        key: planned.sessionKey,
        minute: planned.minute,
        sketch: SessionSketch.empty(),
        source,
        sessions: [],
      };
      sketches.set(sketchId, sketch);
    }
    sketch.sketch.add(event.sessionId);
    sketch.sessions.push({ offset, sessionId: event.sessionId });
  }

  for (const draft of items.values()) {
    for (const list of draft.contributions.values()) list.sort((a, b) => a.offset - b.offset);
  }
  for (const bucket of buckets.values()) bucket.contributions.sort((a, b) => a.offset - b.offset);
  return {
    counterItems: [...items.values()],
    pageBuckets: [...buckets.values()],
    sessionSketches: [...sketches.values()].map((sketch) => ({
      ...sketch,
      expiresAt: expiresAtOf(sketch.minute, retentionDays, now),
    })),
    rejected,
  };
};

interface Planned {
  readonly init: () => Omit<MutableDraft, 'contributions'>;
  readonly contribution: RecordContribution;
}

const assertFinite = (name: string, value: number): number => {
  if (!Number.isFinite(value)) throw new RangeError(`${name} is not a finite number: ${value}`);
  return value;
};

/** What one event adds, computed in full before anything is added (and checked finite). */
const planEvent = (
  event: ClickstreamEvent,
  source: SourceId,
  offset: number,
  retentionDays: number,
  now: number,
): {
  page?: { key: ItemKey; contribution: PageContribution };
  funnel: Planned;
  sessionKey: ItemKey;
  minute: Minute;
  expiresAt: number;
} => {
  const minute = minuteOf(event.eventTime);
  const expiresAt = assertFinite('expiresAt', expiresAtOf(minute, retentionDays, now));
  const path = event.page.path;
  const page = pageContribution(event);
  const funnel = funnelContribution(event);
  const revenueCents = revenueCentsOf(event);
  // The documented cap per order: what keeps every sum's parts exact (aggregate-batch.ts).
  if (!Number.isSafeInteger(revenueCents) || revenueCents < 0 || revenueCents > MAX_ORDER_CENTS) {
    throw new RangeError(`an order of ${revenueCents} cents is outside 0..${MAX_ORDER_CENTS}`);
  }
  for (const [name, value] of Object.entries({ ...page, ...funnel })) assertFinite(name, value);
  return {
    minute,
    expiresAt,
    sessionKey: sessionSketchKey(minute, source),
    ...(Object.keys(page).length === 0
      ? {}
      : {
          page: {
            key: pageBucketKey(minute, bucketOf(path), source),
            contribution: { offset, path, counters: page },
          },
        }),
    funnel: {
      init: () => ({
        key: funnelKey(minute),
        entity: Entity.Funnel,
        counterNames: FUNNEL_COUNTERS,
        attributes: {
          [Attribute.Entity]: Entity.Funnel,
          [Attribute.Minute]: minute,
          [Attribute.ExpiresAt]: expiresAt,
        },
      }),
      contribution: { offset, counters: funnel },
    },
  };
};
