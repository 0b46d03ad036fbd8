import { z } from 'zod';

/**
 * The channel bench handlers report their invocations on. A `BroadcastChannel` of
 * node:worker_threads reaches every thread of the process, so a handler running in one of
 * the ESM emulator's worker-thread environments can tell the benchmark what it did without
 * touching stdout (which the emulator forwards) or the file system.
 */
export const INVOCATION_CHANNEL = 'clickstream-bench-pipeline-invocations';

const Counts = z.object({
  writeRequests: z.number(),
  readRequests: z.number(),
  writeUnits: z.number(),
  readUnits: z.number(),
});

/** One invocation, as measured inside the function instance. */
export const InvocationReportSchema = z.object({
  /** Which benchmark scenario the instance belongs to (BENCH_SCENARIO). */
  scenario: z.string(),
  /** The worker thread: one per execution environment. */
  instance: z.number().int(),
  /** True on the instance's first invocation. */
  coldStart: z.boolean(),
  /** Epoch ms when the handler was called and when its promise settled. */
  startedAt: z.number(),
  endedAt: z.number(),
  /** Handler duration (monotonic clock), what Lambda bills. */
  durationMs: z.number(),
  succeeded: z.boolean(),
  /** The Kafka timestamp (epoch ms) of every record of the batch. */
  recordTimestamps: z.array(z.number()),
  /** DynamoDB requests the invocation made. */
  requests: Counts,
});
export type InvocationReport = z.infer<typeof InvocationReportSchema>;
