import { Logger } from '@aws-lambda-powertools/logger';
import fc from 'fast-check';
import type { ProducerRecord } from 'kafkajs';
import { isRetriable } from '../../../services/commons/errors.ts';
import type { DeadLetter, DeadLetterPublisher, KafkaSender } from '../../../services/dead-letter/index.ts';
import { enrichSessionBatch, UserAgentParser } from '../../../services/enrichment/index.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';
import { aSessionKey, aSessionRecord, aSessionRow } from '../factories/session-row.ts';
import { refuseOverBrokerLimits } from '../fakes/kafka-limits.ts';
import type { FuzzVerdict } from './harness.ts';

/**
 * The enrich-sessions path under the same rule as the aggregation (docs/effectively-once.md):
 * every session record ends enriched (produced), a tombstone, or dead-lettered, and no input
 * makes the batch throw. The producer fake refuses what a broker with default limits refuses
 * (services/limits: a record batch over `max.message.bytes`, a request over
 * `max.request.size`) as kafkajs reports it (`type` MESSAGE_TOO_LARGE).
 */

class LimitedSender implements KafkaSender {
  readonly sent: ProducerRecord[] = [];

  async send(record: ProducerRecord): Promise<unknown> {
    refuseOverBrokerLimits(record);
    this.sent.push(record);
    return [];
  }
}

class KeepingPublisher implements DeadLetterPublisher {
  readonly letters: DeadLetter[] = [];
  async publish(letters: readonly DeadLetter[]): Promise<void> {
    this.letters.push(...letters);
  }
}

const silent = new Logger({ logLevel: 'SILENT' });
const parser = new UserAgentParser();

/** Session records of one batch: ordinary, odd (long, multibyte, surrogates) and huge fields. */
export const sessionBatchArb = (maxRecords = 80): fc.Arbitrary<SourceRecord[]> =>
  fc
    .array(
      fc.record({
        userId: fc.oneof(
          fc.string({ minLength: 1, maxLength: 64 }),
          fc.string({ unit: 'binary', minLength: 2000, maxLength: 4000 }),
        ),
        userAgent: fc.oneof(
          { weight: 5, arbitrary: fc.string({ maxLength: 300 }) },
          { weight: 1, arbitrary: fc.integer({ min: 20_000, max: 1_200_000 }).map((n) => 'M'.repeat(n)) },
        ),
        entry: fc.option(
          fc.oneof(
            { weight: 5, arbitrary: fc.string({ unit: 'binary', maxLength: 3000 }) },
            {
              weight: 1,
              arbitrary: fc.integer({ min: 1_000_000, max: 1_100_000 }).map((n) => `/${'p'.repeat(n)}`),
            },
          ),
        ),
        addToCarts: fc.integer({ min: 0, max: 3 }),
        tombstone: fc.boolean(),
      }),
      { maxLength: maxRecords },
    )
    .map((rows) =>
      rows.map((row, offset) =>
        aSessionRecord(
          aSessionKey({ userId: row.userId }),
          row.tombstone && offset % 5 === 0
            ? null
            : aSessionRow({ USER_AGENT: row.userAgent, ENTRY_PAGE: row.entry, ADD_TO_CARTS: row.addToCarts }),
          { offset },
        ),
      ),
    );

/** Runs one batch through enrich-sessions and checks the rule. */
export const fuzzEnrichment = async (records: readonly SourceRecord[]): Promise<FuzzVerdict> => {
  const producer = new LimitedSender();
  const deadLetters = new KeepingPublisher();
  let summary: Awaited<ReturnType<typeof enrichSessionBatch>>;
  try {
    summary = await enrichSessionBatch(records, {
      profiles: { getProfiles: async () => ({ profiles: new Map(), invalid: [] }) },
      producer,
      topics: { sessionsEnriched: 'sessions-enriched', cartAbandoned: 'cart-abandoned' },
      deadLetters,
      userAgents: parser,
      logger: silent,
      metrics: { addMetric: () => {} },
    });
  } catch (error) {
    return { kind: isRetriable(error) ? 'stall' : 'crash', error };
  }
  const enriched = producer.sent
    .filter((sent) => sent.topic === 'sessions-enriched')
    .reduce((sum, sent) => sum + sent.messages.length, 0);
  if (enriched + summary.tombstones + deadLetters.letters.length !== records.length) {
    return {
      kind: 'violation',
      detail: `${records.length} records: ${enriched} enriched, ${summary.tombstones} tombstones, ${deadLetters.letters.length} dead-lettered`,
    };
  }
  return {
    kind: 'ok',
    outcomes: new Map([
      ['ENRICHED', enriched],
      ['TOMBSTONE', summary.tombstones],
      ...deadLetters.letters.reduce(
        (counts, letter) => counts.set(letter.reason, (counts.get(letter.reason) ?? 0) + 1),
        new Map<string, number>(),
      ),
    ]),
  };
};
