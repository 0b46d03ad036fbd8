import {
  type EventSourceIdentity,
  type KafkaEvent,
  kafkaEventOf,
} from '../../../services/kafka/esm-event.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';

/** Where an Amazon MSK event says it came from. */
export const MSK_SOURCE: EventSourceIdentity = {
  eventSource: 'aws:kafka',
  eventSourceArn:
    'arn:aws:kafka:us-east-1:123456789012:cluster/clickstream/751d2973-a626-431c-9d4e-d7975eb44dd7-2',
  bootstrapServers: '127.0.0.1:9092',
};

/** Where a self-managed Kafka event says it came from. */
export const SELF_MANAGED_SOURCE: EventSourceIdentity = {
  eventSource: 'SelfManagedKafka',
  bootstrapServers: '127.0.0.1:9092',
};

/** The event source mapping payload for `records`, built by the code the emulator uses. */
export const anEsmEvent = (
  eventSource: EventSourceIdentity['eventSource'],
  records: readonly SourceRecord[],
): KafkaEvent => kafkaEventOf(eventSource === 'aws:kafka' ? MSK_SOURCE : SELF_MANAGED_SOURCE, records);
