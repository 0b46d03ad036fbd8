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

/** Series colours for the lag chart, one per mapping. */
const SERIES = [COLORS.indigo, COLORS.teal, COLORS.amber, COLORS.rose, '#7c3aed', '#0284c7'] as const;

export const seriesColor = (index: number): string => SERIES[index % SERIES.length] ?? COLORS.indigo;

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
}

const conversionChart = (id: string, color: string): Chart<'bar'> =>
  create(id, {
    type: 'bar',
    data: {
      labels: [],
      datasets: [{ label: 'Conversion', data: [], backgroundColor: color, borderRadius: 4 }],
    },
    options: {
      indexAxis: 'y',
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => `Conversion ${formatRate(item.parsed.x)}` } },
      },
      scales: { x: rateAxis, y: plainAxis },
    },
  });

/** Creates the page's charts, empty; {@link setSeries} fills them. */
export const createCharts = (): DashboardCharts => {
  applyDefaults();
  const activity = create<'bar' | 'line'>('chart-activity', {
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
        x: { ...plainAxis, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
        y: { ...countAxis, title: { display: true, text: 'events' } },
        purchases: {
          ...countAxis,
          position: 'right',
          grid: { display: false },
          title: { display: true, text: 'purchases' },
        },
      },
    },
  });
  const funnel = create('chart-funnel', {
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
      scales: { x: countAxis, y: plainAxis },
    },
  });
  const pages = create('chart-pages', {
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
  const sessions = create('chart-sessions', {
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
      scales: { x: { ...plainAxis, ticks: { maxRotation: 0 } }, y: countAxis },
    },
  });
  const closed = create('chart-closed', {
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
      scales: { x: { ...countAxis, stacked: true }, y: { ...plainAxis, stacked: true } },
    },
  });
  const lag = create('chart-lag', {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      plugins: { legend: { position: 'top', align: 'end' } },
      scales: { x: { ...plainAxis, ticks: { maxRotation: 0, maxTicksLimit: 6 } }, y: countAxis },
    },
  });
  // Pollers change in whole steps at an evaluation (emulators/esm/scaler.ts): a stepped line.
  const pollers = create('chart-pollers', {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      plugins: { legend: { position: 'top', align: 'end' } },
      scales: {
        x: { ...plainAxis, ticks: { maxRotation: 0, maxTicksLimit: 6 } },
        y: { ...countAxis, suggestedMax: 2 },
      },
    },
  });
  return {
    activity,
    funnel,
    pages,
    sessions,
    segments: conversionChart('chart-segments', COLORS.indigo),
    devices: conversionChart('chart-devices', COLORS.teal),
    closed,
    lag,
    pollers,
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
