import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { INVOCATION_CHANNEL, type InvocationReport } from './invocation-report.ts';
import { countsBetween, type RequestCounter } from './request-counter.ts';

/** A Lambda handler as the event source mapping calls it. */
export type KafkaHandler = (event: unknown, context?: Context) => Promise<unknown>;

/**
 * The Kafka timestamps of an event's records. A plain walk rather than a schema: it runs in
 * the function's thread after every invocation, and the handler has validated the event.
 */
const recordTimestamps = (event: unknown): number[] => {
  const timestamps: number[] = [];
  const records: unknown =
    typeof event === 'object' && event !== null ? Reflect.get(event, 'records') : undefined;
  if (typeof records !== 'object' || records === null) return timestamps;
  for (const batch of Object.values(records)) {
    if (!Array.isArray(batch)) continue;
    for (const record of batch) {
      const timestamp: unknown =
        typeof record === 'object' && record !== null ? Reflect.get(record, 'timestamp') : undefined;
      if (typeof timestamp === 'number') timestamps.push(timestamp);
    }
  }
  return timestamps;
};

/**
 * Wraps a handler so that each invocation reports, on {@link INVOCATION_CHANNEL}: its
 * duration, its records' Kafka timestamps, and the DynamoDB requests `counter` saw. The
 * wrapped handler's behaviour and result are unchanged; the report is built after the
 * handler has settled, outside the measured duration.
 */
export const measured = (handler: KafkaHandler, scenario: string, counter: RequestCounter): KafkaHandler => {
  const channel = new BroadcastChannel(INVOCATION_CHANNEL);
  channel.unref();
  let invocations = 0;
  return async (event, context) => {
    const before = counter.snapshot();
    const startedAt = Date.now();
    const started = performance.now();
    let succeeded = false;
    try {
      const result = await handler(event, context);
      succeeded = true;
      return result;
    } finally {
      const durationMs = performance.now() - started;
      const endedAt = Date.now();
      const report: InvocationReport = {
        scenario,
        instance: threadId,
        coldStart: invocations === 0,
        startedAt,
        endedAt,
        durationMs,
        succeeded,
        recordTimestamps: recordTimestamps(event),
        requests: countsBetween(before, counter.snapshot()),
      };
      invocations += 1;
      channel.postMessage(report);
    }
  };
};
