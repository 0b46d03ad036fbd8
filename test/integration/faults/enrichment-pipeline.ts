import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { createTables } from '../../../local/dynamodb/tables.ts';
import { localDynamoClient } from '../../../local/stack/stack.ts';
import { deadLetterSourceKey } from '../../../services/dead-letter/index.ts';
import { EnrichedEventType, sessionEventId } from '../../../services/enrichment/index.ts';
import { createKafkaClient } from '../../../services/kafka/client.ts';
import { plaintextConnection } from '../../../services/kafka/connection.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';
import { readTopic } from '../../../services/kafka/topic-reader.ts';
import { createTopics } from '../../../services/kafka/topics.ts';
import { silentLogger } from '../../../tooling/logger.ts';
import { aSessionKey, aSessionRecord, aSessionTombstone } from '../../support/factories/session-row.ts';
import { produceRecords, startMappedFunction } from './mapped-function.ts';

/**
 * The producer Lambda end to end for the fault matrix: closed-session rows (as ksqlDB writes
 * them) on a real topic, functions/enrich-sessions as deployed behind the emulated mapping,
 * producing enriched sessions to the real broker. Conservation: every closed session enriched
 * (one distinct event id each; a retried batch may repeat a record with the same id and
 * bytes), tombstones produce nothing, every undecodable row is dead-lettered.
 */
export interface EnrichmentPipeline {
  /** Produces closed sessions `from`…`from + count − 1`, with a tombstone and a poison row among them. */
  produceSessions(from: number, count: number): Promise<void>;
  drain(timeoutMs?: number): Promise<void>;
  /** Asserts that sessions 0…`count − 1` were each enriched and the poison rows dead-lettered. */
  expectConserved(count: number, poisonRows: number): Promise<void>;
  stop(): Promise<void>;
}

const userOf = (index: number): string => `user-${String(index).padStart(5, '0')}`;
const keyOf = (index: number) =>
  aSessionKey({ userId: userOf(index), windowStart: Date.now() - 600_000, windowEnd: Date.now() - 300_000 });

export const startEnrichmentPipeline = async (options: {
  readonly brokers: readonly string[];
  readonly dynamodbEndpoint: string;
}): Promise<EnrichmentPipeline> => {
  const id = randomUUID().slice(0, 8);
  const topics = {
    sessions: `faults-${id}-sessions`,
    enriched: `faults-${id}-enriched`,
    abandoned: `faults-${id}-abandoned`,
    dlq: `faults-${id}-dlq`,
  };
  const kafka = createKafkaClient(plaintextConnection(options.brokers), {
    clientId: 'fault-matrix',
    log: silentLogger,
  });
  await createTopics(
    kafka,
    Object.values(topics).map((topic) => ({ topic, partitions: 1 })),
  );
  const dynamo = localDynamoClient(options.dynamodbEndpoint);
  const tables = { analytics: `faults-${id}-analytics`, userProfiles: `faults-${id}-profiles` };
  await createTables(dynamo, tables);
  const mapped = await startMappedFunction({
    brokers: options.brokers,
    dynamodbEndpoint: options.dynamodbEndpoint,
    functionKey: 'enrich-sessions',
    handler: 'functions/enrich-sessions/handler.handler',
    environment: {
      USER_PROFILES_TABLE: tables.userProfiles,
      SESSIONS_ENRICHED_TOPIC: topics.enriched,
      CART_ABANDONED_TOPIC: topics.abandoned,
      DLQ_TOPIC: topics.dlq,
    },
    topic: topics.sessions,
    batchSize: 100,
    windowSeconds: 1,
  });
  const windowStarts = new Map<string, number>();
  const toProduce = (record: SourceRecord) => ({
    key: record.key === null ? null : Buffer.from(record.key),
    value: record.value === null ? null : Buffer.from(record.value),
    timestamp: String(Date.now()),
  });

  return {
    produceSessions: async (from, count) => {
      const records: SourceRecord[] = [];
      for (let index = from; index < from + count; index += 1) {
        const key = keyOf(index);
        windowStarts.set(key.userId, key.windowStart);
        records.push(aSessionRecord(key));
      }
      // A session merged away by ksqlDB (nothing to produce) and a row nothing can decode.
      records.push(aSessionTombstone(keyOf(from + count + 1_000_000)));
      records.push({ ...aSessionRecord(keyOf(from)), value: Buffer.from('{"EVENTS":"many"}') });
      await produceRecords(kafka, topics.sessions, records.map(toProduce));
    },
    drain: (timeoutMs) => mapped.drain(timeoutMs),
    expectConserved: async (count, poisonRows) => {
      const enriched = await readTopic(kafka, topics.enriched);
      const ids = new Set(
        enriched.map((record) => String((JSON.parse(String(record.value)) as { eventId: unknown }).eventId)),
      );
      const expected = new Set(
        Array.from({ length: count }, (_, index) => {
          const userId = userOf(index);
          return sessionEventId(EnrichedEventType.SessionEnriched, userId, windowStarts.get(userId) ?? 0);
        }),
      );
      expect(ids).toEqual(expected);
      const deadLetters = await readTopic(kafka, topics.dlq);
      const coordinates = new Set(deadLetters.map((r) => deadLetterSourceKey(r.headers)));
      expect(coordinates.size, 'poison rows dead-lettered, each with its coordinates').toBe(poisonRows);
    },
    stop: async () => {
      await mapped.emulator.stop();
      dynamo.destroy();
    },
  };
};
