import { Logger } from '@aws-lambda-powertools/logger';
import type { AggregateStore, AggregationDependencies } from '../../../services/aggregation/index.ts';
import type { DeadLetterPublisher } from '../../../services/dead-letter/index.ts';
import { RecordingDeadLetterPublisher, RecordingMetrics } from '../fakes/recording.ts';
import type { InMemoryAggregateStore } from './in-memory-aggregate-store.ts';
import type { ReferenceTotals } from './reference-totals.ts';
import { StoredTotals } from './stored-totals.ts';

/** Dependencies of the aggregation for a unit test. */
export const testDependencies = (
  store: AggregateStore,
  deadLetters: DeadLetterPublisher = new RecordingDeadLetterPublisher(),
  metrics: RecordingMetrics = new RecordingMetrics(),
): AggregationDependencies => ({
  store,
  deadLetters,
  logger: new Logger({ logLevel: 'SILENT' }),
  metrics,
  retentionDays: 30,
  writeConcurrency: 4,
});

/** The in-memory store's contents in the reference's shape. */
export const storedTotals = (store: InMemoryAggregateStore): ReferenceTotals => {
  const totals = new StoredTotals();
  for (const item of store.items.values()) {
    const minute = String(item.attributes.minute);
    if (item.attributes.entity === 'PageStats')
      totals.page(String(item.attributes.path), minute, item.counters);
    else if (item.attributes.entity === 'PageBucket' && item.bucket !== undefined)
      for (const [path, counts] of item.bucket.pages) totals.page(path, minute, counts);
    else if (item.attributes.entity === 'Funnel') totals.funnel(minute, item.counters);
    else if (item.attributes.entity === 'SessionSketch' && item.sketch !== undefined)
      totals.sketch(minute, item.sketch);
    else throw new Error(`unexpected item ${JSON.stringify(item.attributes)}`);
  }
  return totals.build();
};
