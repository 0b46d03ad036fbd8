import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartType,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { formatCount, formatRate, shortenPath } from './format.ts';

// Only the pieces used here are registered, so the bundle carries nothing else.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

/** The palette, shared with styles.css. */
export const COLORS = {
  indigo: '#4f46e5',
  indigoSoft: 'rgba(79, 70, 229, 0.75)',
  indigoPale: 'rgba(79, 70, 229, 0.22)',
  teal: '#0d9488',
  tealFill: 'rgba(13, 148, 136, 0.12)',
  amber: '#d97706',
  rose: '#e11d48',
  slate: '#cbd5e1',
  grid: '#eef1f6',
  text: '#657089',
} as const;

/** Series colours for the per-mapping charts, one per mapping, and dashes to tell overlapping lines apart. */
const SERIES = [COLORS.indigo, COLORS.teal, COLORS.amber, COLORS.rose, '#7c3aed', '#0284c7'] as const;
const DASHES: readonly (readonly number[])[] = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

export const seriesColor = (index: number): string => SERIES[index % SERIES.length] ?? COLORS.indigo;
export const seriesDash = (index: number): number[] => [...(DASHES[index % DASHES.length] ?? [])];

const applyDefaults = (): void => {
  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = COLORS.text;
  Chart.defaults.borderColor = COLORS.grid;
  // Live data: redraw in place rather than animate every two seconds.
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 10;
  Chart.defaults.plugins.legend.labels.boxHeight = 10;
  Chart.defaults.plugins.tooltip.mode = 'index';
  Chart.defaults.plugins.tooltip.intersect = false;
};

const canvas = (id: string): HTMLCanvasElement => {
  const element = document.getElementById(id);
  if (!(element instanceof HTMLCanvasElement)) throw new Error(`the page has no canvas #${id}`);
  return element;
};

const create = <T extends ChartType>(id: string, config: ChartConfiguration<T>): Chart<T> =>
  new Chart(canvas(id), config);

const countAxis = { beginAtZero: true, ticks: { precision: 0 }, grid: { color: COLORS.grid } } as const;
const rateAxis = {
  beginAtZero: true,
  suggestedMax: 0.1,
  ticks: { callback: (value: number | string) => formatRate(Number(value)) },
  grid: { color: COLORS.grid },
} as const;
const plainAxis = { grid: { display: false } } as const;

/** Every chart on the page, by name. */
export interface DashboardCharts {
  readonly activity: Chart<'bar' | 'line'>;
  readonly funnel: Chart<'bar'>;
  readonly pages: Chart<'bar'>;
  readonly sessions: Chart<'line'>;
  readonly segments: Chart<'bar'>;
  readonly devices: Chart<'bar'>;
  readonly closed: Chart<'bar'>;
  readonly lag: Chart<'line'>;
  readonly pollers: Chart<'line'>;
  readonly partitions: Chart<'bar'>;
  readonly deadLetters: Chart<'bar'>;
}

const conversionChart = (id: string, color: string): Chart<'bar'> =>
  create(id, {
    type: 'bar',
    data: {
      labels: [],
      datasets: [{ label: 'Converted sessions', data: [], backgroundColor: color, borderRadius: 4 }],
    },
    options: {
      indexAxis: 'y',
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: { label: (item) => `${formatRate(item.parsed.x)} of closed sessions converted` },
        },
      },
      scales: {
        x: { ...rateAxis, title: { display: true, text: 'converted ÷ closed sessions' } },
        y: plainAxis,
      },
    },
  });

/** A horizontal bar chart of counts, one colour, its axis titled with the unit. */
const countBars = (id: string, color: string, unit: string): Chart<'bar'> =>
  create(id, {
    type: 'bar',
    data: { labels: [], datasets: [{ label: unit, data: [], backgroundColor: color, borderRadius: 3 }] },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { x: { ...countAxis, title: { display: true, text: unit } }, y: plainAxis },
    },
  });

/**
 * A time series per mapping. The legend sits below in small type so the plot keeps its area;
 * series differ by colour and by dash, so they stay apart where lines overlap.
 */
const perMappingChart = (id: string, unit: string, suggestedMax?: number): Chart<'line'> =>
  create(id, {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      plugins: {
        legend: {
          position: 'bottom',
          labels: { boxWidth: 14, boxHeight: 2, font: { size: 11 }, padding: 8 },
        },
      },
      scales: {
        x: {
          ...plainAxis,
          ticks: { maxRotation: 0, maxTicksLimit: 7 },
          title: { display: true, text: 'UTC' },
        },
        y: {
          ...countAxis,
          ...(suggestedMax === undefined ? {} : { suggestedMax }),
          title: { display: true, text: unit },
        },
      },
    },
  });

/** Events per minute (bars) with purchases (line), on two titled axes. */
const activityChart = (): Chart<'bar' | 'line'> =>
  create<'bar' | 'line'>('chart-activity', {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        {
          type: 'bar',
          label: 'Events',
          data: [],
          backgroundColor: COLORS.indigoSoft,
          borderRadius: 3,
          yAxisID: 'y',
        },
        {
          type: 'line',
          label: 'Purchases',
          data: [],
          borderColor: COLORS.rose,
          backgroundColor: COLORS.rose,
          pointRadius: 0,
          borderWidth: 2,
          cubicInterpolationMode: 'monotone',
          yAxisID: 'purchases',
        },
      ],
    },
    options: {
      plugins: { legend: { position: 'top', align: 'end' } },
      scales: {
        x: {
          ...plainAxis,
          ticks: { maxRotation: 0, autoSkipPadding: 12 },
          title: { display: true, text: 'minute (UTC)' },
        },
        y: { ...countAxis, title: { display: true, text: 'events / min' } },
        purchases: {
          ...countAxis,
          position: 'right',
          grid: { display: false },
          title: { display: true, text: 'purchases / min' },
        },
      },
    },
  });

/** The funnel's steps, in order, as horizontal bars. */
const funnelChart = (): Chart<'bar'> =>
  create('chart-funnel', {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        {
          label: 'Events',
          data: [],
          backgroundColor: [COLORS.indigo, 'rgba(79, 70, 229, 0.75)', 'rgba(79, 70, 229, 0.55)', COLORS.teal],
          borderRadius: 4,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { x: { ...countAxis, title: { display: true, text: 'events' } }, y: plainAxis },
    },
  });

/** Page views of the busiest pages, this minute against the previous one. */
const pagesChart = (): Chart<'bar'> =>
  create('chart-pages', {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        { label: 'This minute', data: [], backgroundColor: COLORS.indigo, borderRadius: 3 },
        { label: 'Previous minute', data: [], backgroundColor: COLORS.slate, borderRadius: 3 },
      ],
    },
    options: {
      indexAxis: 'y',
      plugins: {
        legend: { position: 'top', align: 'end' },
        tooltip: { callbacks: { title: (items) => String(items[0]?.label ?? '') } },
      },
      scales: {
        x: { ...countAxis, title: { display: true, text: 'page views' } },
        y: {
          ...plainAxis,
          ticks: {
            callback(value) {
              return shortenPath(this.getLabelForValue(Number(value)));
            },
          },
        },
      },
    },
  });

/** Distinct sessions per minute, as a filled line. */
const sessionsChart = (): Chart<'line'> =>
  create('chart-sessions', {
    type: 'line',
    data: {
      labels: [],
      datasets: [
        {
          label: 'Sessions',
          data: [],
          borderColor: COLORS.teal,
          backgroundColor: COLORS.tealFill,
          fill: true,
          cubicInterpolationMode: 'monotone',
          pointRadius: 2,
          borderWidth: 2,
        },
      ],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: {
        x: { ...plainAxis, ticks: { maxRotation: 0 }, title: { display: true, text: 'minute (UTC)' } },
        y: { ...countAxis, title: { display: true, text: 'sessions' } },
      },
    },
  });

/** Closed sessions by segment, stacked: converted, abandoned cart, other. */
const closedChart = (): Chart<'bar'> =>
  create('chart-closed', {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        { label: 'Converted', data: [], backgroundColor: COLORS.teal, stack: 'sessions' },
        { label: 'Abandoned cart', data: [], backgroundColor: COLORS.amber, stack: 'sessions' },
        { label: 'Other', data: [], backgroundColor: COLORS.slate, stack: 'sessions' },
      ],
    },
    options: {
      plugins: {
        legend: { position: 'top', align: 'end' },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatCount(item.parsed.x)}` } },
      },
      indexAxis: 'y',
      scales: {
        x: { ...countAxis, stacked: true, title: { display: true, text: 'closed sessions' } },
        y: { ...plainAxis, stacked: true },
      },
    },
  });

/** Creates the page's charts, empty; {@link setSeries} and the history fill them. */
export const createCharts = (): DashboardCharts => {
  applyDefaults();
  return {
    activity: activityChart(),
    funnel: funnelChart(),
    pages: pagesChart(),
    sessions: sessionsChart(),
    segments: conversionChart('chart-segments', COLORS.indigo),
    devices: conversionChart('chart-devices', COLORS.teal),
    closed: closedChart(),
    lag: perMappingChart('chart-lag', 'records behind'),
    // Pollers change in whole steps at an evaluation (emulators/esm/scaler.ts): stepped lines.
    pollers: perMappingChart('chart-pollers', 'event pollers', 2),
    partitions: countBars('chart-partitions', COLORS.amber, 'records behind'),
    deadLetters: countBars('chart-dlq', COLORS.rose, 'dead letters'),
  };
};

/** Replaces a chart's labels and the data of its datasets, in order, and redraws it. */
export const setSeries = <T extends ChartType>(
  chart: Chart<T>,
  labels: readonly string[],
  series: readonly (readonly number[])[],
): void => {
  chart.data.labels = [...labels];
  series.forEach((data, index) => {
    const dataset = chart.data.datasets[index];
    if (dataset !== undefined) dataset.data = [...data] as typeof dataset.data;
  });
  chart.update('none');
};
