import type { Context } from 'aws-lambda';
import { sourceRecordsOf } from '../../services/kafka/esm-event.ts';
import { isLambdaSinkPayload, sourceRecordsOfSinkPayload } from '../../services/kafka/lambda-sink-payload.ts';
import type { SourceRecord } from '../../services/kafka/record.ts';
import { logger, metrics, tracer } from './observability.ts';
import { type KafkaBatchResponse, processByPartition } from './partial-batch.ts';

/**
 * A Lambda handler for a Kafka event source mapping or the Lambda Sink connector: it resolves
 * with nothing (the whole batch succeeded) or, under ReportBatchItemFailures, with the
 * partitions to redeliver.
 */
export type KafkaBatchHandler = (
  event: unknown,
  context?: Context,
) => Promise<KafkaBatchResponse | undefined>;

/** How the edge answers the mapping. */
export interface KafkaBatchHandlerOptions {
  /**
   * The mapping has `FunctionResponseTypes: [ReportBatchItemFailures]` (provisioned mode only:
   * https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html). Then each
   * partition of a batch is processed on its own and a failed one is reported, not thrown.
   * Never set it for a mapping without that response type: Lambda ignores a partial response it
   * was not told to read and commits the whole batch, so the reported records would be lost.
   */
  readonly reportBatchItemFailures: boolean;
}

/**
 * The one shape every Kafka-triggered function here has: validate and decode the event
 * source mapping's payload, hand the records to one service call, flush the metrics. A
 * failure is logged and thrown, so that the mapping retries the whole batch and commits
 * nothing meanwhile: offsets are committed only after a successful invocation
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-msk-process.html). Services catch
 * what is poison themselves (dead letters) and let the batch succeed. Each invocation is an
 * X-Ray subsegment (`## handler`, annotated with cold start and service) holding the AWS SDK
 * calls, as Powertools' `captureLambdaHandler` would make it.
 *
 * The same edge reads the payload of Confluent's Lambda Sink connector (a JSON array of
 * records, services/kafka/lambda-sink-payload.ts), so a connector can feed any of the
 * functions with the same per-record poison rule and the same effectively-once writes: the
 * records carry their topic, partition and offset, which is all the watermarks need. A
 * failure thrown to the connector fails its task (`behavior.on.error: fail`,
 * connectors/lambda-sink.ts); restarted, it redelivers from its last committed offsets.
 */
export const kafkaBatchHandler =
  (
    processRecords: (records: SourceRecord[]) => Promise<unknown>,
    options: KafkaBatchHandlerOptions = { reportBatchItemFailures: false },
  ): KafkaBatchHandler =>
  async (event, context) => {
    if (context !== undefined) logger.addContext(context);
    const segment = tracer.getSegment();
    const subsegment = segment?.addNewSubsegment('## handler');
    if (subsegment !== undefined) tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      // The connector has no partial response: a failure fails its task (see above).
      if (isLambdaSinkPayload(event)) {
        await processRecords(sourceRecordsOfSinkPayload(event));
        return undefined;
      }
      const records = sourceRecordsOf(event);
      if (!options.reportBatchItemFailures) {
        await processRecords(records);
        return undefined;
      }
      return await reportFailedPartitions(records, processRecords);
    } catch (error) {
      logger.error('batch failed; the event source mapping will retry it', {
        error,
        ...(isLambdaSinkPayload(event) ? { invokedBy: 'lambda-sink-connector' } : {}),
      });
      if (error instanceof Error) tracer.addErrorAsMetadata(error);
      throw error;
    } finally {
      subsegment?.close();
      if (segment !== undefined) tracer.setSegment(segment);
      metrics.publishStoredMetrics();
    }
  };

/**
 * Processes a batch partition by partition (partial-batch.ts) and answers with the failed ones;
 * when every partition failed, throws the first error instead, as a whole failed batch does.
 */
const reportFailedPartitions = async (
  records: readonly SourceRecord[],
  processRecords: (records: SourceRecord[]) => Promise<unknown>,
): Promise<KafkaBatchResponse | undefined> => {
  const outcome = await processByPartition(records, processRecords);
  const [first] = outcome.errors;
  if (first === undefined) return undefined;
  if (outcome.errors.length === outcome.partitions) throw first.error;
  for (const { partition, error } of outcome.errors) {
    logger.error('partition failed; reported to the event source mapping for redelivery', {
      partition,
      error,
    });
  }
  return outcome.response;
};
