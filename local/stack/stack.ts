import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startSchemaRegistry } from '../../emulators/schema-registry/server.ts';
import { createKafkaClient } from '../../services/kafka/client.ts';
import type { KafkaConnection } from '../../services/kafka/connection.ts';
import { createTopics, type TopicSpec } from '../../services/kafka/topics.ts';
import { silentLogger, type ToolLog } from '../../tooling/logger.ts';
import { startDynalite } from '../dynamodb/dynalite.ts';
import { createTables, LOCAL_TABLE_NAMES, type TableNames } from '../dynamodb/tables.ts';
import { useOrLaunchKafka } from '../kafka/use-or-launch.ts';

/** The topics the pipeline needs; more partitions than cores so the ESM scales out. */

/**
 * kafkajs lines the topic set-up retries through, logged at DEBUG instead of ERROR. On a broker
 * that has just started, a new partition's leader is in the metadata before it serves the
 * partition, so the first ListOffsets (ensureTopics' "served" check) can answer
 * NOT_LEADER_OR_FOLLOWER, a retriable error (https://kafka.apache.org/protocol#protocol_error_codes);
 * ensureTopics retries it and throws TopicNotServedError if it lasts, so kafkajs' per-attempt
 * "Response ListOffsets … This server is not the leader for that topic-partition" is no alarm.
 */
export const TOPIC_SETUP_RETRIES = ['Response ListOffsets', 'Response Metadata'] as const;

export const STACK_TOPICS: readonly TopicSpec[] = [
  { topic: 'clickstream-events', partitions: 6 },
  { topic: 'clickstream-dlq', partitions: 1 },
  // The ESM's on-failure destination when serverless.yml's esmScalingMode is provisioned.
  { topic: 'clickstream-esm-failures', partitions: 1 },
  // Written by the enrich-sessions Lambda; the ksql migrations read the first.
  { topic: 'clickstream-sessions-enriched', partitions: 6 },
  { topic: 'clickstream-cart-abandoned', partitions: 6 },
];

/** Where each part of a running stack answers. */
export interface StackEndpoints {
  kafkaBrokers: string[];
  dynamodbEndpoint: string;
  /** The schema registry: emulators/schema-registry unless SCHEMA_REGISTRY_URL names a real one. */
  schemaRegistryUrl: string;
  tables: TableNames;
  /** Which parts were launched here (false: an external one from the environment). */
  launched: { kafka: boolean; dynamodb: boolean; schemaRegistry: boolean };
}

export interface RunningStack extends StackEndpoints {
  stop(): Promise<void>;
}

export interface StackSettings {
  /** `KAFKA_BROKERS` (tooling/endpoints.ts): use this cluster instead of launching one. */
  kafka?: KafkaConnection | undefined;
  /** `DYNAMODB_ENDPOINT`: use this endpoint instead of dynalite. */
  dynamodbEndpoint?: string | undefined;
  /** `SCHEMA_REGISTRY_URL`: use this registry instead of the in-process emulator. */
  schemaRegistryUrl?: string | undefined;
  /** Prefer the well-known ports (9092, 8000, 8081) so people can point kcat and the AWS CLI at them. */
  wellKnownPorts?: boolean;
  tables?: TableNames;
  topics?: readonly TopicSpec[];
  /** Progress lines (which broker, which endpoint, when ready); silent by default. */
  logger?: ToolLog;
}

/**
 * Starts the local stack — a real Kafka broker and dynalite, unless the settings point at
 * existing ones — and creates the pipeline's topics and tables.
 */
export const startStack = async (settings: StackSettings = {}): Promise<RunningStack> => {
  const logger = settings.logger ?? silentLogger;
  const log = (line: string) => logger.info(line);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const kafka = await useOrLaunchKafka(settings.kafka, {
      ...(settings.wellKnownPorts ? { preferredPort: 9092 } : {}),
      log,
    });
    stops.push(kafka.stop);
    const kafkaBrokers = [...kafka.connection.brokers];
    let dynamodbEndpoint = settings.dynamodbEndpoint;
    if (dynamodbEndpoint === undefined) {
      const dynamo = await startDynalite(settings.wellKnownPorts ? { preferredPort: 8000 } : {});
      stops.push(dynamo.stop);
      dynamodbEndpoint = dynamo.endpoint;
      log(`dynalite is up on ${dynamodbEndpoint}`);
    } else {
      log(`using the DynamoDB endpoint ${dynamodbEndpoint} (DYNAMODB_ENDPOINT)`);
    }
    let schemaRegistryUrl = settings.schemaRegistryUrl;
    if (schemaRegistryUrl === undefined) {
      const registry = await startSchemaRegistry(settings.wellKnownPorts ? { preferredPort: 8081 } : {});
      stops.push(registry.stop);
      schemaRegistryUrl = registry.url;
      log(`the schema registry emulator is up on ${schemaRegistryUrl}`);
    } else {
      log(`using the schema registry at ${schemaRegistryUrl} (SCHEMA_REGISTRY_URL)`);
    }
    const tables = settings.tables ?? LOCAL_TABLE_NAMES;
    const dynamo = localDynamoClient(dynamodbEndpoint);
    await createTables(dynamo, tables);
    dynamo.destroy();
    await createTopics(
      createKafkaClient(kafka.connection, {
        clientId: 'local-stack',
        log: logger,
        quiet: TOPIC_SETUP_RETRIES,
      }),
      [...(settings.topics ?? STACK_TOPICS)],
    );
    log('topics and tables are ready');
    return {
      kafkaBrokers,
      dynamodbEndpoint,
      schemaRegistryUrl,
      tables,
      launched: {
        kafka: kafka.launched,
        dynamodb: settings.dynamodbEndpoint === undefined,
        schemaRegistry: settings.schemaRegistryUrl === undefined,
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};

/**
 * A DynamoDB client for a local endpoint. Emulators accept any credentials; fixed dummy ones
 * keep the SDK from searching the machine for real ones.
 */
export const localDynamoClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
