import { Logger } from '@aws-lambda-powertools/logger';
import {
  type AggregateStore,
  type AggregationDependencies,
  SessionSketch,
  type TopPageEntry,
} from '../../../services/aggregation/index.ts';
import type { DeadLetterPublisher } from '../../../services/dead-letter/index.ts';
import { RecordingDeadLetterPublisher, RecordingMetrics } from '../../fakes/recording.ts';
import type { InMemoryAggregateStore } from './in-memory-aggregate-store.ts';
import type { ReferenceTotals } from './reference-totals.ts';
import { FUNNEL_ATTRIBUTE_OF_TYPE } from './reference-totals.ts';

/** A stored top-pages entry in the reference's row form. */
export const topPageRow = ({ id, counters: c }: TopPageEntry): string =>
  `${id} ${c.views} ${c.clicks} ${c.addToCarts} ${c.purchases} ${c.revenueCents}`;

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
  const totals: ReferenceTotals = {
    pages: new Map(),
    funnels: new Map(),
    sessions: new Map(),
    topPages: new Map(),
  };
  const sketches = new Map<string, SessionSketch>();
  const typeOfAttribute = new Map(
    Object.entries(FUNNEL_ATTRIBUTE_OF_TYPE).map(([type, name]) => [name, type]),
  );
  for (const item of store.items.values()) {
    const minute = String(item.attributes.minute);
    if (item.attributes.entity === 'PageStats') {
      const { views = 0, clicks = 0, addToCarts = 0, purchases = 0, revenueCents = 0 } = item.counters;
      totals.pages.set(`${item.attributes.path} ${minute}`, {
        views,
        clicks,
        addToCarts,
        purchases,
        revenueCents,
      });
    } else if (item.attributes.entity === 'Funnel') {
      const funnel: Record<string, number> = {};
      for (const [name, value] of Object.entries(item.counters)) {
        if (value !== 0) funnel[typeOfAttribute.get(name) ?? name] = value;
      }
      if (funnel.revenueCents === undefined) funnel.revenueCents = 0;
      totals.funnels.set(minute, funnel);
    } else if (item.attributes.entity === 'SessionSketch' && item.sketch !== undefined) {
      sketches.set(minute, (sketches.get(minute) ?? SessionSketch.empty()).union(item.sketch));
    } else if (item.attributes.entity === 'TopPages' && item.pages !== undefined) {
      totals.topPages.set(minute, item.pages.map(topPageRow));
    } else {
      throw new Error(`unexpected item ${JSON.stringify(item.attributes)}`);
    }
  }
  for (const [minute, sketch] of sketches)
    totals.sessions.set(minute, Buffer.from(sketch.toBytes()).toString('hex'));
  return totals;
};
