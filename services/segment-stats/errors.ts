import { AppError } from '../commons/errors.ts';

/** Base class of the segment-stats module's errors. */
export class SegmentStatsError extends AppError {
  readonly code: string = 'SEGMENT_STATS';
}

/**
 * The segment-stats store failed (throttling, network). Retriable: the batch is retried;
 * the writes are conditional on the source offset, so a retry is harmless.
 */
export class SegmentStatsStoreError extends SegmentStatsError {
  override readonly code: string = 'SEGMENT_STATS_STORE';
  override readonly retriable = true;
}

/** Segment statistics could not be read, or an item is not in the expected format. */
export class SegmentStatsReadError extends SegmentStatsError {
  override readonly code: string = 'SEGMENT_STATS_READ';
}
