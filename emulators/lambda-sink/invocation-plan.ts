/**
 * The pure core of the stand-in: how the records a task polled become invocations. No I/O.
 */
import {
  type LambdaSinkRecord,
  SinkConversionError,
  type SinkValueFormat,
  toLambdaSinkRecord,
} from '../../services/kafka/lambda-sink-payload.ts';
import type { SourceRecord } from '../../services/kafka/record.ts';

/**
 * Lambda's invocation payload limits: 6 MB synchronous (RequestResponse), 1 MB asynchronous
 * (Event). https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html
 */
export const PAYLOAD_LIMIT_BYTES = { sync: 6 * 1024 * 1024, async: 1024 * 1024 } as const;

/** One invocation: the records it carries and the payload they make. */
export interface PlannedInvocation {
  readonly records: readonly SourceRecord[];
  readonly payload: readonly LambdaSinkRecord[];
  readonly payloadBytes: number;
}

/** A record the converter refused: Connect's error handling takes it (errors.tolerance=all). */
export interface UnconvertedRecord {
  readonly record: SourceRecord;
  readonly reason: string;
}

/** The invocations of one polled batch of one partition, and the records left out. */
export interface InvocationPlan {
  readonly invocations: readonly PlannedInvocation[];
  readonly unconverted: readonly UnconvertedRecord[];
}

/**
 * Cuts one partition's polled records, in offset order, into invocations of at most
 * `batchSize` records (`aws.lambda.batch.size`: "the maximum number of Kafka records to
 * combine in a single AWS Lambda function invocation"). Records the converter refuses are
 * set aside, not invoked.
 */
export const planInvocations = (
  records: readonly SourceRecord[],
  batchSize: number,
  format: SinkValueFormat,
): InvocationPlan => {
  const invocations: PlannedInvocation[] = [];
  const unconverted: UnconvertedRecord[] = [];
  let current: { records: SourceRecord[]; payload: LambdaSinkRecord[] } = { records: [], payload: [] };
  const flush = (): void => {
    if (current.records.length === 0) return;
    invocations.push({
      ...current,
      payloadBytes: Buffer.byteLength(JSON.stringify(current.payload), 'utf8'),
    });
    current = { records: [], payload: [] };
  };
  for (const record of records) {
    let converted: LambdaSinkRecord;
    try {
      converted = toLambdaSinkRecord(record, format);
    } catch (error) {
      if (!(error instanceof SinkConversionError)) throw error;
      unconverted.push({ record, reason: error.message });
      continue;
    }
    current.records.push(record);
    current.payload.push(converted);
    if (current.records.length >= batchSize) flush();
  }
  flush();
  return { invocations, unconverted };
};
