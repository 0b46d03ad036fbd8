import type { Chart } from 'chart.js';
import type { SnapshotResponse } from '../snapshot.ts';
import { type DashboardCharts, seriesColor, seriesDash, setSeries } from './charts.ts';
import {
  changeLabel,
  clockLabel,
  formatCount,
  formatDecimal,
  formatMoney,
  formatMoneyShort,
  formatRate,
  formatSeconds,
  formatUsd,
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
    `${minuteLabel(from)}–${minuteLabel(to)} UTC · revenue ${formatMoney(revenue, snapshot.currency)}`;
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
    setKpi('kpi-abandoned', '–', 'no closed sessions yet');
    setKpi('kpi-conversion', '–', 'no closed sessions yet');
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
  // One definition of conversion on the page: converted ÷ closed sessions, over this range.
  const overall = formatRate(enrichment.converted / Math.max(1, enrichment.closedSessions));
  byId('segments-note').textContent = `${overall} overall · ${range}`;
  byId('devices-note').textContent = `${overall} overall · ${range}`;
  byId('closed-note').textContent = `${formatCount(enrichment.closedSessions)} sessions · ${range}`;
  setKpi(
    'kpi-conversion',
    overall,
    `${formatCount(enrichment.converted)} of ${formatCount(enrichment.closedSessions)} closed sessions bought · ${range}`,
  );
  setKpi(
    'kpi-abandoned',
    formatCount(enrichment.abandonedCarts),
    `${formatMoney(enrichment.abandonedCartValue, snapshot.currency)} left in carts · ${range}`,
  );
};

/** Mapping names without the service and stage prefix (`clickstream-dev-aggregate-events` → `aggregate-events`). */
const shortName = (name: string, names: readonly string[]): string => {
  const parts = names.map((n) => n.split('-'));
  let common = 0;
  while (names.length > 1 && parts.every((p) => p[common] !== undefined && p[common] === parts[0]?.[common]))
    common += 1;
  return name.split('-').slice(common).join('-') || name;
};

/** Draws one figure per mapping over the run, from the server's samples. */
const drawHistory = (
  chart: Chart<'line'>,
  samples: SnapshotResponse['pipelineHistory'],
  pick: (sample: SnapshotResponse['pipelineHistory'][number]) => Record<string, number>,
  stepped: boolean,
): void => {
  const names = [...new Set(samples.flatMap((sample) => Object.keys(pick(sample))))].sort();
  // Minutes for a long run; seconds while it is short, so no two ticks read the same.
  const short = (samples.at(-1)?.at ?? 0) - (samples[0]?.at ?? 0) < 10 * 60_000;
  chart.data.labels = samples.map((sample) => clockLabel(sample.at).slice(0, short ? 8 : 5));
  chart.data.datasets = names.map((name, index) => ({
    label: shortName(name, names),
    data: samples.map((sample) => pick(sample)[name] ?? null),
    borderColor: seriesColor(index),
    backgroundColor: seriesColor(index),
    borderDash: seriesDash(index),
    pointRadius: 0,
    borderWidth: 2,
    ...(stepped ? { stepped: 'before' as const } : { cubicInterpolationMode: 'monotone' as const }),
    spanGaps: true,
  }));
  chart.update('none');
};

const renderHistory = (snapshot: SnapshotResponse, charts: DashboardCharts): void => {
  const samples = snapshot.pipelineHistory;
  drawHistory(charts.lag, samples, (sample) => sample.lag, false);
  drawHistory(charts.pollers, samples, (sample) => sample.pollers, true);
  const span =
    samples.length < 2
      ? ''
      : ` · ${clockLabel(samples[0]?.at ?? 0).slice(0, 5)}–${clockLabel(samples.at(-1)?.at ?? 0).slice(0, 5)} UTC, the whole run`;
  byId('lag-note').textContent = `records behind, per mapping${span}`;
  byId('pollers-note').textContent = `per mapping${span}`;
  const pipelineReason = snapshot.pipeline.available ? undefined : snapshot.pipeline.reason;
  setEmpty(
    'lag-empty',
    samples.length > 0 ? undefined : `No history: ${pipelineReason ?? 'waiting for the first sample'}.`,
  );
  const reported = samples.some((sample) => Object.keys(sample.pollers).length > 0);
  setEmpty(
    'pollers-empty',
    reported
      ? undefined
      : snapshot.pipeline.available
        ? `Event pollers are Lambda's: ${snapshot.pipeline.source} cannot tell them (npm run demo shows the emulator's).`
        : `No history: ${pipelineReason}.`,
  );
};

type Mapping = Extract<SnapshotResponse['pipeline'], { available: true }>['mappings'][number];

const mappingRow = (mapping: Mapping): HTMLTableRowElement => {
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
    cell(mapping.meanDurationMs === null ? '–' : formatDecimal(mapping.meanDurationMs), 'num'),
    errors,
    cell(formatCount(mapping.retries), 'num'),
  );
};

const renderPartitionsAndDeadLetters = (snapshot: SnapshotResponse, charts: DashboardCharts): void => {
  const pipeline = snapshot.pipeline;
  const partitions = pipeline.available
    ? pipeline.mappings.flatMap((mapping) => Object.entries(mapping.lagByPartition ?? {}))
    : [];
  // The partitions furthest behind first: a stuck partition is what this chart is for.
  const shown = partitions.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 12);
  setSeries(
    charts.partitions,
    shown.map(([name]) => name),
    [shown.map(([, lag]) => lag)],
  );
  setEmpty(
    'partitions-empty',
    !pipeline.available
      ? `Unavailable: ${pipeline.reason}.`
      : shown.length === 0
        ? `${pipeline.source} reports no per-partition lag.`
        : undefined,
  );
  const total = partitions.reduce((sum, [, lag]) => sum + lag, 0);
  byId('partitions-note').textContent =
    `records behind, now · ${partitions.length} partitions · ${formatCount(total)} in all`;
  const reasons = pipeline.available ? Object.entries(pipeline.deadLettersByReason ?? {}) : [];
  reasons.sort((a, b) => b[1] - a[1]);
  setSeries(
    charts.deadLetters,
    reasons.map(([reason]) => reason),
    [reasons.map(([, n]) => n)],
  );
  setEmpty(
    'dlq-empty',
    !pipeline.available
      ? `Unavailable: ${pipeline.reason}.`
      : pipeline.deadLettersByReason === null
        ? `${pipeline.source} does not read the dead letters' reasons (npm run demo does).`
        : reasons.length === 0
          ? 'No dead letters: every record so far was counted.'
          : undefined,
  );
  byId('dlq-note').textContent = 'records, by their dlq-reason header';
};

const renderPipelineKpis = (snapshot: SnapshotResponse): void => {
  const { pipeline, freshness } = snapshot;
  if (!pipeline.available) {
    setKpi('kpi-freshness', '–', 'pipeline unavailable');
    setKpi('kpi-dlq', '–', 'unavailable');
    return;
  }
  const totalLag = pipeline.mappings.reduce((sum, mapping) => sum + mapping.lag, 0);
  setKpi(
    'kpi-freshness',
    freshness.backlogSeconds === null ? '–' : `≈ ${formatSeconds(freshness.backlogSeconds)}`,
    freshness.backlogSeconds === null
      ? `lag ${formatCount(totalLag)} records`
      : `behind: ${formatCount(freshness.backlogRecords)} records at ${formatDecimal(freshness.eventsPerSecond)} events/s, + ≤ batch window`,
    (freshness.backlogSeconds ?? 0) > 60,
  );
  const top = Object.entries(pipeline.deadLettersByReason ?? {}).sort((a, b) => b[1] - a[1])[0];
  setKpi(
    'kpi-dlq',
    formatCount(pipeline.deadLetters),
    pipeline.deadLetters === null
      ? 'topic unreadable'
      : top === undefined
        ? 'poison records kept, with their reason'
        : `most: ${top[0]} (${formatCount(top[1])})`,
    (pipeline.deadLetters ?? 0) > 0,
  );
};

const renderCost = (snapshot: SnapshotResponse): void => {
  const { cost } = snapshot;
  const body = byId('cost-table').querySelector('tbody');
  byId('cost-table').hidden = !cost.available;
  if (!cost.available) {
    body?.replaceChildren();
    setEmpty('cost-empty', `Unavailable: ${cost.reason}.`);
    byId('cost-note').textContent = '';
    setKpi('kpi-cost', '–', 'needs billed duration and DynamoDB units');
    return;
  }
  setEmpty('cost-empty', undefined);
  const perMillion = (usd: number) => formatUsd((usd / cost.events) * 1e6);
  body?.replaceChildren(
    row(
      cell('Lambda (GB-s, requests)'),
      cell(formatUsd(cost.lambdaUsd), 'num'),
      cell(perMillion(cost.lambdaUsd), 'num'),
    ),
    row(
      cell('DynamoDB (request units)'),
      cell(formatUsd(cost.dynamoDbUsd), 'num'),
      cell(perMillion(cost.dynamoDbUsd), 'num'),
    ),
    row(
      cell('Total'),
      cell(formatUsd(cost.lambdaUsd + cost.dynamoDbUsd), 'num'),
      cell(formatUsd(cost.usdPerMillionEvents), 'num'),
    ),
  );
  byId('cost-note').textContent =
    `${formatCount(cost.events)} events · ${cost.prices} · Kafka, pollers and the stream processor: npm run plan`;
  setKpi('kpi-cost', formatUsd(cost.usdPerMillionEvents), 'Lambda + DynamoDB, as billed so far');
};

const renderPipeline = (snapshot: SnapshotResponse, charts: DashboardCharts): void => {
  const pipeline = snapshot.pipeline;
  const table = byId('pipeline-table');
  const body = table.querySelector('tbody');
  table.hidden = !pipeline.available;
  renderPipelineKpis(snapshot);
  renderPartitionsAndDeadLetters(snapshot, charts);
  renderHistory(snapshot, charts);
  renderCost(snapshot);
  if (!pipeline.available) {
    body?.replaceChildren();
    setEmpty('pipeline-empty', `Health unavailable: ${pipeline.reason}.`);
    byId('pipeline-note').textContent = '';
    return;
  }
  setEmpty('pipeline-empty', pipeline.mappings.length === 0 ? 'No event source mappings found.' : undefined);
  body?.replaceChildren(...pipeline.mappings.map(mappingRow));
  byId('pipeline-note').textContent = `source: ${pipeline.source} · durations as Lambda bills them`;
};

const renderKpis = (snapshot: SnapshotResponse): void => {
  // Complete minutes only: the current minute is still filling, so it is shown as "so far".
  const current = snapshot.activity.at(-1);
  const complete = snapshot.activity.at(-2);
  const before = snapshot.activity.at(-3);
  const change =
    complete === undefined || before === undefined
      ? ''
      : changeLabel(complete.events, before.events, minuteLabel(before.minute));
  setKpi(
    'kpi-events',
    formatCount(complete?.events ?? 0),
    `${complete === undefined ? '' : `${minuteLabel(complete.minute)} UTC`}${change === '' ? '' : ` · ${change}`} · ${formatCount(current?.events ?? 0)} so far this minute`,
  );
  setKpi(
    'kpi-sessions',
    formatCount(snapshot.sessions.active),
    `in ${minuteLabel(snapshot.currentMinute)} UTC`,
  );
  const { funnel } = snapshot;
  setKpi(
    'kpi-revenue',
    formatMoneyShort(funnel.revenue, snapshot.currency),
    `${snapshot.currency} · ${minuteLabel(funnel.from)}–${minuteLabel(funnel.to)} UTC`,
  );
};

/** Draws a snapshot: every chart, table and figure on the page. */
export const render = (snapshot: SnapshotResponse, charts: DashboardCharts): void => {
  byId('source').textContent = `${snapshot.source} · table ${snapshot.analyticsTable}`;
  byId('footer').textContent =
    `Refreshes every ${snapshot.refreshMs / 1000} s · minute buckets in UTC · money in ${snapshot.currency} · read from the DynamoDB aggregates ` +
    '(services/aggregation) and the pipeline statistics · docs/dashboard.md';
  renderKpis(snapshot);
  renderActivity(snapshot, charts);
  renderFunnel(snapshot, charts);
  renderTopPages(snapshot, charts);
  renderSessions(snapshot, charts);
  renderEnrichment(snapshot, charts);
  renderPipeline(snapshot, charts);
};
