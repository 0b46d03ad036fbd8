import type { Chart } from 'chart.js';
import { ApiErrorSchema, type SnapshotResponse, SnapshotResponseSchema } from '../snapshot.ts';
import { createCharts, type DashboardCharts } from './charts.ts';
import { clockLabel } from './format.ts';
import { render } from './render.ts';

/** What the page exposes for debugging and for the browser test: the charts and the last snapshot. */
export interface DashboardHandle {
  readonly charts: Readonly<Record<keyof DashboardCharts, Chart>>;
  snapshot: SnapshotResponse | undefined;
  /** Snapshots drawn since the page opened. */
  renders: number;
}

declare global {
  interface Window {
    dashboard?: DashboardHandle;
  }
}

const FALLBACK_REFRESH_MS = 2000;

const status = document.getElementById('status');
const statusText = document.getElementById('status-text');
const banner = document.getElementById('banner');

const setStatus = (state: 'live' | 'stale' | 'error', text: string): void => {
  if (status) status.dataset.state = state;
  if (statusText) statusText.textContent = text;
};

const showProblem = (message: string | undefined): void => {
  if (banner === null) return;
  banner.hidden = message === undefined;
  banner.textContent = message ?? '';
};

/** Asks for a snapshot; resolves to the snapshot or to the problem, in words. */
const fetchSnapshot = async (): Promise<SnapshotResponse | string> => {
  let response: Response;
  try {
    response = await fetch('/api/snapshot', { cache: 'no-store' });
  } catch {
    return 'The dashboard server does not answer. Is npm run dashboard (or npm run demo) still running?';
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = ApiErrorSchema.safeParse(body);
    return error.success
      ? `The data cannot be read: ${error.data.message}. Is the stack up (npm run stack -- up) and the table name right?`
      : `The server answered ${response.status}.`;
  }
  const snapshot = SnapshotResponseSchema.safeParse(body);
  return snapshot.success
    ? snapshot.data
    : `The server sent a snapshot this page does not understand (${snapshot.error.issues[0]?.message}). Reload the page.`;
};

const start = (): void => {
  const charts = createCharts();
  const handle: DashboardHandle = { charts, snapshot: undefined, renders: 0 };
  window.dashboard = handle;
  let refreshMs = FALLBACK_REFRESH_MS;
  /** When (page clock) the last snapshot arrived, and the server time it was read at. */
  let lastArrival = 0;
  let lastSuccess = 0;

  // One request at a time: the next starts when the previous has been drawn.
  const poll = async (): Promise<void> => {
    const result = await fetchSnapshot();
    if (typeof result === 'string') {
      showProblem(result);
      setStatus('error', lastSuccess === 0 ? 'No data' : `Last update ${clockLabel(lastSuccess)} UTC`);
    } else {
      refreshMs = result.refreshMs;
      lastArrival = Date.now();
      lastSuccess = result.generatedAt;
      render(result, charts);
      handle.snapshot = result;
      handle.renders += 1;
      showProblem(undefined);
      setStatus('live', `Live · ${clockLabel(result.generatedAt)} UTC`);
    }
    window.setTimeout(poll, refreshMs);
  };

  // A hidden tab still polls, at the same rate: the page is a monitor and is often left open.
  window.setInterval(() => {
    if (lastArrival > 0 && Date.now() - lastArrival > refreshMs * 4 && status?.dataset.state === 'live') {
      setStatus('stale', `Stale · ${clockLabel(lastSuccess)} UTC`);
    }
  }, 1000);
  void poll();
};

start();
