import { BroadcastChannel } from 'node:worker_threads';
import { INVOCATION_CHANNEL, type InvocationReport, InvocationReportSchema } from './invocation-report.ts';

/**
 * Collects the invocation reports the bench handlers post from the emulator's worker
 * threads, by scenario. Reports that do not match the schema are counted, not kept.
 */
export class InvocationRecorder {
  readonly #channel = new BroadcastChannel(INVOCATION_CHANNEL);
  readonly #reports = new Map<string, InvocationReport[]>();
  #rejected = 0;

  constructor() {
    this.#channel.onmessage = (message) => {
      const parsed = InvocationReportSchema.safeParse(message.data);
      if (!parsed.success) {
        this.#rejected += 1;
        return;
      }
      const list = this.#reports.get(parsed.data.scenario) ?? [];
      list.push(parsed.data);
      this.#reports.set(parsed.data.scenario, list);
    };
  }

  /** Reports received for `scenario`, in arrival order. */
  reportsOf(scenario: string): readonly InvocationReport[] {
    return this.#reports.get(scenario) ?? [];
  }

  /** Messages on the channel that were not invocation reports. */
  get rejected(): number {
    return this.#rejected;
  }

  close(): void {
    this.#channel.close();
  }
}
