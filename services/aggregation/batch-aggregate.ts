import { type ClickstreamEvent, type EventType, linesRevenueCents } from '../clickstream/index.ts';
import type { SourceId } from '../kafka/record.ts';
import {
  Attribute,
  Entity,
  FUNNEL_COUNTERS,
  type FunnelCounter,
  funnelKey,
  type ItemKey,
  PAGE_COUNTERS,
  type PageCounter,
  pageStatsKey,
  sessionSketchKey,
  topPagesKey,
} from './data-model.ts';
import { SessionSketch } from './session-sketch.ts';
import { expiresAtOf, type Minute, minuteOf } from './time-buckets.ts';
import type { TopPageEntry } from './top-pages.ts';

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
  /** For a page item: the page and minute whose totals are offered to the minute's top pages. */
  readonly ranked?: RankedPage;
  /** Per source partition, the contributions in ascending offset order. */
  readonly contributions: ReadonlyMap<SourceId, readonly RecordContribution[]>;
}

/** Which page in which minute a page item counts, for the minute's top pages. */
export interface RankedPage {
  readonly path: string;
  readonly minute: Minute;
  readonly expiresAt: number;
}

/** The sketch of the sessions one source partition contributed to a minute. */
export interface SessionSketchDraft {
  readonly key: ItemKey;
  readonly minute: Minute;
  readonly sketch: SessionSketch;
  readonly expiresAt: number;
}

/** Pages' totals offered to a minute's top pages. */
export interface TopPagesDraft {
  readonly key: ItemKey;
  readonly minute: Minute;
  readonly entries: readonly TopPageEntry[];
  readonly expiresAt: number;
}

/** The top-pages draft of a minute: where it is stored. */
export const topPagesDraft = (
  minute: Minute,
  entries: readonly TopPageEntry[],
  expiresAt: number,
): TopPagesDraft => ({ key: topPagesKey(minute), minute, entries, expiresAt });

/** A batch folded into the items it touches. */
export interface BatchAggregate {
  readonly counterItems: readonly CounterItemDraft[];
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
export const pageContribution = (event: ClickstreamEvent): Record<string, number> => {
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
  readonly ranked?: RankedPage;
  readonly contributions: Map<SourceId, RecordContribution[]>;
}

const itemId = (key: ItemKey): string => `${key.pk}\u0000${key.sk}`;

/**
 * Folds a batch of valid events into per-item drafts: page stats per page per minute,
 * the funnel per minute, and session sketches per minute per source partition. Events are
 * bucketed by their event time, not by when Kafka received them.
 */
export const aggregateEvents = (
  events: readonly SourcedEvent[],
  retentionDays: number,
  now: number = Date.now(),
): BatchAggregate => {
  const items = new Map<string, MutableDraft>();
  const rejected: RejectedEvent[] = [];
  const sketches = new Map<string, { key: ItemKey; minute: Minute; sketch: SessionSketch }>();

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
    let planned: { page: Planned; funnel: Planned; sessionKey: ItemKey; minute: Minute };
    try {
      planned = planEvent(event, source, offset, retentionDays, now);
    } catch (error) {
      rejected.push({ source, offset, error });
      continue;
    }
    contribute(planned.page.init, source, planned.page.contribution);
    contribute(planned.funnel.init, source, planned.funnel.contribution);
    const sketchId = itemId(planned.sessionKey);
    let sketch = sketches.get(sketchId);
    if (sketch === undefined) {
      sketch = { key: planned.sessionKey, minute: planned.minute, sketch: SessionSketch.empty() };
      sketches.set(sketchId, sketch);
    }
    sketch.sketch.add(event.sessionId);
  }

  for (const draft of items.values()) {
    for (const list of draft.contributions.values()) list.sort((a, b) => a.offset - b.offset);
  }
  return {
    counterItems: [...items.values()],
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
): { page: Planned; funnel: Planned; sessionKey: ItemKey; minute: Minute } => {
  const minute = minuteOf(event.eventTime);
  const expiresAt = assertFinite('expiresAt', expiresAtOf(minute, retentionDays, now));
  const pageKey = pageStatsKey(event.page.path, minute);
  const page = pageContribution(event);
  const funnel = funnelContribution(event);
  assertFinite('revenueCents', revenueCentsOf(event));
  for (const [name, value] of Object.entries({ ...page, ...funnel })) assertFinite(name, value);
  return {
    minute,
    sessionKey: sessionSketchKey(minute, source),
    page: {
      init: () => ({
        key: pageKey,
        entity: Entity.PageStats,
        counterNames: PAGE_COUNTERS,
        attributes: {
          [Attribute.Entity]: Entity.PageStats,
          [Attribute.Minute]: minute,
          [Attribute.Path]: event.page.path,
          [Attribute.ExpiresAt]: expiresAt,
        },
        ranked: { path: event.page.path, minute, expiresAt },
      }),
      contribution: { offset, counters: page },
    },
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
