import type { ProducerRecord } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  type DeadLetter,
  DeadLetterHeader,
  DeadLetterPublishError,
  deadLetterHeaders,
  KafkaDeadLetterPublisher,
  type KafkaSender,
  MAX_DETAIL_CHARS,
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
