import type { ProducerRecord } from 'kafkajs';
import { recordBytes } from '../../../services/dead-letter/index.ts';
import { KafkaLimits } from '../../../services/limits/index.ts';

/**
 * What a broker with default limits refuses of one produce request (services/limits: a record
 * batch over `max.message.bytes`, a request over `max.request.size`), thrown as kafkajs reports
 * it (`type` MESSAGE_TOO_LARGE), for the tests' Kafka fakes. One request's records are counted as
 * one batch: at most what a partition's batch may hold.
 */
export const refuseOverBrokerLimits = (
  record: ProducerRecord,
  maxMessageBytes: number = KafkaLimits.defaultMaxMessageBytes,
): void => {
  const bytes =
    KafkaLimits.batchOverheadBytes + record.messages.reduce((sum, message) => sum + recordBytes(message), 0);
  if (bytes > Math.min(maxMessageBytes, KafkaLimits.maxRequestBytes)) {
    throw Object.assign(
      new Error(
        `The request included a message larger than the max message size the server will accept (${bytes} bytes)`,
      ),
      { type: 'MESSAGE_TOO_LARGE', retriable: false },
    );
  }
};
