/**
 * The fault matrix end to end (issue 13): the aggregation path as deployed — the event
 * source mapping emulator, the bundled aggregate-events function, the real broker, dynalite —
 * under faults a fake cannot show, each checked by exact conservation: every valid record
 * counted once (the table equals the totals folded from the records) and every bad one
 * dead-lettered with its coordinates. What each fault exercises is in docs/effectively-once.md
 * ("Faults, end to end").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { type KafkaCluster, startKafka } from '../../../local/kafka/launcher.ts';
import { pollUntil } from '../../../tooling/poll.ts';
import { testBrokers } from '../helpers.ts';
import {
  type AggregationPipeline,
  clickstreamRecords,
  startAggregationPipeline,
} from './aggregation-pipeline.ts';
import { startEnrichmentPipeline } from './enrichment-pipeline.ts';
import { startTcpProxy } from './tcp-proxy.ts';

const dynamodbEndpoint = (): string => inject('dynamodbEndpoint');

const started = async (pipeline: Promise<AggregationPipeline>): Promise<AggregationPipeline> => {
  const running = await pipeline;
  onTestFinished(() => running.stop());
  return running;
};

const mapping = (pipeline: AggregationPipeline) => {
  const stats = pipeline.emulator.stats().mappings[0];
  if (stats === undefined) throw new Error('the pipeline has no mapping');
  return stats;
};

const proxyToDynamo = async () => {
  const url = new URL(dynamodbEndpoint());
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  onTestFinished(() => proxy.stop());
  return proxy;
};

describe('the aggregation path under DynamoDB faults', () => {
  it('conserves exactly when DynamoDB is unreachable for 10 s in the middle of the load', async () => {
    // Prepare
    const proxy = await proxyToDynamo();
    const pipeline = await started(
      startAggregationPipeline({
        brokers: testBrokers(),
        dynamodbEndpoint: dynamodbEndpoint(),
        functionDynamodbEndpoint: proxy.endpoint,
      }),
    );
    const records = clickstreamRecords(3_000, 0.02, 11);
    await pipeline.produce(records.slice(0, 1_500));
    await pollUntil(async () => (mapping(pipeline).invocations > 0 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 50,
      what: 'the first invocation',
    });

    // Act: every connection dropped, and every new one, for 10 s, while more records arrive.
    proxy.cut(10_000);
    await pipeline.produce(records.slice(1_500));
    await pipeline.drain(90_000);

    // Assert
    expect(mapping(pipeline).failed, 'invocations failed by the outage').toBeGreaterThan(0);
    await pipeline.expectConserved(records);
  }, 150_000);

  it('conserves exactly when the function times out after part of its writes', async () => {
    // Prepare: every DynamoDB answer held 2 s. A page bucket is a read, then a write sent
    // when the read answers, so a batch needs at least 4 s and outlasts a 3 s timeout after
    // its funnel updates and first requests have landed, before its dead letters are sent.
    const proxy = await proxyToDynamo();
    proxy.delayAnswers(2_000);
    const pipeline = await started(
      startAggregationPipeline({
        brokers: testBrokers(),
        dynamodbEndpoint: dynamodbEndpoint(),
        functionDynamodbEndpoint: proxy.endpoint,
        partitions: 1,
        timeoutMs: 3_000,
      }),
    );
    const records = clickstreamRecords(1_500, 0.02, 12);

    // Act
    await pipeline.produce(records);
    await pollUntil(async () => (mapping(pipeline).timeouts > 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'a timed-out invocation',
    });
    const itemsAfterTimeout = await pipeline.itemCount();
    proxy.delayAnswers(0);
    await pipeline.drain(90_000);

    // Assert: the timed-out attempt had written part of its batch, and the retry, which
    // wrote it all again, counted nothing twice.
    expect(itemsAfterTimeout, 'items written before the timeout').toBeGreaterThan(0);
    await pipeline.expectConserved(records);
  }, 150_000);
});

describe('the aggregation path under broker faults', () => {
  let dataDir: string;
  let cluster: KafkaCluster | undefined;
  const IDLE_MS = 3_000;

  const startBroker = async (port?: number): Promise<KafkaCluster> =>
    startKafka({
      dataDir,
      ...(port === undefined ? {} : { preferredPort: port }),
      heapMb: 384,
      // The broker closes connections idle for longer than this (connections.max.idle.ms,
      // https://kafka.apache.org/documentation/#brokerconfigs_connections.max.idle.ms).
      extraProperties: { 'connections.max.idle.ms': String(IDLE_MS) },
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fault-kafka-'));
    cluster = await startBroker();
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("conserves exactly when the producer's idle connection is closed by the broker", async () => {
    // Prepare: dead letters go through the function's one producer; the broker closes its
    // connection when it idles, long before the producer's own 5-minute idle limit.
    const brokers = cluster?.brokers ?? [];
    const pipeline = await started(
      startAggregationPipeline({ brokers, dynamodbEndpoint: dynamodbEndpoint(), partitions: 1 }),
    );
    const records = clickstreamRecords(2_000, 0.05, 13);
    await pipeline.produce(records.slice(0, 1_000));
    await pipeline.drain();

    // Act: the producer's connection idles past the broker's limit, then more bad records.
    await new Promise((resolve) => setTimeout(resolve, 3 * IDLE_MS));
    await pipeline.produce(records.slice(1_000));
    await pipeline.drain();

    // Assert
    await pipeline.expectConserved(records);
  }, 120_000);

  it("enriches every closed session exactly when the producer Lambda's idle connection is closed by the broker", async () => {
    // Prepare
    const brokers = cluster?.brokers ?? [];
    const pipeline = await startEnrichmentPipeline({ brokers, dynamodbEndpoint: dynamodbEndpoint() });
    onTestFinished(() => pipeline.stop());
    await pipeline.produceSessions(0, 300);
    await pipeline.drain();

    // Act: the producer idles past the broker's limit; the next sessions need it again.
    await new Promise((resolve) => setTimeout(resolve, 3 * IDLE_MS));
    await pipeline.produceSessions(300, 300);
    await pipeline.drain();

    // Assert: sessions closed = enriched; both poison rows dead-lettered.
    await pipeline.expectConserved(600, 2);
  }, 120_000);

  it('conserves exactly when the broker is stopped and restarted under load', async () => {
    // Prepare
    const brokers = cluster?.brokers ?? [];
    const port = Number(brokers[0]?.split(':')[1]);
    const pipeline = await started(
      startAggregationPipeline({ brokers, dynamodbEndpoint: dynamodbEndpoint(), batchSize: 200 }),
    );
    const records = clickstreamRecords(4_000, 0.02, 14);
    await pipeline.produce(records.slice(0, 2_500));
    await pollUntil(async () => (mapping(pipeline).invocations > 0 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 20,
      what: 'the first invocation',
    });

    // Act: the broker goes down while the mapping works through the backlog, and comes back
    // on the same port with the same data.
    const deliveredAtStop = mapping(pipeline).recordsDelivered;
    await cluster?.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    cluster = await startBroker(port);
    expect(cluster.brokers).toEqual(brokers);
    await pipeline.produce(records.slice(2_500));
    await pipeline.drain(120_000);

    // Assert
    expect(deliveredAtStop, 'records delivered when the broker stopped').toBeLessThan(2_500);
    await pipeline.expectConserved(records);
  }, 240_000);
});
