import { Presets, SingleBar } from 'cli-progress';
import type { ToolLog } from '../tooling/logger.ts';
import type { SendStats } from './kafka-sender.ts';

/** `bar` on a terminal, `log` (a structured line every few seconds) otherwise, `off` with --json. */
export type ProgressMode = 'bar' | 'log' | 'off';

export interface Progress {
  stop(): void;
}

const LOG_EVERY_MS = 5_000;

/** Shows the run's progress: acked rate over the last second, sent, acked, errors. */
export const startProgress = (
  mode: ProgressMode,
  total: number,
  stats: () => Readonly<SendStats>,
  logger: ToolLog,
  unit = 'ev',
): Progress => {
  if (mode === 'off') return { stop: () => {} };
  let last = { at: performance.now(), acked: 0 };
  let rate = 0;
  const sample = () => {
    const at = performance.now();
    const { acked } = stats();
    if (at - last.at >= 1000) {
      rate = Math.round(((acked - last.acked) * 1000) / (at - last.at));
      last = { at, acked };
    }
    return stats();
  };
  if (mode === 'log') {
    const timer = setInterval(() => {
      const { sent, acked, errors } = sample();
      logger.info('progress', {
        sent,
        acked,
        errors,
        ackedPerSecond: rate,
        total: Number.isFinite(total) ? total : null,
      });
    }, LOG_EVERY_MS);
    return { stop: () => clearInterval(timer) };
  }
  const finite = Number.isFinite(total);
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: `${finite ? '{bar} {percentage}% | ' : ''}{rate} ${unit}/s | sent {sent} | acked {acked} | errors {errors} | {duration}s`,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  bar.start(finite ? total : 1, 0, { rate: 0, sent: 0, acked: 0, errors: 0 });
  const timer = setInterval(() => {
    const { sent, acked, errors } = sample();
    bar.update(finite ? acked + errors : 0, { rate, sent, acked, errors });
  }, 200);
  return {
    stop: () => {
      clearInterval(timer);
      const { sent, acked, errors } = stats();
      bar.update(finite ? acked + errors : 0, { rate, sent, acked, errors });
      bar.stop();
    },
  };
};
