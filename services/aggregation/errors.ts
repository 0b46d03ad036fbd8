import { AppError } from '../commons/errors.ts';

/** Base class of the aggregation service's errors. */
export class AggregationError extends AppError {
  readonly code: string = 'AGGREGATION';
}

/**
 * The aggregate store failed (throttling, network, a service error). Retriable: the
 * handler rethrows it so the event source mapping retries the whole batch, and the
 * watermarks make the retry apply only what is still missing.
 */
export class AggregateStoreError extends AggregationError {
  override readonly code: string = 'AGGREGATE_STORE';
  override readonly retriable = true;
}

/**
 * An item's watermarks kept moving under a conditional write, attempt after attempt:
 * another writer is applying the same partition at the same time (a zombie invocation).
 * Retriable: the batch is retried and converges once the other writer is gone.
 */
export class WatermarkContentionError extends AggregationError {
  override readonly code: string = 'WATERMARK_CONTENTION';
  override readonly retriable = true;
}
