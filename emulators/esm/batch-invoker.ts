/**
 * Invoking the function with one batch: the Kafka event built from the batch's records, the
 * function's response read as a partial batch response when the mapping reports item failures
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html), any error
 * turned into a failed outcome. A payload over 6 MB is never sent: Lambda refuses the request.
 */
import { randomUUID } from 'node:crypto';
import { buildKafkaEvent, type EventSourceIdentity } from '../../services/kafka/esm-event.ts';
import type { Batch, BatchOutcome } from './batch-planner.ts';
import { readBatchItemFailures } from './batch-response.ts';
import type { DeliveryLedger } from './delivery-ledger.ts';
import { InvocationError, InvocationFailure } from './errors.ts';
import type { FunctionPool } from './function-pool.ts';

/** What one invocation came to. */
export type InvocationReport =
  | {
      readonly outcome: Exclude<BatchOutcome, { kind: 'failure' }>;
      readonly requestId: string;
      readonly durationMs: number;
      readonly coldStart: boolean;
    }
  | { readonly outcome: { readonly kind: 'failure' }; readonly requestId: string; readonly error: unknown };

/** Invokes the function with `batch`; never throws (a failure is an outcome). */
export const invokeBatch = async (input: {
  readonly batch: Batch;
  readonly identity: EventSourceIdentity;
  readonly pool: FunctionPool;
  readonly reportBatchItemFailures: boolean;
  /** Counts the invocation against each record it carries (the on-failure record's figures). */
  readonly ledger: DeliveryLedger;
}): Promise<InvocationReport> => {
  const { batch } = input;
  const requestId = randomUUID();
  try {
    if (batch.tooLarge) {
      throw new InvocationError(
        InvocationFailure.RequestTooLarge,
        `a ${batch.payloadBytes}-byte payload exceeds the 6 MB invocation quota`,
      );
    }
    const event = buildKafkaEvent(
      input.identity,
      batch.parts.map((part) => ({ key: part.key, records: part.records.map((record) => record.event) })),
    );
    input.ledger.invoked(
      batch.parts.flatMap((part) => part.records.map((record) => record.source)),
      requestId,
    );
    const result = await input.pool.invoke(event, requestId);
    if (!input.reportBatchItemFailures) {
      return {
        outcome: { kind: 'success' },
        requestId,
        durationMs: result.durationMs,
        coldStart: result.coldStart,
      };
    }
    const verdict = readBatchItemFailures(result.response, batch);
    if (verdict.kind === 'invalid') {
      throw new InvocationError(InvocationFailure.InvalidBatchItemFailures, verdict.reason);
    }
    return { outcome: verdict, requestId, durationMs: result.durationMs, coldStart: result.coldStart };
  } catch (error) {
    return { outcome: { kind: 'failure' }, requestId, error };
  }
};
