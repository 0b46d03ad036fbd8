import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { INVOCATION_CHANNEL, type InvocationReport } from './invocation-report.ts';
import { countsBetween, type RequestCounter } from './request-counter.ts';

/** A Lambda handler as the event source mapping calls it. */
export type KafkaHandler = (event: unknown, context?: Context) => Promise<unknown>;

const TimestampsOnly = z.object({
  records: z.record(z.string(), z.array(z.object({ timestamp: z.number() }))),
});

/**
 * Wraps a handler so that each invocation reports, on {@link INVOCATION_CHANNEL}: its
 * duration, its records' Kafka timestamps, and the DynamoDB requests `counter` saw. The
 * wrapped handler's behaviour and result are unchanged; the report is built after the
 * handler has settled, outside the measured duration.
 */
export const measured = (handler: KafkaHandler, scenario: string, counter: RequestCounter): KafkaHandler => {
  // Called at the top level of the handler module, once its imports have been evaluated:
  // the thread's age now is the init phase.
  const initMs = performance.now();
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
      const parsed = TimestampsOnly.safeParse(event);
      const report: InvocationReport = {
        scenario,
        instance: threadId,
        coldStart: invocations === 0,
        initMs,
        startedAt,
        endedAt,
        durationMs,
        succeeded,
        recordTimestamps: parsed.success
          ? Object.values(parsed.data.records).flatMap((records) => records.map((r) => r.timestamp))
          : [],
        requests: countsBetween(before, counter.snapshot()),
      };
      invocations += 1;
      channel.postMessage(report);
    }
  };
};
