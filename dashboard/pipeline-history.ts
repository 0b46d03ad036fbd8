import { PipelineStatsSchema, type PipelineStatsSource } from './pipeline-stats.ts';
import type { PipelineSample } from './snapshot.ts';

/** Samples kept at most; past that every other one is dropped, so the whole run stays in view. */
const MAX_SAMPLES = 480;

/**
 * The pipeline's lag and event pollers per mapping over the dashboard's whole run, sampled
 * on the server from the moment it starts (a page opened later still sees the beginning).
 * When the samples fill up, every other one is dropped and the interval doubles: the chart
 * keeps covering the run at a coarser step, like a CloudWatch graph over a longer range.
 */
export class PipelineHistoryRecorder {
  readonly #source: PipelineStatsSource;
  readonly #clock: () => number;
  #intervalMs: number;
  #samples: PipelineSample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(source: PipelineStatsSource, options: { intervalMs: number; clock?: () => number }) {
    this.#source = source;
    this.#intervalMs = options.intervalMs;
    this.#clock = options.clock ?? Date.now;
  }

  /** Takes a sample now, then one per interval until {@link stop}. */
  start(): void {
    void this.sample();
    this.#schedule();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      void this.sample().finally(() => {
        if (this.#timer !== undefined) this.#schedule();
      });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** Reads the source once and keeps the figures; a failed read leaves a gap. */
  async sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const stats = PipelineStatsSchema.parse(await this.#source());
      const lag: Record<string, number> = {};
      const pollers: Record<string, number> = {};
      for (const mapping of stats.mappings) {
        lag[mapping.name] = mapping.lag;
        if (mapping.pollers !== null) pollers[mapping.name] = mapping.pollers;
      }
      this.#samples.push({ at: this.#clock(), lag, pollers });
      if (this.#samples.length > MAX_SAMPLES) {
        this.#samples = this.#samples.filter((_, index) => index % 2 === 0);
        this.#intervalMs *= 2;
      }
    } catch {
      // The snapshot says why the pipeline is unreadable; the history just has no point here.
    } finally {
      this.#busy = false;
    }
  }

  /** The samples so far, oldest first. */
  samples(): PipelineSample[] {
    return [...this.#samples];
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
