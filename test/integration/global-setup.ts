import type { TestProject } from 'vitest/node';
import { startDynalite } from '../../local/dynamodb/dynalite.ts';
import { startKafka } from '../../local/kafka/launcher.ts';
import { ensurePrerequisites } from './prerequisites.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap servers of the run's broker. */
    kafkaBrokers: string[];
    /** The run's DynamoDB endpoint (dynalite unless DYNAMODB_ENDPOINT is set). */
    dynamodbEndpoint: string;
  }
}

/**
 * Installs or names what the tests need (see `ensurePrerequisites`), then starts one real Kafka broker and one dynalite for the whole integration run (tests create
 * their own uniquely named topics and tables), or uses KAFKA_BROKERS / DYNAMODB_ENDPOINT.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await ensurePrerequisites((line) => console.error(`[setup] ${line}`));
  const external = process.env.KAFKA_BROKERS;
  const kafka = external
    ? { brokers: external.split(','), stop: async () => {} }
    : await startKafka({ log: (line) => console.error(`[kafka] ${line}`) });
  const dynamo = process.env.DYNAMODB_ENDPOINT
    ? { endpoint: process.env.DYNAMODB_ENDPOINT, stop: async () => {} }
    : await startDynalite();
  project.provide('kafkaBrokers', kafka.brokers);
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
    await kafka.stop();
  };
}
