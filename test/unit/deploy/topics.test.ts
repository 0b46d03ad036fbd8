import { describe, expect, it } from 'vitest';
import { deployTopics } from '../../../deploy/topics.ts';

describe('deployTopics', () => {
  it('lists every topic the functions read or write, with the given partitions', () => {
    const topics = deployTopics(12);

    expect(topics.map((spec) => spec.topic)).toEqual([
      'clickstream-events',
      'clickstream-user-sessions',
      'clickstream-sessions-enriched',
      'clickstream-cart-abandoned',
      'clickstream-dlq',
      'clickstream-esm-failures',
    ]);
    expect(new Set(topics.map((spec) => spec.partitions))).toEqual(new Set([12]));
    expect(topics[0]?.configs).toEqual({ 'retention.ms': '604800000' });
  });
});
