import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type EsmMappingFigures, esmPipelineStats } from '../../../dashboard/esm-pipeline-stats.ts';
import { kafkaPipelineStats } from '../../../dashboard/kafka-pipeline-stats.ts';
import { startDashboard } from '../../../dashboard/server.ts';
import { linearCountingStandardError, minuteOf, SessionSketch } from '../../../services/aggregation/index.ts';
import { REPO_ROOT } from '../../../tooling/paths.ts';
import { createTestTables, createTestTopic, dynamoClient, testKafka } from '../helpers.ts';
import { launchChromium } from './chromium.ts';
import { runShortPipeline, writeSegmentStats } from './short-run.ts';

/** Screenshots are a CI artifact (test-output/ is gitignored). */
const SCREENSHOTS = join(REPO_ROOT, 'test-output', 'dashboard');

interface ChartData {
  labels: string[];
  datasets: { label: string; data: number[] }[];
  /** Elements Chart.js laid out for the first dataset: bars, points. */
  drawn: number;
  /** Whether the canvas holds any painted pixel. */
  painted: boolean;
}

/** The page's debugging handle (dashboard/web/main.ts), typed by the little this test reads. */
interface PageGlobals {
  dashboard?: {
    renders: number;
    charts: Record<
      string,
      {
        canvas: {
          width: number;
          height: number;
          getContext(kind: '2d'): { getImageData(...area: number[]): { data: ArrayLike<number> } } | null;
        };
        data: { labels?: unknown[]; datasets: { label?: unknown; data: unknown[] }[] };
        getDatasetMeta(index: number): { data: unknown[] } | undefined;
      }
    >;
  };
}

/** Reads every chart's data and drawing state through the page's debugging handle. */
const readCharts = (page: Page): Promise<Record<string, ChartData>> =>
  page.evaluate(() => {
    const handle = (globalThis as unknown as PageGlobals).dashboard;
    if (handle === undefined) throw new Error('the page did not start');
    return Object.fromEntries(
      Object.entries(handle.charts).map(([name, chart]) => {
        const canvas = chart.canvas;
        const pixels: ArrayLike<number> =
          canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
        let painted = false;
        for (let i = 3; i < pixels.length && !painted; i += 4) painted = (pixels[i] ?? 0) > 0;
        return [
          name,
          {
            labels: (chart.data.labels ?? []).map(String),
            datasets: chart.data.datasets.map((dataset) => ({
              label: String(dataset.label),
              data: dataset.data.map(Number),
            })),
            drawn: chart.getDatasetMeta(0)?.data.length ?? 0,
            painted,
          },
        ];
      }),
    );
  });

/** Opens the dashboard and waits for its first drawn snapshot; collects what the page did. */
const openDashboard = async (url: string) => {
  const context = await launchChromium();
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(url);
  await page.waitForFunction(
    () => ((globalThis as unknown as PageGlobals).dashboard?.renders ?? 0) > 0,
    undefined,
    {
      timeout: 15_000,
    },
  );
  return { page, requests, problems };
};

const kpi = (page: Page, id: string) => page.locator(`#${id} .kpi-value`).textContent();
const note = async (page: Page, id: string) => (await page.locator(`#${id} .kpi-note`).textContent()) ?? '';

describe('the dashboard in a real browser', () => {
  it('draws a short pipeline run: events per minute, funnel, top pages, sessions, segments and health', async () => {
    // Prepare: a short real run through the broker into the analytics table
    const kafka = testKafka('dashboard-test');
    // One topic at a time: a broker that has just started can answer metadata for one
    // topic before the other has a leader.
    const eventsTopic = await createTestTopic(3, 'dashboard-events');
    const deadLetterTopic = await createTestTopic(1, 'dashboard-dlq');
    const tables = await createTestTables();
    const client = dynamoClient();
    const documentClient = DynamoDBDocumentClient.from(client);
    const seed = 7;
    const run = await runShortPipeline({
      kafka,
      documentClient,
      analyticsTable: tables.analytics,
      eventsTopic,
      deadLetterTopic,
      minutes: 6,
      rate: 8,
      seed,
    });
    const segments = await writeSegmentStats(documentClient, tables.analytics, run, seed, 30_000);
    const admin = kafka.admin();
    onTestFinished(() => admin.disconnect());
    const dashboard = await startDashboard({
      dynamo: client,
      tables,
      source: 'integration test',
      pipelineStats: kafkaPipelineStats(admin, {
        deadLetterTopic,
        includeGroup: (groupId) => groupId === run.groupId,
      }),
      clock: () => run.endedAt,
      logger: { info: () => {}, warn: () => {} },
    });
    onTestFinished(() => dashboard.stop());

    // Act
    const { page, requests, problems } = await openDashboard(dashboard.url);
    // The server samples the pipeline from its start; the page may open before the first sample lands.
    await expect
      .poll(async () => (await readCharts(page)).lag?.datasets.length ?? 0, { timeout: 15_000 })
      .toBeGreaterThan(0);
    const charts = await readCharts(page);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const screenshot = join(SCREENSHOTS, 'dashboard.png');
    await page.screenshot({ path: screenshot, fullPage: true });

    // Assert: every chart is drawn, from the run's real figures
    // (but the pollers': Kafka's consumer groups alone cannot tell Lambda's event pollers)
    for (const [name, chart] of Object.entries(charts)) {
      // Kafka's consumer groups alone cannot tell Lambda's event pollers nor the dead letters' reasons.
      if (name === 'pollers' || name === 'deadLetters') continue;
      expect.soft(chart.painted, `${name} painted`).toBe(true);
      expect.soft(chart.drawn, `${name} has drawn elements`).toBeGreaterThan(0);
    }
    const perMinute = new Map<string, number>();
    for (const event of run.events) {
      const minute = minuteOf(event.eventTime);
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    }
    const activity = charts.activity;
    expect(activity?.labels).toHaveLength(30);
    expect(activity?.datasets[0]?.data.reduce((sum, value) => sum + value, 0)).toBe(run.events.length);
    expect(activity?.datasets[0]?.data.slice(-perMinute.size)).toEqual(
      [...perMinute.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, events]) => events),
    );

    const countOf = (type: string) => run.events.filter((event) => event.type === type).length;
    expect(charts.funnel?.labels).toEqual(['Page views', 'Add to cart', 'Checkout', 'Purchase']);
    expect(charts.funnel?.datasets[0]?.data).toEqual([
      countOf('page_view'),
      countOf('add_to_cart'),
      countOf('checkout'),
      countOf('purchase'),
    ]);
    // A funnel narrows: each step holds no more than the one before it.
    const steps = charts.funnel?.datasets[0]?.data ?? [];
    expect(steps.every((count, index) => index === 0 || count <= (steps[index - 1] ?? 0))).toBe(true);
    expect(await page.locator('#funnel-steps tbody tr').count()).toBe(4);

    const current = minuteOf(run.endedAt);
    const viewsNow = new Map<string, number>();
    for (const event of run.events) {
      if (event.type === 'page_view' && minuteOf(event.eventTime) === current) {
        viewsNow.set(event.page.path, (viewsNow.get(event.page.path) ?? 0) + 1);
      }
    }
    expect(viewsNow.size, 'page views in the current minute').toBeGreaterThan(0);
    const mostViews = Math.max(...viewsNow.values());
    const topLabel = charts.pages?.labels[0] ?? '';
    expect(viewsNow.get(topLabel)).toBe(mostViews);
    expect(charts.pages?.datasets[0]?.data[0]).toBe(mostViews);

    const sessionsNow = new Set(
      run.events.filter((event) => minuteOf(event.eventTime) === current).map((event) => event.sessionId),
    );
    // Sessions are a HyperLogLog estimate (docs/data-model.md): the union of the partitions'
    // sketches is the sketch of the whole set, so the page shows exactly its estimate, and that
    // is within four linear-counting standard errors of the true count (random session ids:
    // the documented error, not a fixed tolerance).
    const sessionsEstimate = SessionSketch.of(sessionsNow).estimate();
    expect(Math.abs(sessionsEstimate - sessionsNow.size)).toBeLessThanOrEqual(
      4 * linearCountingStandardError(sessionsNow.size) + 0.5,
    );
    expect(charts.sessions?.datasets[0]?.data.at(-1)).toBe(sessionsEstimate);
    expect(await kpi(page, 'kpi-sessions')).toBe(sessionsEstimate.toLocaleString('en-US'));

    const closedSessions = segments.reduce((sum, row) => sum + row.sessions, 0);
    const closedChart = charts.closed;
    const closedDrawn = (closedChart?.datasets ?? [])
      .flatMap((dataset) => dataset.data)
      .reduce((a, b) => a + b, 0);
    expect(closedDrawn).toBe(closedSessions);
    expect(new Set(charts.segments?.labels)).toEqual(new Set(segments.map((row) => row.segment)));
    expect(new Set(charts.devices?.labels)).toEqual(new Set(segments.map((row) => row.device)));
    const abandoned = segments.reduce((sum, row) => sum + row.abandonedCarts, 0);
    expect(await kpi(page, 'kpi-abandoned')).toBe(abandoned.toLocaleString('en-US'));
    // What those carts held, in the shop's currency, to the cent: never a standing zero.
    const cartCents = segments.reduce((sum, row) => sum + row.abandonedCartCents, 0);
    expect(abandoned).toBeGreaterThan(0);
    expect(await note(page, 'kpi-abandoned')).toContain(
      `$${(cartCents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })} left in carts`,
    );
    // One conversion on the page: converted ÷ closed sessions, the same in the card and the panels.
    const converted = segments.reduce((sum, row) => sum + row.conversions, 0);
    const rate = `${((converted / closedSessions) * 100).toLocaleString('en-US', { maximumFractionDigits: 1 })}%`;
    expect(await kpi(page, 'kpi-conversion')).toBe(rate);
    expect(await page.locator('#segments-note').textContent()).toContain(`${rate} overall`);
    expect(await note(page, 'kpi-conversion')).toContain('closed sessions');

    // The events/min card reads the last complete minute, not the one still filling.
    const minutes = [...perMinute.entries()].sort(([a], [b]) => a.localeCompare(b));
    const lastComplete = minutes.find(([minute]) => minute === minuteOf(run.endedAt - 60_000));
    expect(await kpi(page, 'kpi-events')).toBe((lastComplete?.[1] ?? 0).toLocaleString('en-US'));
    expect(await note(page, 'kpi-events')).toContain('so far this minute');

    // Units: money carries its currency, every chart's value axis says what it counts.
    expect(await kpi(page, 'kpi-revenue')).toMatch(/^\$/);
    expect(await note(page, 'kpi-revenue')).toContain('USD');
    const untitled = await page.evaluate(() => {
      const handle = (
        globalThis as unknown as {
          dashboard?: {
            charts: Record<
              string,
              {
                options: {
                  scales?: Record<string, { title?: { display?: boolean; text?: string } }>;
                  indexAxis?: string;
                };
              }
            >;
          };
        }
      ).dashboard;
      return Object.entries(handle?.charts ?? {})
        .filter(([, chart]) => {
          const valueAxis = chart.options.indexAxis === 'y' ? 'x' : 'y';
          const title = chart.options.scales?.[valueAxis]?.title;
          return title?.display !== true || (title.text ?? '') === '';
        })
        .map(([name]) => name);
    });
    expect(untitled).toEqual([]);

    // The lag over the run comes from the server's samples: it has points even though the page just opened.
    expect(charts.lag?.datasets.length).toBeGreaterThan(0);
    // A refresh may find the broker slow (health then says so for that refresh): poll for a drawn one.
    await expect
      .poll(async () => (await readCharts(page)).partitions?.labels.toSorted(), { timeout: 15_000 })
      .toEqual([0, 1, 2].map((partition) => `${eventsTopic}-${partition}`));
    await expect
      .poll(() => page.locator('#dlq-empty').textContent(), { timeout: 15_000 })
      .toContain('does not read');

    const mapping = page.locator('#pipeline-table tbody tr');
    await expect.poll(() => mapping.count()).toBe(1);
    expect(await mapping.locator('td').first().textContent()).toBe(run.groupId);
    expect(await mapping.locator('td').nth(2).textContent()).toBe('0');
    // Pollers are Lambda's: Kafka's consumer groups alone cannot tell them.
    expect(await mapping.locator('td').nth(3).textContent()).toBe('–');
    expect(await page.locator('#pollers-empty').textContent()).toContain('cannot tell them');
    expect(await kpi(page, 'kpi-dlq')).toBe(String(run.bad));
    expect(run.bad).toBeGreaterThan(0);

    // Nothing but the dashboard's own origin was asked for, and nothing went wrong in the page.
    expect(requests.filter((url) => !url.startsWith(dashboard.url))).toEqual([]);
    expect(problems).toEqual([]);
    expect(statSync(screenshot).size).toBeGreaterThan(50_000);
  });

  it('says what is missing when the table is empty and no pipeline statistics are given', async () => {
    // Prepare
    const tables = await createTestTables();
    const dashboard = await startDashboard({
      dynamo: dynamoClient(),
      tables,
      source: 'integration test',
      logger: { info: () => {}, warn: () => {} },
    });
    onTestFinished(() => dashboard.stop());

    // Act
    const { page, problems } = await openDashboard(dashboard.url);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-empty.png'), fullPage: true });

    // Assert
    await expect.poll(() => page.locator('#activity-empty').isVisible()).toBe(true);
    expect(await page.locator('#activity-empty').textContent()).toContain('No events');
    expect(await page.locator('#segments-empty').textContent()).toContain('no enriched sessions');
    expect(await page.locator('#pipeline-empty').textContent()).toContain('npm run demo');
    expect(await kpi(page, 'kpi-freshness')).toBe('–');
    expect(await page.locator('#cost-empty').textContent()).toContain('Unavailable');
    expect(await page.locator('#status').getAttribute('data-state')).toBe('live');
    expect(problems).toEqual([]);
  });

  it("shows each mapping's event pollers in the health table and over time", async () => {
    // Prepare: the emulator's figures as a burst scales the aggregation out (1 → 3 pollers).
    let pollers = 1;
    const enrich = (): EsmMappingFigures => ({
      functionName: 'enrich-sessions',
      topic: 'clickstream-user-sessions',
      consumerGroupId: 'clickstream-enrich-sessions',
      lag: 10_000,
      pollers: 1,
      invocations: 4,
      failed: 1,
      timeouts: 0,
      retries: 1,
      batchSize: { mean: 20, max: 40 },
      lagByPartition: { 'clickstream-user-sessions-0': 10_000 },
      billedDurationMs: 4 * 30,
      memorySizeMb: 512,
      recordsDelivered: 80,
    });
    const figures = (): EsmMappingFigures => ({
      functionName: 'aggregate-events',
      topic: 'clickstream-events',
      consumerGroupId: 'clickstream-aggregate-events',
      lag: pollers * 10_000,
      pollers,
      invocations: 10,
      failed: 0,
      timeouts: 0,
      retries: 0,
      batchSize: { mean: 100, max: 100 },
      lagByPartition: { 'clickstream-events-0': pollers * 10_000 },
      billedDurationMs: 10 * 120,
      memorySizeMb: 1024,
      recordsDelivered: 1000,
    });
    const tables = await createTestTables();
    const dashboard = await startDashboard({
      dynamo: dynamoClient(),
      tables,
      source: 'integration test',
      refreshMs: 250,
      pipelineStats: esmPipelineStats(
        { stats: () => ({ mappings: [figures(), enrich()] }) },
        {
          deadLetters: async () => 5,
          deadLettersByReason: async () => ({ 'schema-invalid': 3, 'malformed-json': 2 }),
          dynamoDbUnits: () => ({ write: 400, read: 20 }),
        },
      ),
      logger: { info: () => {}, warn: () => {} },
    });
    onTestFinished(() => dashboard.stop());

    // Act
    const { page, problems } = await openDashboard(dashboard.url);
    const pollersCell = page.locator('#pipeline-table tbody tr').first().locator('td').nth(3);
    await expect.poll(() => pollersCell.textContent(), { timeout: 15_000 }).toBe('1');
    pollers = 3;
    await expect.poll(() => pollersCell.textContent(), { timeout: 15_000 }).toBe('3');
    await expect
      .poll(async () => (await readCharts(page)).pollers?.datasets[0]?.data.at(-1), { timeout: 15_000 })
      .toBe(3);

    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-pipeline.png'), fullPage: true });

    // Assert: the chart remembers the step from 1 to 3, per mapping.
    const charts = await readCharts(page);
    const chart = charts.pollers;
    expect(chart?.datasets.map((dataset) => dataset.label)).toEqual(['aggregate-events', 'enrich-sessions']);
    expect(chart?.datasets[0]?.data).toContain(1);
    expect(chart?.painted).toBe(true);
    expect(await page.locator('#pollers-empty').isHidden()).toBe(true);
    // Two mappings on one chart stay apart: different colours and different dashes.
    const styles = await page.evaluate(() => {
      const handle = (
        globalThis as unknown as {
          dashboard?: {
            charts: Record<string, { data: { datasets: { borderColor?: unknown; borderDash?: unknown }[] } }>;
          };
        }
      ).dashboard;
      return (handle?.charts.lag?.data.datasets ?? []).map((d) =>
        JSON.stringify([d.borderColor, d.borderDash]),
      );
    });
    expect(new Set(styles).size).toBe(styles.length);
    expect(styles.length).toBe(2);
    // Dead letters by reason, the mean duration, and the run's cost per million events.
    expect(charts.deadLetters?.labels).toEqual(['schema-invalid', 'malformed-json']);
    expect(charts.deadLetters?.datasets[0]?.data).toEqual([3, 2]);
    expect(await page.locator('#pipeline-table tbody tr').first().locator('td').nth(6).textContent()).toBe(
      '120',
    );
    expect(await kpi(page, 'kpi-cost')).toMatch(/^\$\d/);
    expect(await page.locator('#cost-table tbody tr').count()).toBe(3);
    expect(problems).toEqual([]);
  });
});
