import type { StackState } from '../../../tooling/stack-state.ts';

/** A running local stack's endpoints file, as `npm run stack -- up` writes it; `overrides` replace fields. */
export const stackState = (overrides: Partial<StackState> = {}): StackState => ({
  pid: 4242,
  startedAt: '2026-12-07T12:00:00.000Z',
  kafkaBrokers: ['127.0.0.1:9092'],
  dynamodbEndpoint: 'http://127.0.0.1:8000',
  tables: { analytics: 'clickstream-local-analytics', userProfiles: 'clickstream-local-user-profiles' },
  launched: { kafka: true, dynamodb: true },
  ...overrides,
});
