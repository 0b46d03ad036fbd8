import type { SourceRecord } from '../../../services/aggregation/index.ts';

/**
 * Wraps records in the payload the Lambda event source mapping sends
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html, "Example event"): grouped
 * under "<topic>-<partition>", key and value base64, the key absent when null, headers as
 * arrays of byte values.
 */
export const kafkaEventPayload = (
  eventSource: 'aws:kafka' | 'SelfManagedKafka',
  records: readonly SourceRecord[],
): Record<string, unknown> => {
  const grouped: Record<string, unknown[]> = {};
  for (const record of records) {
    const list = grouped[`${record.topic}-${record.partition}`] ?? [];
    list.push({
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      timestampType: record.timestampType,
      ...(record.key === null ? {} : { key: record.key.toString('base64') }),
      ...(record.value === null ? {} : { value: record.value.toString('base64') }),
      headers: record.headers.map((header) => ({ [header.name]: [...header.value] })),
    });
    grouped[`${record.topic}-${record.partition}`] = list;
  }
  return eventSource === 'aws:kafka'
    ? {
        eventSource,
        eventSourceArn:
          'arn:aws:kafka:us-east-1:123456789012:cluster/clickstream/751d2973-a626-431c-9d4e-d7975eb44dd7-2',
        bootstrapServers: '127.0.0.1:9092',
        records: grouped,
      }
    : { eventSource, bootstrapServers: '127.0.0.1:9092', records: grouped };
};
