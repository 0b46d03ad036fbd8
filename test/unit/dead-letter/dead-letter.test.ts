import { createHash } from 'node:crypto';
import type { ProducerRecord } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  chunkMessages,
  type DeadLetter,
  DeadLetterCutHeader,
  DeadLetterHeader,
  DeadLetterPublishError,
  deadLetterHeaders,
  deadLetterMessage,
  KafkaDeadLetterPublisher,
  type KafkaSender,
  MAX_DETAIL_CHARS,
  recordBytes,
  sendBudgetOf,
} from '../../../services/dead-letter/index.ts';

const deadLetter = (overrides: Partial<DeadLetter> = {}): DeadLetter => ({
  reason: 'MALFORMED_JSON',
  detail: "Expected ',' or '}' after property value in JSON at position 19",
  source: {
    topic: 'clickstream-events',
    partition: 2,
    offset: 1041,
    timestamp: 1773480360040,
    timestampType: 'CREATE_TIME',
  },
  key: Buffer.from('user-7'),
  value: Buffer.from('{"type": "page_view"'),
  headers: [],
  ...overrides,
});

/** A sender that keeps what it is given; the real producer is exercised in integration tests. */
class RecordingSender implements KafkaSender {
  readonly records: ProducerRecord[] = [];
  failure: Error | undefined;

  async send(record: ProducerRecord): Promise<unknown> {
    if (this.failure) throw this.failure;
    this.records.push(record);
    return [];
  }
}

const text = (values: Buffer[] | undefined): string[] | undefined =>
  values?.map((value) => value.toString('utf8'));

describe('deadLetterHeaders', () => {
  it('names the reason, the detail and where the record came from', () => {
    // Act
    const headers = deadLetterHeaders(deadLetter());

    // Assert
    expect(Object.fromEntries(Object.entries(headers).map(([name, values]) => [name, text(values)]))).toEqual(
      {
        [DeadLetterHeader.Reason]: ['MALFORMED_JSON'],
        [DeadLetterHeader.Detail]: ["Expected ',' or '}' after property value in JSON at position 19"],
        [DeadLetterHeader.SourceTopic]: ['clickstream-events'],
        [DeadLetterHeader.SourcePartition]: ['2'],
        [DeadLetterHeader.SourceOffset]: ['1041'],
        [DeadLetterHeader.SourceTimestamp]: ['1773480360040'],
        [DeadLetterHeader.SourceTimestampType]: ['CREATE_TIME'],
      },
    );
  });

  it('carries the original headers, repeated names included', () => {
    // Prepare
    const letter = deadLetter({
      headers: [
        { name: 'traceparent', value: Buffer.from('00-abc-01') },
        { name: 'tag', value: Buffer.from('a') },
        { name: 'tag', value: Buffer.from('b') },
      ],
    });

    // Act
    const headers = deadLetterHeaders(letter);

    // Assert
    expect(text(headers.traceparent)).toEqual(['00-abc-01']);
    expect(text(headers.tag)).toEqual(['a', 'b']);
  });

  it('lets its own headers win over an original header of the same name', () => {
    // Act
    const headers = deadLetterHeaders(
      deadLetter({ headers: [{ name: DeadLetterHeader.Reason, value: Buffer.from('OLD') }] }),
    );

    // Assert
    expect(text(headers[DeadLetterHeader.Reason])).toEqual(['MALFORMED_JSON']);
  });

  it('cuts a long detail', () => {
    // Act
    const headers = deadLetterHeaders(deadLetter({ detail: 'x'.repeat(5000) }));

    // Assert
    expect(text(headers[DeadLetterHeader.Detail])?.[0]).toHaveLength(MAX_DETAIL_CHARS);
  });
});

describe('KafkaDeadLetterPublisher', () => {
  it('writes a batch of dead letters in one request, original bytes unchanged, acknowledged by all replicas', async () => {
    // Prepare
    const sender = new RecordingSender();
    const publisher = new KafkaDeadLetterPublisher(sender, 'clickstream-dlq');
    const letters = [deadLetter(), deadLetter({ key: null, value: null, reason: 'EMPTY_VALUE' })];

    // Act
    await publisher.publish(letters);

    // Assert
    expect(sender.records).toHaveLength(1);
    expect(sender.records[0]).toMatchObject({ topic: 'clickstream-dlq', acks: -1 });
    expect(sender.records[0]?.messages.map((message) => [message.key, message.value])).toEqual([
      [Buffer.from('user-7'), Buffer.from('{"type": "page_view"')],
      [null, null],
    ]);
  });

  it('sends nothing for a batch without poison records', async () => {
    // Prepare
    const sender = new RecordingSender();

    // Act
    await new KafkaDeadLetterPublisher(sender, 'clickstream-dlq').publish([]);

    // Assert
    expect(sender.records).toEqual([]);
  });

  it('fails with the cause when the producer fails, so that the batch is retried', async () => {
    // Prepare
    const sender = new RecordingSender();
    sender.failure = new Error('broker unreachable');

    // Act
    const result = new KafkaDeadLetterPublisher(sender, 'clickstream-dlq').publish([deadLetter()]);

    // Assert
    await expect(result).rejects.toBeInstanceOf(DeadLetterPublishError);
    await expect(result).rejects.toMatchObject({ cause: sender.failure });
  });
});

describe('a dead letter that always fits', () => {
  const limits = { maxMessageBytes: 64 * 1024 };

  it('keeps a small letter whole', () => {
    const letter = deadLetter();

    const message = deadLetterMessage(letter, limits);

    expect(message.value).toEqual(letter.value);
    expect(message.key).toEqual(letter.key);
    expect(message.headers?.[DeadLetterCutHeader.ValueBytes]).toBeUndefined();
  });

  it('cuts what does not fit the topic to an excerpt, with the length and digest of the whole', () => {
    const value = Buffer.alloc(1024 * 1024, 'x');
    const key = Buffer.alloc(200 * 1024, 'k');
    const headers = Array.from({ length: 100 }, (_, i) => ({
      name: `h-${i}`,
      value: Buffer.alloc(1024, 'h'),
    }));

    const message = deadLetterMessage(deadLetter({ value, key, headers }), limits);

    expect(recordBytes(message)).toBeLessThanOrEqual(sendBudgetOf(limits));
    const header = (name: string) => String(message.headers?.[name]);
    expect(header(DeadLetterCutHeader.ValueBytes)).toBe(String(value.length));
    expect(header(DeadLetterCutHeader.ValueSha256)).toBe(createHash('sha256').update(value).digest('hex'));
    expect(header(DeadLetterCutHeader.KeyBytes)).toBe(String(key.length));
    expect(Number(header(DeadLetterCutHeader.HeadersDropped))).toBeGreaterThan(0);
    expect(header(DeadLetterHeader.Reason)).toBe('MALFORMED_JSON');
    expect(header(DeadLetterHeader.SourceOffset)).toBe('1041');
  });

  it('sends a batch in requests that each stay within the topic and request limits, in order', async () => {
    const sender = new RecordingSender();
    const letters = Array.from({ length: 64 }, (_, offset) =>
      deadLetter({ value: Buffer.alloc(17 * 1024, 'y'), source: { ...deadLetter().source, offset } }),
    );

    await new KafkaDeadLetterPublisher(sender, 'clickstream-dlq', limits).publish(letters);

    expect(sender.records.length).toBeGreaterThan(1);
    for (const record of sender.records) {
      const bytes = record.messages.reduce((sum, message) => sum + recordBytes(message), 0);
      expect(bytes).toBeLessThanOrEqual(sendBudgetOf(limits));
    }
    const offsets = sender.records.flatMap((record) =>
      record.messages.map((message) => String(message.headers?.[DeadLetterHeader.SourceOffset])),
    );
    expect(offsets).toEqual(letters.map((letter) => String(letter.source.offset)));
  });

  it('chunks nothing it does not need to', () => {
    expect(chunkMessages([], 100)).toEqual([]);
  });
});
