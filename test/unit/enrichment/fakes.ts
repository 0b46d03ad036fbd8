import { Logger } from '@aws-lambda-powertools/logger';
import type { ProducerRecord } from 'kafkajs';
import type { KafkaSender } from '../../../services/dead-letter/index.ts';
import {
  type EnrichmentDependencies,
  type ProfileReader,
  UserAgentParser,
} from '../../../services/enrichment/index.ts';
import type { ProfileLookup, UserProfile } from '../../../services/profiles/index.ts';
import { refuseOverBrokerLimits } from '../../support/fakes/kafka-limits.ts';
import { RecordingDeadLetterPublisher, RecordingMetrics } from '../../support/fakes/recording.ts';

/** Topic names for unit tests. */
export const TOPICS = { sessionsEnriched: 'sessions-enriched', cartAbandoned: 'cart-abandoned' } as const;

/** A profile reader over a fixed set of profiles; ids in `invalid` read as invalid items. */
export class InMemoryProfileReader implements ProfileReader {
  readonly requests: string[][] = [];

  constructor(
    private readonly profiles: readonly UserProfile[],
    private readonly invalid: readonly string[] = [],
  ) {}

  async getProfiles(userIds: readonly string[]): Promise<ProfileLookup> {
    this.requests.push([...userIds]);
    const wanted = new Set(userIds);
    return {
      profiles: new Map(this.profiles.filter((p) => wanted.has(p.userId)).map((p) => [p.userId, p])),
      invalid: this.invalid
        .filter((id) => wanted.has(id))
        .map((userId) => ({ userId, detail: 'segment: invalid' })),
    };
  }
}

/** A Kafka sender that keeps what it is given, refuses what a broker refuses, and can be made to fail. */
export class RecordingSender implements KafkaSender {
  readonly sent: ProducerRecord[] = [];
  failure: Error | undefined;
  /** Topics' `max.message.bytes` where not the broker's default (a limit lowered after init, say). */
  readonly maxMessageBytes = new Map<string, number>();

  async send(record: ProducerRecord): Promise<unknown> {
    if (this.failure !== undefined) throw this.failure;
    refuseOverBrokerLimits(record, this.maxMessageBytes.get(record.topic));
    this.sent.push(record);
    return [];
  }

  /** The parsed values sent to a topic. */
  values(topic: string): unknown[] {
    return this.sent
      .filter((record) => record.topic === topic)
      .flatMap((record) => record.messages.map((message) => JSON.parse(String(message.value))));
  }
}

/** A profile as the load generator seeds them. */
export const aProfile = (overrides: Partial<UserProfile> = {}): UserProfile => ({
  userId: 'user-0001',
  segment: 'loyal',
  country: 'DE',
  signupDate: '2024-03-14',
  marketingOptIn: true,
  ...overrides,
});

/** The enrichment's dependencies, each a recording fake. */
export const fakeDependencies = (profiles: ProfileReader = new InMemoryProfileReader([aProfile()])) => {
  const producer = new RecordingSender();
  const deadLetters = new RecordingDeadLetterPublisher();
  const metrics = new RecordingMetrics();
  const dependencies: EnrichmentDependencies = {
    profiles,
    producer,
    topics: TOPICS,
    deadLetters,
    userAgents: new UserAgentParser(),
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics,
  };
  return { dependencies, producer, deadLetters, metrics };
};
