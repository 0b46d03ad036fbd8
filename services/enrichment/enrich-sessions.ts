import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Message } from 'kafkajs';
import { PROCESSING_FAILED } from '../commons/errors.ts';
import type { MetricsSink } from '../commons/metrics-sink.ts';
import {
  chunkMessages,
  DEFAULT_DEAD_LETTER_TOPIC_LIMITS,
  type DeadLetter,
  type DeadLetterPublisher,
  deadLetterOf,
  type KafkaSender,
  recordBytes,
  sendBudgetOf,
} from '../dead-letter/index.ts';
import { type SourceRecord, UNREADABLE_RECORD } from '../kafka/record.ts';
import { isSinkRefusal, sinkMessageOf, type TopicLimits } from '../limits/index.ts';
import type { ProfileLookup, ProfileStore } from '../profiles/index.ts';
import { cartAbandonedOf, describeSession, withProfile } from './enriched-session.ts';
import { EnrichedEventPublishError } from './errors.ts';
import { lineageHeaders } from './lineage.ts';
import { decodeSessionRecord, type Session } from './session-record.ts';
import type { UserAgentParser } from './user-agent.ts';

/** The one thing enrichment needs from the profile store: a batch read. */
export type ProfileReader = Pick<ProfileStore, 'getProfiles'>;

/** The topics enriched events go to; both must exist. */
export interface EnrichmentTopics {
  readonly sessionsEnriched: string;
  readonly cartAbandoned: string;
}

/** What {@link enrichSessionBatch} needs, passed in by the entry point. */
export interface EnrichmentDependencies {
  readonly profiles: ProfileReader;
  /** The instance's Kafka producer (built once, connected lazily). */
  readonly producer: KafkaSender;
  readonly topics: EnrichmentTopics;
  /**
   * What each output topic accepts, read at init (functions/commons/clients/topic-limits.ts);
   * the broker's default `max.message.bytes` when not given.
   */
  readonly topicLimits?: { readonly [K in keyof EnrichmentTopics]: TopicLimits };
  readonly deadLetters: DeadLetterPublisher;
  readonly userAgents: UserAgentParser;
  readonly logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
  readonly metrics: MetricsSink;
}

/** What a batch did, for logs, metrics and tests. */
export interface EnrichmentSummary {
  readonly records: number;
  /** Rows deleted by a session merge: skipped, never enriched. */
  readonly tombstones: number;
  /** Undecodable records, dead-lettered with their reason. */
  readonly poison: number;
  readonly enriched: number;
  readonly cartsAbandoned: number;
  /** Sessions of users without a profile, enriched with the "unknown" segment. */
  readonly unknownProfiles: number;
  /** Sessions of users whose stored profile is invalid, also enriched as "unknown". */
  readonly invalidProfiles: number;
}

/** Metric names, one per {@link EnrichmentSummary} count worth watching. */
export const EnrichmentMetric = {
  SessionsEnriched: 'SessionsEnriched',
  CartsAbandoned: 'CartsAbandoned',
  SessionTombstones: 'SessionTombstones',
  SessionsDeadLettered: 'SessionsDeadLettered',
  ProfilesUnknown: 'ProfilesUnknown',
  ProfilesInvalid: 'ProfilesInvalid',
} as const;

interface SourcedSession {
  readonly record: SourceRecord;
  readonly session: Session;
}

const messageOf = (
  event: { readonly eventId: string; readonly type: string; readonly userId: string },
  { record, session }: SourcedSession,
): Message => ({
  key: event.userId,
  value: JSON.stringify(event),
  // The session's end is the event's time, as ksqlDB stamps its own windowed output.
  timestamp: String(session.windowEnd),
  headers: lineageHeaders(event, record, session),
});

/**
 * The most one record may take in each output topic: what the topic's own `max.message.bytes`
 * accepts, within one produce request. A session whose enriched record would be larger (a
 * landing page or user id of a megabyte) is dead-lettered, never sent to be refused.
 */
const outputBudgets = (
  limits: EnrichmentDependencies['topicLimits'],
): Record<keyof EnrichmentTopics, number> => ({
  sessionsEnriched: sendBudgetOf(limits?.sessionsEnriched ?? DEFAULT_DEAD_LETTER_TOPIC_LIMITS),
  cartAbandoned: sendBudgetOf(limits?.cartAbandoned ?? DEFAULT_DEAD_LETTER_TOPIC_LIMITS),
});

/** A message to produce and the session record it was made from. */
interface Outgoing {
  readonly message: Message;
  readonly record: SourceRecord;
}

/** A record whose message the topic refused, with the broker's answer. */
interface Refused {
  readonly record: SourceRecord;
  readonly error: unknown;
}

/**
 * Produces messages in order, in requests cut under the topic's limits. A request the broker
 * refuses as sent (MESSAGE_TOO_LARGE and kin: services/limits/sink-refusal.ts; say the topic's
 * limit was lowered after init) is sent again one message at a time, and the messages refused
 * alone are returned, not thrown: their records are poison, not a retry. Any other failure throws.
 */
const send = async (
  producer: KafkaSender,
  topic: string,
  outgoing: readonly Outgoing[],
  budget: number,
): Promise<Refused[]> => {
  const refused: Refused[] = [];
  const produce = async (messages: Message[]): Promise<void> => {
    // acks -1: an acknowledged event is on every in-sync replica before the batch succeeds.
    await producer.send({ topic, acks: -1, messages });
  };
  try {
    let at = 0;
    for (const chunk of chunkMessages(
      outgoing.map(({ message }) => message),
      budget,
    )) {
      const sources = outgoing.slice(at, at + chunk.length);
      at += chunk.length;
      try {
        await produce(chunk);
      } catch (error) {
        if (!isSinkRefusal(error)) throw error;
        for (const one of sources) {
          await produce([one.message]).catch((alone: unknown) => {
            if (!isSinkRefusal(alone)) throw alone;
            refused.push({ record: one.record, error: alone });
          });
        }
      }
    }
  } catch (error) {
    throw new EnrichedEventPublishError(`could not write ${outgoing.length} event(s) to ${topic}`, {
      cause: error,
    });
  }
  return refused;
};

/** Reads a batch's records: closed sessions, tombstones counted, the rest dead-lettered with their reason. */
const decodeRecords = (
  records: readonly SourceRecord[],
  logger: EnrichmentDependencies['logger'],
): { sessions: SourcedSession[]; deadLetters: DeadLetter[]; tombstones: number } => {
  const sessions: SourcedSession[] = [];
  const deadLetters: DeadLetter[] = [];
  let tombstones = 0;
  for (const record of records) {
    if (record.defect !== undefined) {
      deadLetters.push(deadLetterOf(record, UNREADABLE_RECORD, record.defect));
      continue;
    }
    const decoded = decodeSessionRecord(record);
    if (decoded.kind === 'tombstone') tombstones += 1;
    else if (decoded.kind === 'session') sessions.push({ record, session: decoded.session });
    else {
      deadLetters.push(deadLetterOf(record, decoded.error.reason, decoded.error.message));
      logger.warn('session record dead-lettered', {
        reason: decoded.error.reason,
        detail: decoded.error.message,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
      });
    }
  }
  return { sessions, deadLetters, tombstones };
};

/** A session's output messages: its enriched event, and its cart-abandoned event if any. */
interface SessionOutputs {
  readonly record: SourceRecord;
  readonly enriched: Message;
  readonly abandoned?: Message;
}

const outputsOf = (enriched: ReturnType<typeof withProfile>, sourced: SourcedSession): SessionOutputs => {
  const abandoned = cartAbandonedOf(enriched);
  return {
    record: sourced.record,
    enriched: messageOf(enriched, sourced),
    ...(abandoned === undefined ? {} : { abandoned: messageOf(abandoned, sourced) }),
  };
};

/**
 * Keeps the sessions whose every output fits its topic (the topic's own `max.message.bytes`);
 * the others are dead-lettered, naming the topic, never sent to be refused.
 */
const withinBudgets = (
  outputs: readonly SessionOutputs[],
  topics: EnrichmentTopics,
  budgets: Record<keyof EnrichmentTopics, number>,
): { enriched: Outgoing[]; abandoned: Outgoing[]; tooLarge: DeadLetter[] } => {
  const enriched: Outgoing[] = [];
  const abandoned: Outgoing[] = [];
  const tooLarge: DeadLetter[] = [];
  for (const output of outputs) {
    const over = [
      { topic: topics.sessionsEnriched, message: output.enriched, budget: budgets.sessionsEnriched },
      ...(output.abandoned === undefined
        ? []
        : [{ topic: topics.cartAbandoned, message: output.abandoned, budget: budgets.cartAbandoned }]),
    ]
      .map((each) => ({ ...each, bytes: recordBytes(each.message) }))
      .find(({ bytes, budget }) => bytes > budget);
    if (over !== undefined) {
      const detail = `its record for ${over.topic} takes ${over.bytes} bytes; the topic accepts ${over.budget}`;
      tooLarge.push(deadLetterOf(output.record, PROCESSING_FAILED, detail));
      continue;
    }
    enriched.push({ message: output.enriched, record: output.record });
    if (output.abandoned !== undefined) abandoned.push({ message: output.abandoned, record: output.record });
  }
  return { enriched, abandoned, tooLarge };
};

/**
 * Produces the enriched and cart-abandoned events, and dead-letters (once per record) a session
 * whose event a topic refused alone: a refusal is per record and topic, what the other topic took
 * stands.
 */
const produceOutputs = async (
  { producer, topics, logger }: EnrichmentDependencies,
  enriched: readonly Outgoing[],
  abandoned: readonly Outgoing[],
  budgets: Record<keyof EnrichmentTopics, number>,
): Promise<{ enriched: number; cartsAbandoned: number; refused: DeadLetter[] }> => {
  // One send at a time, each acknowledged before the next starts: the instance's connection
  // is opened once (concurrent first sends made LazyKafkaProducer reconnect: 3 connects).
  const refusedEnriched = await send(producer, topics.sessionsEnriched, enriched, budgets.sessionsEnriched);
  const refusedAbandoned = await send(producer, topics.cartAbandoned, abandoned, budgets.cartAbandoned);
  const refused = new Map<SourceRecord, DeadLetter>();
  for (const { record, error } of [...refusedEnriched, ...refusedAbandoned]) {
    if (refused.has(record)) continue;
    const detail = `the broker refused its enriched record: ${sinkMessageOf(error)}`;
    logger.warn('enriched record refused by the broker; session dead-lettered', {
      detail,
      offset: record.offset,
    });
    refused.set(record, deadLetterOf(record, PROCESSING_FAILED, detail));
  }
  return {
    enriched: enriched.length - refusedEnriched.length,
    cartsAbandoned: abandoned.length - refusedAbandoned.length,
    refused: [...refused.values()],
  };
};

/**
 * Enriches a batch of rows from the user-sessions topic and produces the results.
 *
 * Each row with a value is a closed session: it is joined with its user's profile (one
 * batch read for the whole batch; no profile means segment "unknown"), its user agent and
 * the facts derived from its counts, then written to the sessions-enriched topic, and to
 * the cart-abandoned topic when its cart was left behind. Tombstones are skipped;
 * undecodable records are dead-lettered with their reason.
 *
 * Delivery is at least once: a failure to produce throws (the event source mapping retries
 * the batch), and the retry re-sends events with the same deterministic ids.
 *
 * @throws {EnrichedEventPublishError} when events could not be produced (retriable).
 * @throws {DeadLetterPublishError} when dead letters could not be written (retriable).
 * @throws {ProfileStoreError} when the profiles could not be read (retriable).
 */
export const enrichSessionBatch = async (
  records: readonly SourceRecord[],
  dependencies: EnrichmentDependencies,
): Promise<EnrichmentSummary> => {
  const { logger, metrics, topics } = dependencies;
  const { sessions, deadLetters, tombstones } = decodeRecords(records, logger);

  // The profile read goes out first, and describing the sessions (CPU) overlaps its latency;
  // the request is only written once the event loop turns, hence the yield before describing.
  const [{ profiles, invalid }, described] = await Promise.all([
    sessions.length > 0
      ? dependencies.profiles.getProfiles(sessions.map(({ session }) => session.userId))
      : Promise.resolve<ProfileLookup>({ profiles: new Map(), invalid: [] }),
    yieldToEventLoop().then(() =>
      sessions.map((sourced) => ({
        sourced,
        base: describeSession(sourced.session, dependencies.userAgents.parse(sourced.session.row.USER_AGENT)),
      })),
    ),
  ]);
  const invalidUsers = new Set(invalid.map((entry) => entry.userId));
  for (const entry of invalid) {
    logger.warn('stored profile is invalid; session enriched as unknown', { ...entry });
  }

  const budgets = outputBudgets(dependencies.topicLimits);
  let unknownProfiles = 0;
  let invalidProfiles = 0;
  const outputs = described.map(({ sourced, base }) => {
    const profile = profiles.get(sourced.session.userId);
    if (profile === undefined) {
      if (invalidUsers.has(sourced.session.userId)) invalidProfiles += 1;
      else unknownProfiles += 1;
    }
    return outputsOf(withProfile(base, profile), sourced);
  });
  const { enriched, abandoned, tooLarge } = withinBudgets(outputs, topics, budgets);
  deadLetters.push(...tooLarge);
  const produced = await produceOutputs(dependencies, enriched, abandoned, budgets);
  deadLetters.push(...produced.refused);
  await dependencies.deadLetters.publish(deadLetters);

  const summary: EnrichmentSummary = {
    records: records.length,
    tombstones,
    poison: deadLetters.length,
    enriched: produced.enriched,
    cartsAbandoned: produced.cartsAbandoned,
    unknownProfiles,
    invalidProfiles,
  };
  metrics.addMetric(EnrichmentMetric.SessionsEnriched, MetricUnit.Count, summary.enriched);
  metrics.addMetric(EnrichmentMetric.CartsAbandoned, MetricUnit.Count, summary.cartsAbandoned);
  metrics.addMetric(EnrichmentMetric.SessionTombstones, MetricUnit.Count, summary.tombstones);
  metrics.addMetric(EnrichmentMetric.SessionsDeadLettered, MetricUnit.Count, summary.poison);
  metrics.addMetric(EnrichmentMetric.ProfilesUnknown, MetricUnit.Count, summary.unknownProfiles);
  metrics.addMetric(EnrichmentMetric.ProfilesInvalid, MetricUnit.Count, summary.invalidProfiles);
  logger.info('session batch enriched', { ...summary });
  return summary;
};
