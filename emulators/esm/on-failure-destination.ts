/**
 * Records a mapping gives up on — retries exhausted, older than MaximumRecordAgeInSeconds,
 * failed schema validation — go to its `kafka://` on-failure destination, one message per
 * record with the failure metadata and the record itself in `payload`, keyed like the record
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html); without a
 * destination they are dropped, as Lambda does, and logged.
 */
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { buildKafkaEvent, type EventSourceIdentity } from '../../services/kafka/esm-event.ts';
import { sourceIdOf } from '../../services/kafka/record.ts';
import type { ToolLog } from '../../tooling/logger.ts';
import type { BufferedRecord } from './batch-planner.ts';
import type { DeliveryHistory, DeliveryLedger } from './delivery-ledger.ts';
import { SchemaValidationFailure } from './schema-registry.ts';
import type { EventSourceMapping, FunctionDefinition } from './serverless-config.ts';
import { SystemEventType, type SystemLog } from './system-log.ts';

/** Why records were given up on, as the on-failure record's `requestContext.condition` says it. */
export const GiveUpCondition = {
  RetriesExhausted: 'RetriesExhausted',
  // The Kafka pages name no condition for expired records; Lambda's stream sources (Kinesis,
  // DynamoDB) report this one (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html).
  RecordAgeExceeded: 'RecordMaximumAgeExceeded',
  // A record that fails schema validation is never delivered as if valid: it goes to the
  // on-failure destination (or is dropped and logged) with the reason code of "How Lambda
  // performs schema validation" (services-consume-kafka-events.html), and the partition moves on.
  SchemaNotFound: SchemaValidationFailure.SchemaNotFound,
  DeserializationError: SchemaValidationFailure.DeserializationError,
} as const;
export type GiveUpCondition = (typeof GiveUpCondition)[keyof typeof GiveUpCondition];

/** True for the conditions of records that failed schema validation (either reason code). */
export const isSchemaValidationCondition = (condition: string): boolean =>
  (Object.values(SchemaValidationFailure) as string[]).includes(condition);

/**
 * The on-failure record of one record: `requestContext` names the last invocation that carried
 * it and how many did (a record no invocation carried — schema validation, expired before its
 * first try — gets a fresh id and 0).
 */
export const onFailureRecord = (input: {
  readonly record: BufferedRecord;
  readonly identity: EventSourceIdentity;
  readonly functionArn: string;
  readonly condition: GiveUpCondition;
  readonly history: DeliveryHistory;
  readonly now: Date;
}): Record<string, unknown> => {
  const { record, identity, history } = input;
  const payload = buildKafkaEvent(identity, [{ key: sourceIdOf(record.source), records: [record.event] }]);
  return {
    requestContext: {
      requestId: history.lastRequestId ?? randomUUID(),
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: history.invocations,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: input.now.toISOString(),
    KafkaBatchInfo: {
      batchSize: 1,
      ...(identity.eventSource === 'aws:kafka' ? { eventSourceArn: identity.eventSourceArn } : {}),
      bootstrapServers: identity.bootstrapServers,
      payloadSize: Buffer.byteLength(JSON.stringify(payload)),
      recordInfo: {
        offset: String(record.source.offset),
        timestamp: new Date(record.source.timestamp).toISOString(),
      },
    },
    payload,
  };
};

/** What giving up came to, for the mapping's counters. */
export interface GiveUpResult {
  readonly toDestination: number;
  readonly dropped: number;
  readonly destinationErrors: number;
}

/** Gives records up for one mapping. */
export class FailureDestination {
  readonly #options: FailureDestinationOptions;

  constructor(options: FailureDestinationOptions) {
    this.#options = options;
  }

  /** Sends (or drops) `records`; never throws: a failed send counts them dropped. */
  async giveUp(records: readonly BufferedRecord[], condition: GiveUpCondition): Promise<GiveUpResult> {
    const { mapping, fn, log, system, ledger } = this.#options;
    const coordinates = records.map((record) => `${sourceIdOf(record.source)}@${record.source.offset}`);
    system.warn(SystemEventType.Processing, 'records given up on', {
      condition,
      destination: mapping.onFailureTopic === undefined ? null : `kafka://${mapping.onFailureTopic}`,
      records: coordinates,
    });
    if (mapping.onFailureTopic === undefined) {
      log.error(droppedMessage(condition), {
        mapping: mapping.uuid,
        function: fn.key,
        condition,
        records: records.map(
          (record, i) => `${coordinates[i]} (${ledger.of(record.source).invocations} invocations)`,
        ),
      });
      return { toDestination: 0, dropped: records.length, destinationErrors: 0 };
    }
    const functionArn = `arn:aws:lambda:${fn.region}:000000000000:function:${fn.name}:$LATEST`;
    const messages = records.map((record) => ({
      key: record.source.key,
      value: JSON.stringify(
        onFailureRecord({
          record,
          identity: this.#options.identity,
          functionArn,
          condition,
          history: ledger.of(record.source),
          now: new Date(),
        }),
      ),
    }));
    try {
      const producer = await this.#options.producer();
      await producer.send({ topic: mapping.onFailureTopic, messages });
      return { toDestination: records.length, dropped: 0, destinationErrors: 0 };
    } catch (error) {
      log.error('could not write to the on-failure destination', {
        mapping: mapping.uuid,
        topic: mapping.onFailureTopic,
        error: error instanceof Error ? error.message : String(error),
      });
      return { toDestination: 0, dropped: records.length, destinationErrors: 1 };
    }
  }
}

/** The options of a {@link FailureDestination}. */
export interface FailureDestinationOptions {
  readonly mapping: EventSourceMapping;
  readonly fn: FunctionDefinition;
  readonly identity: EventSourceIdentity;
  readonly ledger: DeliveryLedger;
  readonly log: ToolLog;
  readonly system: SystemLog;
  /** The shared producer for `kafka://` destinations (connected by the caller). */
  readonly producer: () => Promise<Producer>;
}

const droppedMessage = (condition: GiveUpCondition): string =>
  condition === GiveUpCondition.RetriesExhausted
    ? 'records dropped after exhausting retries'
    : condition === GiveUpCondition.RecordAgeExceeded
      ? 'records dropped: older than MaximumRecordAgeInSeconds'
      : 'records dropped: they failed schema validation';
