/**
 * The tests' recording fakes of the services' ports: each keeps what it is given, so a test
 * asserts on what was published or measured. One set, shared by every service's tests.
 */
import type { MetricsSink } from '../../../services/commons/metrics-sink.ts';
import {
  type DeadLetter,
  DeadLetterPublishError,
  type DeadLetterPublisher,
} from '../../../services/dead-letter/index.ts';

/** A dead-letter publisher that keeps what it is given, and can be made to fail. */
export class RecordingDeadLetterPublisher implements DeadLetterPublisher {
  readonly letters: DeadLetter[] = [];
  failing = false;

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (this.failing) throw new DeadLetterPublishError('injected failure');
    this.letters.push(...letters);
  }
}

/** Metrics that keep what they are given, summed by name. */
export class RecordingMetrics implements MetricsSink {
  readonly values = new Map<string, number>();

  addMetric(name: string, _unit: unknown, value: number): void {
    this.values.set(name, (this.values.get(name) ?? 0) + value);
  }
}
