import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Kafka } from 'kafkajs';
import UAParser from 'ua-parser-js';
import { ClickstreamSimulation } from '../../../load-generator/simulation.ts';
import { syntheticProfile } from '../../../load-generator/synthetic-profiles.ts';
import {
  aggregateBatch,
  DynamoDbAggregateStore,
  dayOf,
  minuteOf,
} from '../../../services/aggregation/index.ts';
import {
  type ClickstreamEvent,
  decodeEvent,
  EventDecodeError,
  linesRevenueCents,
} from '../../../services/clickstream/index.ts';
import { KafkaDeadLetterPublisher } from '../../../services/dead-letter/index.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';
import { segmentStatsPartition, segmentStatsSortKey } from '../../../services/segment-stats/index.ts';

/** What a short run produced, to compare the dashboard with. */
export interface ShortRun {
  /** Epoch ms of the last record: the dashboard is read "as of" this instant. */
  readonly endedAt: number;
  readonly produced: number;
  /** The records that are valid events, decoded. */
  readonly events: readonly ClickstreamEvent[];
  /** Records made bad on purpose: each one must end in the dead-letter topic. */
  readonly bad: number;
  /** The consumer group that stood in for the event source mapping. */
  readonly groupId: string;
}

export interface ShortRunSettings {
  readonly kafka: Kafka;
  readonly documentClient: DynamoDBDocumentClient;
  readonly analyticsTable: string;
  readonly eventsTopic: string;
  readonly deadLetterTopic: string;
  readonly minutes: number;
  /** Records per simulated second. */
  readonly rate: number;
  readonly seed: number;
}

const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const noMetrics = { addMetric: () => {} };

const MINUTE_MS = 60_000;

/**
 * The middle of the minute before `now`'s: the run's (and the dashboard's) clock. The current
 * minute then holds half a minute of traffic whenever the test runs; ending at `now` itself
 * left it empty when the run finished in the first seconds of a new minute.
 */
export const midMinuteBefore = (now: number): number =>
  Math.floor(now / MINUTE_MS) * MINUTE_MS - MINUTE_MS / 2;

/**
 * A short, real run of the pipeline's first half: the load generator's simulation (the last
 * `minutes` of traffic, ending half a minute into the previous minute) produced to a real topic, consumed by a consumer group and
 * aggregated into the analytics table by the aggregation service, poison records to the
 * dead-letter topic. A kafkajs consumer stands in for the event source mapping; the
 * aggregation code, the broker and the table are the real ones.
 */
export const runShortPipeline = async (settings: ShortRunSettings): Promise<ShortRun> => {
  const { kafka, eventsTopic, minutes, rate } = settings;
  const endedAt = midMinuteBefore(Date.now());
  const simulation = new ClickstreamSimulation({
    seed: settings.seed,
    startTime: endedAt - minutes * 60_000,
    rate,
    users: 400,
    botShare: 0.03,
    badRate: 0.01,
    sessionGapMs: 30_000,
  });
  const records = simulation.take(minutes * 60 * rate);
  const events: ClickstreamEvent[] = [];
  for (const record of records) {
    try {
      events.push(decodeEvent(record.value));
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
    }
  }

  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const groupId = `${eventsTopic}-aggregate-events`;
  const consumer = kafka.consumer({ groupId });
  try {
    for (let at = 0; at < records.length; at += 500) {
      await producer.send({
        topic: eventsTopic,
        acks: -1,
        messages: records.slice(at, at + 500).map((record) => ({
          key: record.key,
          value: record.value,
          timestamp: String(record.timestamp),
        })),
      });
    }
    const dependencies = {
      store: new DynamoDbAggregateStore(settings.documentClient, settings.analyticsTable),
      deadLetters: new KafkaDeadLetterPublisher(producer, settings.deadLetterTopic),
      logger: silent,
      metrics: noMetrics,
      retentionDays: 1,
      writeConcurrency: 16,
    };
    await consumer.connect();
    await consumer.subscribe({ topic: eventsTopic, fromBeginning: true });
    let consumed = 0;
    await new Promise<void>((done, fail) => {
      void consumer
        .run({
          eachBatch: async ({ batch }) => {
            const sourceRecords = batch.messages.map(
              (message): SourceRecord => ({
                topic: batch.topic,
                partition: batch.partition,
                offset: Number(message.offset),
                timestamp: Number(message.timestamp),
                timestampType: 'CREATE_TIME',
                key: message.key,
                value: message.value,
                headers: [],
              }),
            );
            await aggregateBatch(sourceRecords, dependencies);
            consumed += sourceRecords.length;
            if (consumed >= records.length) done();
          },
        })
        .catch(fail);
    });
  } finally {
    // Disconnecting commits the last batch's offsets, so the group's lag ends at zero.
    await consumer.disconnect();
    await producer.disconnect();
  }
  return {
    endedAt,
    produced: records.length,
    events,
    bad: records.length - events.length,
    groupId,
  };
};

/** One row of segment statistics as the dashboard reads it (docs/dashboard.md). */
export interface SegmentRow {
  readonly windowStart: string;
  readonly segment: string;
  readonly device: string;
  sessions: number;
  conversions: number;
  revenueCents: number;
  abandonedCarts: number;
  abandonedCartCents: number;
}

const WINDOW_MS = 5 * 60_000;

/** The value of an event: its order's (a purchase) or its product line's (a cart event). */
const centsOf = (event: ClickstreamEvent): number => {
  if (event.order !== null) return linesRevenueCents(event.order.lines);
  return event.product === null ? 0 : Math.round(event.product.price * 100) * event.product.quantity;
};

/**
 * Stands in for the enrichment loop, which is being written: sessions that closed (no event
 * for `gapMs` before `endedAt`) grouped by the user's segment (from the load generator's
 * profiles) and device, per 5-minute window, written in the item format the dashboard reads.
 */
export const writeSegmentStats = async (
  client: DynamoDBDocumentClient,
  table: string,
  run: ShortRun,
  seed: number,
  gapMs: number,
): Promise<SegmentRow[]> => {
  const sessions = new Map<string, ClickstreamEvent[]>();
  for (const event of run.events) {
    const list = sessions.get(event.sessionId) ?? [];
    list.push(event);
    sessions.set(event.sessionId, list);
  }
  const rows = new Map<string, SegmentRow>();
  for (const events of sessions.values()) {
    const last = Math.max(...events.map((event) => event.eventTime));
    const first = events[0];
    if (first === undefined || last > run.endedAt - gapMs) continue;
    const userIndex = /^user-(\d+)$/.exec(first.userId)?.[1];
    const segment = userIndex === undefined ? 'unknown' : syntheticProfile(seed, Number(userIndex)).segment;
    const device = new UAParser(first.userAgent).getDevice().type ?? 'desktop';
    const windowStart = minuteOf(Math.floor(last / WINDOW_MS) * WINDOW_MS);
    const key = `${windowStart}|${segment}|${device}`;
    const row = rows.get(key) ?? {
      windowStart,
      segment,
      device,
      sessions: 0,
      conversions: 0,
      revenueCents: 0,
      abandonedCarts: 0,
      abandonedCartCents: 0,
    };
    const purchases = events.filter((event) => event.type === 'purchase');
    const carts = events.filter((event) => event.type === 'add_to_cart');
    row.sessions += 1;
    if (purchases.length > 0) row.conversions += 1;
    row.revenueCents += purchases.reduce((sum, event) => sum + centsOf(event), 0);
    if (carts.length > 0 && purchases.length === 0) {
      row.abandonedCarts += 1;
      row.abandonedCartCents += carts.reduce((sum, event) => sum + centsOf(event), 0);
    }
    rows.set(key, row);
  }
  const items = [...rows.values()].map((row) => ({
    pk: segmentStatsPartition(dayOf(row.windowStart)),
    sk: segmentStatsSortKey(row.windowStart, row.segment, row.device),
    entity: 'SegmentStats',
    ...row,
    deviceClass: row.device,
  }));
  for (let at = 0; at < items.length; at += 25) {
    await client.send(
      new BatchWriteCommand({
        RequestItems: { [table]: items.slice(at, at + 25).map((item) => ({ PutRequest: { Item: item } })) },
      }),
    );
  }
  return [...rows.values()];
};
