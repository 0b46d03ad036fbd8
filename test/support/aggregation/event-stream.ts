import { type ClickstreamEvent, EVENT_TYPES } from '../../../services/clickstream/index.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';
import { aClickstreamEvent, anEventRecord, BASE_TIME } from '../factories/clickstream-event.ts';
import { seededRandom } from './redelivery.ts';

const PATHS = ['/', '/products/sku-1', '/products/sku-2', '/cart', '/checkout/confirm'];

/** A stream of varied events over a few minutes, spread by user over `partitions`. */
export const eventStream = (
  count: number,
  partitions: number,
  seed = 7,
): { events: ClickstreamEvent[]; partitions: SourceRecord[][] } => {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events = Array.from({ length: count }, (_, index) => {
    const user = Math.floor(random() * 12);
    return aClickstreamEvent({
      type: pick(EVENT_TYPES),
      userId: `user-${user}`,
      sessionId: `session-${user}-${Math.floor(index / 50)}`,
      eventTime: BASE_TIME + Math.floor((index / count) * 180_000),
      page: { path: pick(PATHS), title: 'Shop', referrer: null },
    });
  });
  const byPartition: SourceRecord[][] = Array.from({ length: partitions }, () => []);
  for (const event of events) {
    const partition = Number(event.userId.slice(5)) % partitions;
    const list = byPartition[partition] ?? [];
    list.push(anEventRecord(event, partition, list.length));
  }
  return { events, partitions: byPartition };
};
