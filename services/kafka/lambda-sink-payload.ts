import { z } from 'zod';
import { AppError } from '../commons/errors.ts';
import { KafkaEventError } from './errors.ts';
import { type SourceRecord, TimestampType } from './record.ts';

/*
 * The invocation payload of Confluent's AWS Lambda Sink connector, in one place for the local
 * stand-in (emulators/lambda-sink, which builds it) and the functions' edge (which reads it).
 *
 * The connector "pulls records from one or more Apache Kafka topics, converts them to JSON,
 * and executes an AWS Lambda function" with up to `aws.lambda.batch.size` records (default
 * 20) per invocation:
 * https://docs.confluent.io/kafka-connectors/aws-lambda/current/overview.html,
 * https://docs.confluent.io/kafka-connectors/aws-lambda/current/lambda_sink_connector_config.html,
 * https://docs.confluent.io/cloud/current/connectors/cc-aws-lambda-sink.html.
 * The payload is a JSON array with one element per record,
 * `{ "payload": { "timestamp", "topic", "partition", "offset", "key", "value" } }`, key and
 * value as the configured converters made them (a string with StringConverter, the JSON
 * value itself with JsonConverter or Cloud's `input.data.format: JSON`). Headers are not sent.
 */

/** One record as the connector sends it. */
export interface LambdaSinkRecord {
  readonly payload: {
    readonly timestamp: number | null;
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly key: unknown;
    readonly value: unknown;
  };
}

/** How the connector's converter turned a record's bytes into the payload's `key`/`value`. */
export const SinkValueFormat = {
  /** StringConverter: the UTF-8 text, whatever it holds. */
  String: 'string',
  /** JsonConverter (schemas.enable=false) / Cloud's input.data.format JSON: the parsed value. */
  Json: 'json',
} as const;
export type SinkValueFormat = (typeof SinkValueFormat)[keyof typeof SinkValueFormat];

/** A value the JSON converter could not convert: Connect's error handling takes it, not the function. */
export class SinkConversionError extends AppError {
  readonly code: string = 'SINK_CONVERSION';
}

const convert = (bytes: Buffer | null, format: SinkValueFormat): unknown => {
  if (bytes === null) return null;
  const text = bytes.toString('utf8');
  if (format === SinkValueFormat.String) return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SinkConversionError(error instanceof Error ? error.message : String(error), { cause: error });
  }
};

/**
 * A consumed record in the connector's payload form.
 *
 * @throws {SinkConversionError} when `format` is JSON and the key or value is not JSON.
 */
export const toLambdaSinkRecord = (record: SourceRecord, format: SinkValueFormat): LambdaSinkRecord => ({
  payload: {
    timestamp: record.timestampType === TimestampType.NoTimestampType ? null : record.timestamp,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: convert(record.key, SinkValueFormat.String),
    value: convert(record.value, format),
  },
});

const SinkRecordSchema = z.object({
  payload: z.object({
    timestamp: z.number().int().nullish(),
    topic: z.string().min(1),
    partition: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    key: z.unknown(),
    value: z.unknown(),
  }),
});

/** Whether an invocation payload is the connector's (a JSON array) rather than an ESM event. */
export const isLambdaSinkPayload = (event: unknown): event is readonly unknown[] => Array.isArray(event);

/**
 * The bytes of a converted field: a string is its UTF-8 text (StringConverter), anything else
 * the JSON the converter parsed, serialized again (JsonConverter: the same event, maybe not
 * the same bytes), null stays null.
 */
const bytesOf = (field: unknown): Buffer | null => {
  if (field === null || field === undefined) return null;
  return Buffer.from(typeof field === 'string' ? field : JSON.stringify(field), 'utf8');
};

/**
 * Flattens the connector's payload into records, in payload order (the connector keeps each
 * partition's order in sync mode). The connector sends no headers and no timestamp type: a
 * record with a timestamp is taken as CREATE_TIME, the topics' default.
 *
 * @throws {KafkaEventError} when the payload is not an array of connector records: without
 *   topic, partition and offset there is nothing to dead-letter a record by.
 */
export const sourceRecordsOfSinkPayload = (event: unknown): SourceRecord[] => {
  const parsed = z.array(SinkRecordSchema).safeParse(event);
  if (!parsed.success) {
    throw new KafkaEventError(`not a Lambda Sink connector payload: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data.map(({ payload }) => ({
    topic: payload.topic,
    partition: payload.partition,
    offset: payload.offset,
    timestamp: payload.timestamp ?? -1,
    timestampType:
      payload.timestamp === null || payload.timestamp === undefined
        ? TimestampType.NoTimestampType
        : TimestampType.CreateTime,
    key: bytesOf(payload.key),
    value: bytesOf(payload.value),
    headers: [],
  }));
};
