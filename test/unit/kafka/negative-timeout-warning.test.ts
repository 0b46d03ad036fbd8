import { describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../../services/kafka/client.ts';
import { plaintextConnection } from '../../../services/kafka/connection.ts';

const silent = { debug: () => {}, warn: () => {}, error: () => {} };

const warningsDuring = async (act: () => void): Promise<string[]> => {
  const seen: string[] = [];
  const listener = (warning: Error) => seen.push(warning.name);
  process.on('warning', listener);
  try {
    act();
    // Node emits warnings on the next tick; the timer runs after 1 ms.
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('warning', listener);
  }
  return seen;
};

describe('createKafkaClient and Node 24 TimeoutNegativeWarning (tulios/kafkajs#1751)', () => {
  it('drops the warning kafkajs causes, and only that one', async () => {
    createKafkaClient(plaintextConnection(['127.0.0.1:9']), { clientId: 'warning-test', log: silent });

    const seen = await warningsDuring(() => {
      setTimeout(() => {}, -1_765_000_000_000);
      process.emitWarning('still reported', 'OtherWarning');
    });

    expect(seen).toEqual(['OtherWarning']);
  });
});
