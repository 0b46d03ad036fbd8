import { describe, expect, it } from 'vitest';
import { readSinkConnector } from '../../../emulators/lambda-sink/connector-config.ts';
import { planInvocations } from '../../../emulators/lambda-sink/invocation-plan.ts';
import { SinkValueFormat } from '../../../services/kafka/lambda-sink-payload.ts';
import { type SourceRecord, TimestampType } from '../../../services/kafka/record.ts';

const records = (values: readonly string[]): SourceRecord[] =>
  values.map((value, offset) => ({
    topic: 'clickstream-events',
    partition: 0,
    offset,
    timestamp: 1000 + offset,
    timestampType: TimestampType.CreateTime,
    key: null,
    value: Buffer.from(value),
    headers: [],
  }));

describe('planInvocations', () => {
  it('cuts a partition into invocations of aws.lambda.batch.size records, in offset order', () => {
    // Act
    const plan = planInvocations(records(['1', '2', '3', '4', '5']), 2, SinkValueFormat.String);

    // Assert
    expect(plan.invocations.map((i) => i.records.map((r) => r.offset))).toEqual([[0, 1], [2, 3], [4]]);
    expect(plan.invocations[0]?.payloadBytes).toBe(
      Buffer.byteLength(JSON.stringify(plan.invocations[0]?.payload)),
    );
    expect(plan.unconverted).toEqual([]);
  });

  it('sets aside what the JSON converter refuses and invokes the rest', () => {
    // Act
    const plan = planInvocations(records(['{"a":1}', 'not json', '2']), 20, SinkValueFormat.Json);

    // Assert
    expect(plan.invocations.map((i) => i.records.map((r) => r.offset))).toEqual([[0, 2]]);
    expect(plan.unconverted.map((u) => u.record.offset)).toEqual([1]);
  });
});

describe('readSinkConnector', () => {
  it('reads what npm run connector prints, with the connector defaults for what it leaves out', () => {
    // Act
    const settings = readSinkConnector({
      name: 'clickstream-local-aggregate-events-lambda-sink',
      config: {
        topics: 'clickstream-events',
        'aws.lambda.function.name':
          'arn:aws:lambda:eu-west-1:123456789012:function:clickstream-local-aggregate-events:live',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'errors.deadletterqueue.topic.name': 'clickstream-connector-errors',
      },
    });

    // Assert
    expect(settings).toEqual({
      name: 'clickstream-local-aggregate-events-lambda-sink',
      topics: ['clickstream-events'],
      functionName: 'clickstream-local-aggregate-events',
      invocationType: 'sync',
      batchSize: 20,
      behaviorOnError: 'log',
      valueFormat: SinkValueFormat.String,
      errorTopic: 'clickstream-connector-errors',
    });
  });

  it('names a bad setting', () => {
    expect(() =>
      readSinkConnector({
        name: 'x',
        config: { topics: 't', 'aws.lambda.function.name': 'f', 'aws.lambda.batch.size': '0' },
      }),
    ).toThrow(/aws\.lambda\.batch\.size must be a positive whole number/);
  });
});
