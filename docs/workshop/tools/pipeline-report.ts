import { z } from 'zod';
import { decodeEvent, EventDecodeError } from '../../../services/clickstream/index.ts';
import { DeadLetterHeader } from '../../../services/dead-letter/index.ts';

/** What the events topic holds, classified by the decoder the aggregation function uses. */
export interface EventsTally {
  readonly records: number;
  readonly valid: number;
  /** Poison records per decode failure (MALFORMED_JSON, SCHEMA_INVALID, OVERSIZED, EMPTY_VALUE). */
  readonly poison: Readonly<Record<string, number>>;
  /** Earliest and latest `eventTime` of the valid events (epoch ms), undefined without events. */
  readonly eventTimes: { readonly first: number; readonly last: number } | undefined;
}

/** Classifies record values exactly as `aggregate-events` does: valid event or poison, and why. */
export const tallyEvents = (values: Iterable<Buffer | null>): EventsTally => {
  let records = 0;
  let valid = 0;
  const poison: Record<string, number> = {};
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    records += 1;
    try {
      const event = decodeEvent(value);
      valid += 1;
      first = Math.min(first, event.eventTime);
      last = Math.max(last, event.eventTime);
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      poison[error.reason] = (poison[error.reason] ?? 0) + 1;
    }
  }
  return { records, valid, poison, eventTimes: valid === 0 ? undefined : { first, last } };
};

/** The sum of a tally's poison records. */
export const poisonTotal = (tally: EventsTally): number =>
  Object.values(tally.poison).reduce((sum, n) => sum + n, 0);

/** The dead-letter topic, read as the demo's conservation check reads it. */
export interface DeadLetterTally {
  readonly letters: number;
  /**
   * Distinct source records (topic, partition, offset). The dead-letter path is at least once
   * (docs/effectively-once.md), so this, not {@link letters}, is what must match the poison count.
   */
  readonly distinctSources: number;
  readonly byReason: Readonly<Record<string, { readonly count: number; readonly example: string }>>;
}

/** Counts dead letters by their `dlq-reason` header and by distinct source record. */
export const tallyDeadLetters = (
  letters: Iterable<{ readonly headers: Readonly<Record<string, string>> }>,
): DeadLetterTally => {
  let count = 0;
  const sources = new Set<string>();
  const byReason: Record<string, { count: number; example: string }> = {};
  for (const { headers } of letters) {
    count += 1;
    const source = `${headers[DeadLetterHeader.SourceTopic]}-${headers[DeadLetterHeader.SourcePartition]}@${headers[DeadLetterHeader.SourceOffset]}`;
    sources.add(source);
    const reason = headers[DeadLetterHeader.Reason] ?? '(no reason header)';
    const entry = byReason[reason];
    if (entry === undefined) {
      byReason[reason] = { count: 1, example: `${source}: ${headers[DeadLetterHeader.Detail] ?? ''}` };
    } else {
      entry.count += 1;
    }
  }
  return { letters: count, distinctSources: sources.size, byReason };
};

/** The fields of the aggregation function's "batch aggregated" log line the summary adds up. */
const BatchLogSchema = z.object({
  message: z.literal('batch aggregated'),
  records: z.number(),
  events: z.number(),
  poison: z.number(),
  itemsAlreadyApplied: z.number(),
  watermarkConflicts: z.number(),
  writeRequests: z.number(),
  readRequests: z.number(),
  writeUnits: z.number(),
  readUnits: z.number(),
});

/** The function's own line for a batch it threw on (the emulator logs a "batch failed" of its own). */
const FailedBatchLogSchema = z.object({
  message: z.literal('batch failed; the event source mapping will retry it'),
  function_name: z.string(),
});

/** What the aggregation function's own logs say about the invocations of a run. */
export interface BatchLogSummary {
  /** Invocations that succeeded (one "batch aggregated" line each). */
  readonly succeeded: number;
  /** Invocations that threw (the event source mapping retries them). */
  readonly failed: number;
  readonly records: number;
  readonly meanBatch: number;
  readonly maxBatch: number;
  readonly writeRequests: number;
  readonly readRequests: number;
  /** Write and read request units DynamoDB reported: what the table bills. */
  readonly writeUnits: number;
  readonly readUnits: number;
  /** Items a redelivered batch found already holding its records (the watermark said so). */
  readonly itemsAlreadyApplied: number;
  readonly watermarkConflicts: number;
}

/** The lines of a log that are JSON, parsed; plain text and broken lines are skipped. */
function* jsonLines(lines: Iterable<string>): Generator<unknown> {
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      yield JSON.parse(line);
    } catch {
      // not a structured line
    }
  }
}

/**
 * Adds up the structured log lines of `aggregate-events` (what CloudWatch Logs would hold);
 * other lines (EMF metrics, other functions, plain text) are skipped.
 */
export const summarizeBatchLogs = (lines: Iterable<string>): BatchLogSummary => {
  const batches: z.infer<typeof BatchLogSchema>[] = [];
  let failed = 0;
  for (const json of jsonLines(lines)) {
    const batch = BatchLogSchema.safeParse(json);
    if (batch.success) batches.push(batch.data);
    else if (FailedBatchLogSchema.safeParse(json).success) failed += 1;
  }
  const sum = (field: keyof z.infer<typeof BatchLogSchema>) =>
    batches.reduce((total, batch) => total + Number(batch[field]), 0);
  const records = sum('records');
  return {
    succeeded: batches.length,
    failed,
    records,
    meanBatch: batches.length === 0 ? 0 : records / batches.length,
    maxBatch: batches.reduce((max, batch) => Math.max(max, batch.records), 0),
    writeRequests: sum('writeRequests'),
    readRequests: sum('readRequests'),
    writeUnits: sum('writeUnits'),
    readUnits: sum('readUnits'),
    itemsAlreadyApplied: sum('itemsAlreadyApplied'),
    watermarkConflicts: sum('watermarkConflicts'),
  };
};

const PollerLogSchema = z.object({
  message: z.literal('event pollers scaled'),
  timestamp: z.string(),
  function: z.string(),
  pollers: z.number().int(),
  pendingPollers: z.number().int().optional(),
  reason: z.string(),
});

/** One change the emulator logged: a decision (pending) or its taking effect. */
export interface PollerStep {
  /** Seconds since the first scaling line of the log. */
  readonly atSeconds: number;
  readonly function: string;
  readonly pollers: number;
  readonly pending: number | undefined;
  readonly reason: string;
}

/** The event pollers of a run, from the ESM emulator's "event pollers scaled" lines. */
export interface PollerSummary {
  readonly steps: readonly PollerStep[];
  /** The most pollers that ran at once (1 when no line scaled anything: on-demand starts with one). */
  readonly peak: number;
  readonly last: number;
  /** Where the last decision was taking the pollers, if it had not applied yet. */
  readonly pending: number | undefined;
  readonly scaledOut: boolean;
  readonly scaledIn: boolean;
}

/** Reads the emulator's scaling log lines (emulators/esm/poller.ts); other lines are skipped. */
export const summarizePollerLogs = (lines: Iterable<string>): PollerSummary => {
  const steps: PollerStep[] = [];
  let first: number | undefined;
  for (const json of jsonLines(lines)) {
    const parsed = PollerLogSchema.safeParse(json);
    if (!parsed.success) continue;
    const at = Date.parse(parsed.data.timestamp);
    first ??= at;
    steps.push({
      atSeconds: Math.round((at - first) / 1000),
      function: parsed.data.function,
      pollers: parsed.data.pollers,
      pending: parsed.data.pendingPollers,
      reason: parsed.data.reason,
    });
  }
  const running = steps.map((step) => step.pollers);
  return {
    steps,
    peak: Math.max(1, ...running),
    last: running.at(-1) ?? 1,
    pending: steps.at(-1)?.pending,
    scaledOut: steps.some((step) => step.reason === 'lag-high'),
    scaledIn: steps.some((step) => step.reason === 'lag-low' || step.reason === 'throttled'),
  };
};

/** The pipeline's books: nothing lost, nothing counted twice. */
export interface Conservation {
  readonly valid: number;
  readonly counted: number;
  readonly poison: number;
  readonly deadLetters: number;
  /** valid = counted and poison = distinct dead letters. */
  readonly conserved: boolean;
}

/** Compares what went in with what came out. */
export const conservation = (
  events: EventsTally,
  counted: number,
  deadLetters: DeadLetterTally,
): Conservation => {
  const poison = poisonTotal(events);
  return {
    valid: events.valid,
    counted,
    poison,
    deadLetters: deadLetters.distinctSources,
    conserved: events.valid === counted && poison === deadLetters.distinctSources,
  };
};

const EnrichedIdSchema = z.object({ eventId: z.string().min(1) });

/** The enrichment loop's books: closed sessions in, enriched sessions out. */
export interface SessionTally {
  /** Closed sessions ksql wrote (tombstones of merged sessions are not sessions). */
  readonly closed: number;
  /** Distinct enriched sessions (by `eventId`, stable per session). */
  readonly enriched: number;
  /** Enriched records beyond the distinct ones: redeliveries, which consumers de-duplicate. */
  readonly duplicates: number;
  readonly cartAbandoned: number;
  /** Every closed session enriched (closed = distinct enriched). */
  readonly conserved: boolean;
}

/**
 * Compares the closed sessions (values of clickstream-user-sessions) with the enriched ones
 * (values of clickstream-sessions-enriched), de-duplicating on `eventId` as docs/enrichment.md
 * tells consumers to.
 */
export const tallySessions = (
  sessionValues: Iterable<Buffer | null>,
  enrichedValues: Iterable<Buffer | null>,
  cartAbandoned: number,
): SessionTally => {
  let closed = 0;
  for (const value of sessionValues) if (value !== null) closed += 1;
  let records = 0;
  const ids = new Set<string>();
  for (const value of enrichedValues) {
    records += 1;
    let json: unknown;
    try {
      json = JSON.parse(value?.toString('utf8') ?? 'null');
    } catch {
      continue;
    }
    const parsed = EnrichedIdSchema.safeParse(json);
    if (parsed.success) ids.add(parsed.data.eventId);
  }
  return {
    closed,
    enriched: ids.size,
    duplicates: records - ids.size,
    cartAbandoned,
    conserved: closed === ids.size,
  };
};
