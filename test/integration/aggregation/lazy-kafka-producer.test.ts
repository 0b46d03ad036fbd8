import { describe, expect, it, onTestFinished } from 'vitest';
import { LazyKafkaProducer } from '../../../functions/commons/lazy-kafka-producer.ts';
import { createTestTopic, testKafka } from '../helpers.ts';
import { readTopic } from './read-topic.ts';

/** A producer on the test broker with a clock the test moves. */
const producerWithClock = (maxIdleMs: number) => {
  const clock = { now: 1_000_000 };
  const producer = new LazyKafkaProducer(testKafka('test-lazy-producer'), {
    maxIdleMs,
    now: () => clock.now,
  });
  onTestFinished(() => producer.disconnect());
  return { producer, clock };
};

describe('LazyKafkaProducer', () => {
  it('opens one connection for sends that start together on a cold instance', async () => {
    // Prepare
    const topics = [await createTestTopic(1, 'lazy-a'), await createTestTopic(1, 'lazy-b')];
    const { producer } = producerWithClock(60_000);

    // Act
    await Promise.all(topics.map((topic) => producer.send({ topic, messages: [{ value: 'first' }] })));

    // Assert
    expect(producer.connectCount).toBe(1);
    for (const topic of topics) expect(await readTopic(topic, 1)).toHaveLength(1);
  });

  it('connects on the first send only, then reuses the connection', async () => {
    // Prepare
    const topic = await createTestTopic(1, 'lazy');
    const { producer, clock } = producerWithClock(60_000);
    const connectsBeforeSending = producer.connectCount;

    // Act
    for (let send = 0; send < 5; send += 1) {
      clock.now += 1_000;
      await producer.send({ topic, messages: [{ value: `m${send}` }] });
    }

    // Assert
    expect(connectsBeforeSending).toBe(0);
    expect(producer.connectCount).toBe(1);
    expect((await readTopic(topic, 5)).map((message) => message.value?.toString())).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
    ]);
  });

  it('reopens a connection idle for longer than a frozen instance can trust', async () => {
    // Prepare
    const topic = await createTestTopic(1, 'lazy');
    const { producer, clock } = producerWithClock(60_000);
    await producer.send({ topic, messages: [{ value: 'before' }] });

    // Act
    clock.now += 60_001;
    await producer.send({ topic, messages: [{ value: 'after' }] });

    // Assert
    expect(producer.connectCount).toBe(2);
    expect((await readTopic(topic, 2)).map((message) => message.value?.toString())).toEqual([
      'before',
      'after',
    ]);
  });

  it('connects again after its connection was closed', async () => {
    // Prepare
    const topic = await createTestTopic(1, 'lazy');
    const { producer } = producerWithClock(60_000);
    await producer.send({ topic, messages: [{ value: 'one' }] });
    await producer.disconnect();

    // Act
    await producer.send({ topic, messages: [{ value: 'two' }] });

    // Assert
    expect(producer.connectCount).toBe(2);
  });
});
