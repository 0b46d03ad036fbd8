import { describe, expect, it } from 'vitest';
import { TOPIC_SETUP_RETRIES } from '../../../local/stack/stack.ts';
import { createKafkaClient } from '../../../services/kafka/client.ts';
import { plaintextConnection } from '../../../services/kafka/connection.ts';

const capture = () => {
  const lines: { level: string; message: string }[] = [];
  const at =
    (level: string) =>
    (message: string): void => {
      lines.push({ level, message });
    };
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
};

describe("the stack's topic set-up client", () => {
  it('logs the retried NOT_LEADER_OR_FOLLOWER answer at DEBUG, other errors still at ERROR', () => {
    // Prepare: the stack's client, and the lines kafkajs' Connection logs for a failed response
    const { lines, log } = capture();
    const kafka = createKafkaClient(plaintextConnection(['127.0.0.1:9']), {
      clientId: 'local-stack',
      log,
      quiet: TOPIC_SETUP_RETRIES,
    });
    const error = 'This server is not the leader for that topic-partition';

    // Act
    kafka.logger().error('Response ListOffsets(key: 2, version: 4)', { error });
    kafka.logger().error('Response CreateTopics(key: 19, version: 3)', { error: 'Topic already exists' });

    // Assert
    expect(lines).toEqual([
      { level: 'debug', message: 'kafkajs: Response ListOffsets(key: 2, version: 4)' },
      { level: 'error', message: 'kafkajs: Response CreateTopics(key: 19, version: 3)' },
    ]);
  });
});
