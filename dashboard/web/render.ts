import type { Chart } from 'chart.js';
import type { SnapshotResponse } from '../snapshot.ts';
import { type DashboardCharts, seriesColor, setSeries } from './charts.ts';
import {
  changeLabel,
  clockLabel,
  formatCount,
  formatDecimal,
  formatMoney,
  formatMoneyShort,
  formatRate,
  minuteLabel,
  STEP_LABELS,
} from './format.ts';

// Every value from the API goes into the page as text (textContent), never as HTML: page
// paths and segment names come from the clickstream and may contain anything.

const byId = (id: string): HTMLElement => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element;
};

const cell = (text: string, className?: string): HTMLTableCellElement => {
  const td = document.createElement('td');
  td.textContent = text;
  if (className !== undefined) td.className = className;
  return td;
};

const row = (...cells: HTMLTableCellElement[]): HTMLTableRowElement => {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
};

const setKpi = (id: string, value: string, note = '', alert = false): void => {
  const card = byId(id);
  const valueElement = card.querySelector('.kpi-value');
  const noteElement = card.querySelector('.kpi-note');
  if (valueElement !== null) valueElement.textContent = value;
  if (noteElement !== null) noteElement.textContent = note === '' ? '\u00a0' : note;
  card.dataset.alert = String(alert);
};

/** Shows `message` in an empty-state box over a chart (the chart dimmed), or hides it. */
const setEmpty = (id: string, message: string | undefined): void => {
  const box = byId(id);
  box.hidden = message === undefined;
  box.textContent = message ?? '';
  const chartBox = box.closest<HTMLElement>('.chart-box');
  if (chartBox !== null) chartBox.dataset.empty = String(message !== undefined);
};

const renderActivity = (snapshot: SnapshotResponse, charts: DashboardCharts): void => {
  const labels = snapshot.activity.map((minute) => minuteLabel(minute.minute));
  setSeries(charts.activity, labels, [
    snapshot.activity.map((minute) => minute.events),
    snapshot.activity.map((minute) => minute.purchases),
  ]);
  const total = snapshot.activity.reduce((sum, minute) => sum + minute.events, 0);
  byId('activity-note').textContent =
    `last ${snapshot.activity.length} minutes · ${formatCount(total)} events · times in UTC`;
  setEmpty(
    'activity-empty',
    total === 0
      ? 'No events in this range yet. Start the pipeline with npm run demo, or send events with npm run load.'
      : undefined,
  );
};

const renderFunnel = (snapshot: SnapshotResponse, charts: DashboardCharts): void => {
  const { steps, from, to, revenue } = snapshot.funnel;
  setSeries(
    charts.funnel,
    steps.map((step) => STEP_LABELS[step.step] ?? step.step),
    [steps.map((step) => step.count)],
  );
  byId('funnel-note').textContent =
    `${minuteLabel(from)}–${minuteLabel(to)} UTC · revenue ${formatMoney(revenue)}`;
  const body = byId('funnel-steps').querySelector('tbody');
  body?.replaceChildren(
    ...steps.map((step) =>
      row(
        cell(STEP_LABELS[step.step] ?? step.step),
        cell(formatCount(step.count)),
        cell(formatRate(step.fromPrevious)),
        cell(formatRate(step.fromFirst)),
      ),
    ),
  );
};

const renderTopPages = (snapshot: SnapshotResponse, charts: DashboardCharts): void => {
  const { current, previous } = snapshot.topPages;
  const paths = [...new Set([...current.pages, ...previous.pages].map((page) => page.path))];
  const viewsIn = (pages: typeof current.pages) => new Map(pages.map((page) => [page.path, page.views]));
  const now = viewsIn(current.pages);
  const before = viewsIn(previous.pages);
  paths.sort((a, b) => (now.get(b) ?? 0) - (now.get(a) ?? 0) || (before.get(b) ?? 0) - (before.get(a) ?? 0));
  const shown = paths.slice(0, 10);
  const [currentSet, previousSet] = charts.pages.data.datasets;
  if (currentSet) currentSet.label = `${minuteLabel(current.minute)} (this minute)`;
  if (previousSet) previousSet.label = `${minuteLabel(previous.minute)} (previous)`;
  setSeries(charts.pages, shown, [
    shown.map((path) => now.get(path) ?? 0),
    shown.map((path) => before.get(path) ?? 0),
  ]);
  byId('pages-note').textContent = `by page views · minute windows, UTC`;
  setEmpty(
    'pages-empty',
    shown.length === 0 ? 'No page views in this minute or the previous one.' : undefined,
  );
};

const renderSessions = (snapshot: SnapshotResponse, charts: DashboardCharts): void => {
  const { perMinute, active } = snapshot.sessions;
  setSeries(
    charts.sessions,
    perMinute.map((minute) => minuteLabel(minute.minute)),
    [perMinute.map((minute) => minute.sessions)],
  );
  byId('sessions-note').textContent = `distinct sessions per minute · ${formatCount(active)} now`;
};

const renderEnrichment = (snapshot: SnapshotResponse, charts: DashboardCharts): void => {
  const enrichment = snapshot.enrichment;
  if (!enrichment.available) {
    const message = `No session data: ${enrichment.reason}.`;
    setSeries(charts.segments, [], [[]]);
    setSeries(charts.devices, [], [[]]);
    setSeries(charts.closed, [], [[], [], []]);
    for (const id of ['segments-empty', 'devices-empty', 'closed-empty']) setEmpty(id, message);
    for (const id of ['segments-note', 'devices-note', 'closed-note']) byId(id).textContent = '';
    setKpi('kpi-abandoned', '–', 'enrichment not running');
    return;
  }
  const range = `${minuteLabel(enrichment.from)}–${minuteLabel(enrichment.to)} UTC`;
  setSeries(
    charts.segments,
    enrichment.bySegment.map((group) => group.group),
    [enrichment.bySegment.map((group) => group.rate ?? 0)],
  );
  setSeries(
    charts.devices,
    enrichment.byDevice.map((group) => group.group),
    [enrichment.byDevice.map((group) => group.rate ?? 0)],
  );
  setSeries(
    charts.closed,
    enrichment.bySegment.map((group) => group.group),
    [
      enrichment.bySegment.map((group) => group.converted),
      enrichment.bySegment.map((group) => group.abandonedCarts),
      enrichment.bySegment.map((group) =>
        Math.max(0, group.sessions - group.converted - group.abandonedCarts),
      ),
    ],
  );
  for (const id of ['segments-empty', 'devices-empty', 'closed-empty']) setEmpty(id, undefined);
  byId('segments-note').textContent =
    `${formatRate(enrichment.converted / Math.max(1, enrichment.closedSessions))} overall · ${range}`;
  byId('devices-note').textContent = range;
  byId('closed-note').textContent = `${formatCount(enrichment.closedSessions)} sessions · ${range}`;
  setKpi(
    'kpi-abandoned',
    formatCount(enrichment.abandonedCarts),
    `${formatMoney(enrichment.abandonedCartValue)} left in carts`,
  );
};

/** Samples kept for the lag and poller charts: the last few minutes at the refresh rate. */
const HISTORY_SAMPLES = 90;

/** The page's memory of one figure per mapping across refreshes (the API only knows the present). */
export class SeriesHistory {
  readonly #stepped: boolean;

  /** `stepped`: draw whole-number steps (event pollers) rather than a smooth line (lag). */
  constructor(options: { stepped?: boolean } = {}) {
    this.#stepped = options.stepped ?? false;
  }

  readonly #labels: string[] = [];
  readonly #series = new Map<string, (number | null)[]>();

  add(label: string, lags: ReadonlyMap<string, number>): void {
    this.#labels.push(label);
    for (const name of lags.keys()) {
      if (!this.#series.has(name)) this.#series.set(name, new Array(this.#labels.length - 1).fill(null));
    }
    for (const [name, values] of this.#series) values.push(lags.get(name) ?? null);
    if (this.#labels.length > HISTORY_SAMPLES) {
      this.#labels.shift();
      for (const values of this.#series.values()) values.shift();
    }
  }

  draw(chart: Chart<'line'>): void {
    chart.data.labels = [...this.#labels];
    chart.data.datasets = [...this.#series.entries()].map(([name, values], index) => ({
      label: name,
      data: [...values],
      borderColor: seriesColor(index),
      backgroundColor: seriesColor(index),
      pointRadius: 0,
      borderWidth: 2,
      ...(this.#stepped ? { stepped: 'before' as const } : { cubicInterpolationMode: 'monotone' as const }),
      spanGaps: true,
    }));
    chart.update('none');
  }
}

/** What the page remembers between refreshes. */
export interface PipelineHistory {
  readonly lag: SeriesHistory;
  readonly pollers: SeriesHistory;
}

/** A fresh memory, when the page opens. */
export const pipelineHistory = (): PipelineHistory => ({
  lag: new SeriesHistory(),
  pollers: new SeriesHistory({ stepped: true }),
});

const renderPipeline = (
  snapshot: SnapshotResponse,
  charts: DashboardCharts,
  history: PipelineHistory,
): void => {
  const pipeline = snapshot.pipeline;
  const table = byId('pipeline-table');
  const body = table.querySelector('tbody');
  table.hidden = !pipeline.available;
  if (!pipeline.available) {
    body?.replaceChildren();
    setEmpty('pipeline-empty', `Health unavailable: ${pipeline.reason}.`);
    byId('pipeline-note').textContent = '';
    setKpi('kpi-lag', '–', 'unavailable');
    setKpi('kpi-dlq', '–', 'unavailable');
    return;
  }
  setEmpty('pipeline-empty', pipeline.mappings.length === 0 ? 'No event source mappings found.' : undefined);
  body?.replaceChildren(
    ...pipeline.mappings.map((mapping) => {
      const lag = cell(formatCount(mapping.lag), 'num');
      const pill = document.createElement('span');
      pill.className = `pill ${mapping.lag === 0 ? 'ok' : mapping.lag < 1000 ? 'warn' : 'bad'}`;
      pill.textContent = formatCount(mapping.lag);
      lag.replaceChildren(pill);
      const errors = cell(formatCount(mapping.errors), 'num');
      if ((mapping.errors ?? 0) > 0) errors.style.color = 'var(--rose)';
      return row(
        cell(mapping.name),
        cell(mapping.topic),
        lag,
        cell(formatCount(mapping.pollers), 'num'),
        cell(formatCount(mapping.invocations), 'num'),
        cell(
          mapping.batchSize === null
            ? '–'
            : `${formatDecimal(mapping.batchSize.mean)} / ${formatCount(mapping.batchSize.max)}`,
          'num',
        ),
        errors,
        cell(formatCount(mapping.retries), 'num'),
      );
    }),
  );
  byId('pipeline-note').textContent = `source: ${pipeline.source}`;
  const totalLag = pipeline.mappings.reduce((sum, mapping) => sum + mapping.lag, 0);
  setKpi(
    'kpi-lag',
    formatCount(totalLag),
    `${pipeline.mappings.length} mapping${pipeline.mappings.length === 1 ? '' : 's'}`,
    totalLag >= 1000,
  );
  setKpi(
    'kpi-dlq',
    formatCount(pipeline.deadLetters),
    pipeline.deadLetters === null ? 'topic unreadable' : 'poison records kept',
    (pipeline.deadLetters ?? 0) > 0,
  );
  // The page's own clock: this chart is a memory of what the page saw, refresh by refresh.
  const reported = pipeline.mappings.some((mapping) => mapping.pollers !== null);
  setEmpty(
    'pollers-empty',
    reported || pipeline.mappings.length === 0
      ? undefined
      : `Event pollers are Lambda's: ${pipeline.source} cannot tell them (npm run demo shows the emulator's).`,
  );
  const now = clockLabel(Date.now());
  history.lag.add(now, new Map(pipeline.mappings.map((mapping) => [mapping.name, mapping.lag])));
  history.lag.draw(charts.lag);
  history.pollers.add(
    now,
    new Map(
      pipeline.mappings.flatMap((mapping) =>
        mapping.pollers === null ? [] : [[mapping.name, mapping.pollers] as const],
      ),
    ),
  );
  history.pollers.draw(charts.pollers);
};

const renderKpis = (snapshot: SnapshotResponse): void => {
  const current = snapshot.activity.at(-1);
  const previous = snapshot.activity.at(-2);
  setKpi(
    'kpi-events',
    formatCount(current?.events ?? 0),
    previous === undefined
      ? ''
      : changeLabel(current?.events ?? 0, previous.events, minuteLabel(previous.minute)),
  );
  setKpi(
    'kpi-sessions',
    formatCount(snapshot.sessions.active),
    `in ${minuteLabel(snapshot.currentMinute)} UTC`,
  );
  const { funnel } = snapshot;
  setKpi(
    'kpi-revenue',
    formatMoneyShort(funnel.revenue),
    `${minuteLabel(funnel.from)}–${minuteLabel(funnel.to)} UTC`,
  );
  const purchase = funnel.steps.at(-1);
  setKpi(
    'kpi-conversion',
    formatRate(purchase?.fromFirst ?? null),
    `${formatCount(purchase?.count ?? 0)} purchases`,
  );
};

/** Draws a snapshot: every chart, table and figure on the page. */
export const render = (
  snapshot: SnapshotResponse,
  charts: DashboardCharts,
  history: PipelineHistory,
): void => {
  byId('source').textContent = `${snapshot.source} · table ${snapshot.analyticsTable}`;
  byId('footer').textContent =
    `Refreshes every ${snapshot.refreshMs / 1000} s · minute buckets in UTC · read from the DynamoDB aggregates ` +
    '(services/aggregation) and the pipeline statistics · docs/dashboard.md';
  renderKpis(snapshot);
  renderActivity(snapshot, charts);
  renderFunnel(snapshot, charts);
  renderTopPages(snapshot, charts);
  renderSessions(snapshot, charts);
  renderEnrichment(snapshot, charts);
  renderPipeline(snapshot, charts, history);
};
