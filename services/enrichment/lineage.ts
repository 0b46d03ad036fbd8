import type { SourceRecord } from '../kafka/record.ts';
import type { SessionKey } from './session-key.ts';

/**
 * Headers every enriched event carries, naming the session row it was derived from, so a
 * consumer (or a person debugging) can walk back from any event to its input record.
 * Values are UTF-8 strings; numbers in decimal, times in epoch milliseconds.
 */
export const LineageHeader = {
  EventId: 'event-id',
  EventType: 'event-type',
  SourceTopic: 'lineage-source-topic',
  SourcePartition: 'lineage-source-partition',
  SourceOffset: 'lineage-source-offset',
  WindowStart: 'lineage-window-start',
  WindowEnd: 'lineage-window-end',
} as const;
export type LineageHeader = (typeof LineageHeader)[keyof typeof LineageHeader];

/** The lineage headers of an event derived from the session in `record`. */
export const lineageHeaders = (
  event: { readonly eventId: string; readonly type: string },
  record: Pick<SourceRecord, 'topic' | 'partition' | 'offset'>,
  key: SessionKey,
): Record<LineageHeader, string> => ({
  [LineageHeader.EventId]: event.eventId,
  [LineageHeader.EventType]: event.type,
  [LineageHeader.SourceTopic]: record.topic,
  [LineageHeader.SourcePartition]: String(record.partition),
  [LineageHeader.SourceOffset]: String(record.offset),
  [LineageHeader.WindowStart]: String(key.windowStart),
  [LineageHeader.WindowEnd]: String(key.windowEnd),
});
