import { describe, expect, it } from 'vitest';
import {
  type AnalyticsQueries,
  buildSnapshot,
  conversionBy,
  DEFAULT_SNAPSHOT_SETTINGS,
  funnelOf,
  NO_PIPELINE_STATS,
  type SnapshotSources,
} from '../../../dashboard/build-snapshot.ts';
import {
  type PipelineStats,
  type PipelineStatsInput,
  PipelineStatsSchema,
} from '../../../dashboard/pipeline-stats.ts';
import { SnapshotSchema } from '../../../dashboard/snapshot.ts';
import type { Funnel, Minute, PageStats } from '../../../services/aggregation/index.ts';
import type {
  SegmentStats,
  SegmentStatsReader,
} from '../../../services/segment-stats/segment-stats-reader.ts';

const NOW = Date.parse('2026-11-25T10:42:30.000Z');

const aFunnel = (minute: Minute, counts: Partial<Omit<Funnel, 'minute' | 'uniqueSessions'>> = {}) => ({
  minute,
  events: 0,
  pageViews: 0,
  clicks: 0,
  searches: 0,
  addToCarts: 0,
  removeFromCarts: 0,
  checkouts: 0,
  purchases: 0,
  revenueCents: 0n,
  ...counts,
});

const aPage = (minute: Minute, path: string, views: number): PageStats => ({
  path,
  minute,
  views,
  clicks: 0,
  addToCarts: 0,
  purchases: 0,
  revenueCents: 0n,
});

/** An in-memory read side holding the given funnels, pages and session counts. */
const analyticsOf = (
  funnels: ReturnType<typeof aFunnel>[],
  pages: PageStats[] = [],
  sessions: Record<Minute, number> = {},
): AnalyticsQueries => ({
  funnels: async (from, to) => funnels.filter((funnel) => funnel.minute >= from && funnel.minute <= to),
  topPages: async (minute, limit) =>
    pages
      .filter((page) => page.minute === minute)
      .sort((a, b) => b.views - a.views)
      .slice(0, limit),
  uniqueSessions: async (minute) => sessions[minute] ?? 0,
});

const noSegments: SegmentStatsReader = { segmentStats: async () => [] };

const sourcesWith = (overrides: Partial<SnapshotSources>): SnapshotSources => ({
  analytics: analyticsOf([]),
  segmentStats: noSegments,
  source: 'test',
  analyticsTable: 'analytics',
  ...overrides,
});

const aSegmentRow = (overrides: Partial<SegmentStats>): SegmentStats => ({
  windowStart: '2026-11-25T10:35Z',
  segment: 'casual',
  device: 'desktop',
  sessions: 10,
  converted: 1,
  revenue: 10,
  abandonedCarts: 2,
  abandonedCartValue: 30,
  ...overrides,
});

describe('buildSnapshot', () => {
  it('gives every minute of the range, oldest first, with zeros where nothing happened', async () => {
    // Prepare
    const sources = sourcesWith({
      analytics: analyticsOf([
        aFunnel('2026-11-25T10:40Z', { events: 12, pageViews: 9, purchases: 1, revenueCents: 1990n }),
        aFunnel('2026-11-25T10:42Z', { events: 5, pageViews: 5 }),
        aFunnel('2026-11-25T09:00Z', { events: 99 }),
      ]),
    });

    // Act
    const snapshot = await buildSnapshot(sources, DEFAULT_SNAPSHOT_SETTINGS, NOW);

    // Assert
    expect(SnapshotSchema.parse(snapshot)).toEqual(snapshot);
    expect(snapshot.currentMinute).toBe('2026-11-25T10:42Z');
    expect(snapshot.activity).toHaveLength(30);
    expect(snapshot.activity[0]?.minute).toBe('2026-11-25T10:13Z');
    expect(snapshot.activity.slice(-3).map((minute) => minute.events)).toEqual([12, 0, 5]);
    expect(snapshot.activity.slice(-3).map((minute) => minute.revenue)).toEqual(['19.90', '0.00', '0.00']);
  });

  it('ranks the top pages of the current and the previous minute', async () => {
    // Prepare
    const sources = sourcesWith({
      analytics: analyticsOf(
        [],
        [
          aPage('2026-11-25T10:42Z', '/cart', 3),
          aPage('2026-11-25T10:42Z', '/', 7),
          aPage('2026-11-25T10:41Z', '/products/p-1', 4),
        ],
      ),
    });

    // Act
    const { topPages } = await buildSnapshot(sources, DEFAULT_SNAPSHOT_SETTINGS, NOW);

    // Assert
    expect(topPages.current.minute).toBe('2026-11-25T10:42Z');
    expect(topPages.current.pages.map((page) => [page.path, page.views])).toEqual([
      ['/', 7],
      ['/cart', 3],
    ]);
    expect(topPages.previous.minute).toBe('2026-11-25T10:41Z');
    expect(topPages.previous.pages.map((page) => page.path)).toEqual(['/products/p-1']);
  });

  it('counts active sessions in the current minute and per minute before it', async () => {
    // Prepare
    const sources = sourcesWith({
      analytics: analyticsOf([], [], { '2026-11-25T10:42Z': 17, '2026-11-25T10:41Z': 30 }),
    });

    // Act
    const { sessions } = await buildSnapshot(
      sources,
      { ...DEFAULT_SNAPSHOT_SETTINGS, sessionMinutes: 3 },
      NOW,
    );

    // Assert
    expect(sessions).toEqual({
      active: 17,
      perMinute: [
        { minute: '2026-11-25T10:40Z', sessions: 0 },
        { minute: '2026-11-25T10:41Z', sessions: 30 },
        { minute: '2026-11-25T10:42Z', sessions: 17 },
      ],
    });
  });

  it('adds up the funnel over its own window only', async () => {
    // Prepare
    const sources = sourcesWith({
      analytics: analyticsOf([
        aFunnel('2026-11-25T10:20Z', { pageViews: 1000 }),
        aFunnel('2026-11-25T10:41Z', {
          pageViews: 100,
          addToCarts: 10,
          checkouts: 5,
          purchases: 2,
          revenueCents: 5000n,
        }),
      ]),
    });

    // Act
    const { funnel } = await buildSnapshot(sources, { ...DEFAULT_SNAPSHOT_SETTINGS, funnelMinutes: 15 }, NOW);

    // Assert
    expect(funnel.from).toBe('2026-11-25T10:28Z');
    expect(funnel.steps.map((step) => step.count)).toEqual([100, 10, 5, 2]);
    expect(funnel.revenue).toBe('50.00');
  });

  it('says why session data is missing when the enrichment has written none', async () => {
    // Act
    const { enrichment } = await buildSnapshot(sourcesWith({}), DEFAULT_SNAPSHOT_SETTINGS, NOW);

    // Assert
    expect(enrichment).toEqual({ available: false, reason: expect.stringContaining('no enriched sessions') });
  });

  it('shows the rest of the page when segment statistics cannot be read', async () => {
    // Prepare
    const failing: SegmentStatsReader = {
      segmentStats: async () => {
        throw new Error('query failed', { cause: new Error('ResourceNotFoundException') });
      },
    };

    // Act
    const snapshot = await buildSnapshot(
      sourcesWith({ segmentStats: failing }),
      DEFAULT_SNAPSHOT_SETTINGS,
      NOW,
    );

    // Assert
    expect(snapshot.enrichment).toEqual({
      available: false,
      reason: 'query failed: Error: ResourceNotFoundException',
    });
    expect(snapshot.activity).toHaveLength(30);
  });

  it('sums segment statistics into closed sessions, conversions and abandoned carts', async () => {
    // Prepare
    const rows = [
      aSegmentRow({ segment: 'vip', device: 'mobile', sessions: 4, converted: 2, abandonedCarts: 1 }),
      aSegmentRow({ segment: 'casual', device: 'mobile', sessions: 10, converted: 1, abandonedCarts: 3 }),
      aSegmentRow({ segment: 'vip', device: 'desktop', sessions: 6, converted: 3, abandonedCarts: 0 }),
    ];

    // Act
    const { enrichment } = await buildSnapshot(
      sourcesWith({ segmentStats: { segmentStats: async () => rows } }),
      DEFAULT_SNAPSHOT_SETTINGS,
      NOW,
    );

    // Assert
    if (!enrichment.available) throw new Error(enrichment.reason);
    expect(enrichment.closedSessions).toBe(20);
    expect(enrichment.converted).toBe(6);
    expect(enrichment.abandonedCarts).toBe(4);
    expect(enrichment.abandonedCartValue).toBe('90.00');
    expect(enrichment.bySegment.map((row) => [row.group, row.sessions, row.rate])).toEqual([
      ['casual', 10, 0.1],
      ['vip', 10, 0.5],
    ]);
    expect(enrichment.byDevice.map((row) => [row.group, row.sessions])).toEqual([
      ['mobile', 14],
      ['desktop', 6],
    ]);
  });

  it('says how to get pipeline health when no source is given', async () => {
    // Act
    const { pipeline } = await buildSnapshot(sourcesWith({}), DEFAULT_SNAPSHOT_SETTINGS, NOW);

    // Assert
    expect(pipeline).toEqual({ available: false, reason: NO_PIPELINE_STATS });
  });

  it('passes the pipeline statistics through, validated', async () => {
    // Prepare
    const stats: PipelineStatsInput = {
      source: 'ESM emulator',
      deadLetters: 3,
      mappings: [
        {
          name: 'aggregate-events',
          topic: 'clickstream-events',
          consumerGroup: 'clickstream-aggregate-events',
          lag: 42,
          pollers: 1,
          invocations: 10,
          errors: 1,
          retries: 1,
          batchSize: { mean: 50, max: 100 },
        },
      ],
    };

    // Act
    const { pipeline } = await buildSnapshot(
      sourcesWith({ pipelineStats: () => stats }),
      DEFAULT_SNAPSHOT_SETTINGS,
      NOW,
    );

    // Assert
    expect(pipeline).toEqual({ available: true, ...PipelineStatsSchema.parse(stats) });
  });

  it('shows health as unavailable when the statistics are malformed or too slow', async () => {
    // Prepare
    const malformed = () => ({ source: 'x', mappings: [{ name: 'f', lag: -1 }], deadLetters: null }) as never;
    const slow = () => new Promise<PipelineStats>(() => {});
    const settings = { ...DEFAULT_SNAPSHOT_SETTINGS, pipelineTimeoutMs: 20 };

    // Act
    const [bad, late] = await Promise.all([
      buildSnapshot(sourcesWith({ pipelineStats: malformed }), settings, NOW),
      buildSnapshot(sourcesWith({ pipelineStats: slow }), settings, NOW),
    ]);

    // Assert
    expect(bad.pipeline.available).toBe(false);
    expect(late.pipeline).toEqual({ available: false, reason: 'no answer from the pipeline within 20 ms' });
  });

  it('fails when the analytics table cannot be read', async () => {
    // Prepare
    const analytics: AnalyticsQueries = {
      ...analyticsOf([]),
      funnels: async () => {
        throw new Error('table not found');
      },
    };

    // Act / Assert
    await expect(buildSnapshot(sourcesWith({ analytics }), DEFAULT_SNAPSHOT_SETTINGS, NOW)).rejects.toThrow(
      'table not found',
    );
  });
});

describe('funnelOf', () => {
  it('gives step-to-step and overall rates, and no rate after a zero step', () => {
    // Act
    const funnel = funnelOf(
      [
        { pageViews: 150, addToCarts: 15, checkouts: 0, purchases: 0, revenueCents: 0n },
        { pageViews: 50, addToCarts: 5, checkouts: 0, purchases: 0, revenueCents: 0n },
      ],
      '2026-11-25T10:28Z',
      '2026-11-25T10:42Z',
    );

    // Assert
    expect(funnel.steps).toEqual([
      { step: 'pageViews', count: 200, fromPrevious: null, fromFirst: 1 },
      { step: 'addToCarts', count: 20, fromPrevious: 0.1, fromFirst: 0.1 },
      { step: 'checkouts', count: 0, fromPrevious: 0, fromFirst: 0 },
      { step: 'purchases', count: 0, fromPrevious: null, fromFirst: 0 },
    ]);
  });
});

describe('conversionBy', () => {
  it('gives no rate to a group without sessions', () => {
    // Act
    const rows = conversionBy([aSegmentRow({ segment: 'new', sessions: 0, converted: 0 })], 'segment');

    // Assert
    expect(rows[0]?.rate).toBeNull();
  });
});
