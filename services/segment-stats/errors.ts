/** Base class of the segment-stats module's errors. */
export class SegmentStatsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SegmentStatsError';
  }
}

/**
 * The segment-stats store failed (throttling, network). Retriable: the batch is retried;
 * the writes are conditional on the source offset, so a retry is harmless.
 */
export class SegmentStatsStoreError extends SegmentStatsError {
  readonly retriable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SegmentStatsStoreError';
  }
}

/** Segment statistics could not be read, or an item is not in the expected format. */
export class SegmentStatsReadError extends SegmentStatsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SegmentStatsReadError';
  }
}
