/**
 * The emulator's first contact with the cluster: each mapping's credentials read from its
 * secret, one Kafka client per set of credentials, and the topics checked under one connect
 * deadline. Credentials the cluster refuses stop the mappings that use them, at once.
 */
import type { Kafka, Producer } from 'kafkajs';
import { createKafkaClient } from '../../services/kafka/client.ts';
import type { SaslSettings } from '../../services/kafka/connection.ts';
import { withConnectDeadline } from '../../services/kafka/deadline.ts';
import { KafkaAuthenticationError } from '../../services/kafka/errors.ts';
import { silentLogger } from '../../tooling/logger.ts';
import { MappingAuthenticationError, MappingConfigError } from './errors.ts';
import {
  readMappingCredentials,
  type SecretsManagerClientFor,
  secretsManagerClients,
} from './mapping-credentials.ts';
import type { EventSourceMapping, FunctionDefinition } from './serverless-config.ts';
import { mechanismLabel } from './source-access.ts';

/** The SDK's own clients: its default credentials chain, AWS_ENDPOINT_URL_SECRETS_MANAGER honoured. */
export const defaultSecretsManagerClients: SecretsManagerClientFor = secretsManagerClients({
  localEndpoint: false,
  hasCredentials: true,
});

/** Lambda reports a mapping whose topic is missing; here it stops the start, naming the function. */
const assertTopicsExist = async (kafka: Kafka, mappings: readonly EventSourceMapping[]): Promise<void> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = new Set(await admin.listTopics());
    for (const mapping of mappings) {
      if (!topics.has(mapping.topic)) {
        throw new MappingConfigError(
          mapping.functionKey,
          'Topics',
          `topic "${mapping.topic}" does not exist on the cluster`,
        );
      }
      if (mapping.onFailureTopic !== undefined && !topics.has(mapping.onFailureTopic)) {
        // "The destination topic must exist in the same Kafka cluster as your source topics."
        throw new MappingConfigError(
          mapping.functionKey,
          'DestinationConfig.OnFailure',
          `topic "${mapping.onFailureTopic}" does not exist on the cluster`,
        );
      }
    }
  } finally {
    await admin.disconnect();
  }
};

/** The mappings that reach the cluster with the same credentials, over one client. */
export interface Cluster {
  readonly kafka: Kafka;
  readonly mappings: EventSourceMapping[];
  /** Producer for `kafka://` on-failure destinations, connected on first use with the mappings' credentials. */
  readonly producer: () => Promise<Producer>;
  disconnect(): Promise<void>;
}

/**
 * One Kafka client per set of credentials: Lambda connects each mapping with its own
 * SourceAccessConfigurations, and writes its on-failure records with them too. The laptop
 * broker's SASL listener is SASL_PLAINTEXT; Lambda itself uses SASL/SCRAM only over TLS
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-cluster-auth.html).
 */
const clustersByCredentials = (
  mappings: readonly EventSourceMapping[],
  credentials: ReadonlyMap<string, SaslSettings>,
  brokers: readonly string[],
  clientId: string,
): Cluster[] => {
  const byKey = new Map<string, Cluster>();
  for (const mapping of mappings) {
    const sasl = credentials.get(mapping.uuid);
    const key = sasl === undefined ? '' : JSON.stringify(sasl);
    const known = byKey.get(key);
    if (known !== undefined) {
      known.mappings.push(mapping);
      continue;
    }
    const kafka = createKafkaClient({ brokers, ssl: false, sasl }, { clientId, log: silentLogger });
    let producer: Promise<Producer> | undefined;
    byKey.set(key, {
      kafka,
      mappings: [mapping],
      producer: () => {
        producer ??= (async () => {
          const created = kafka.producer({ allowAutoTopicCreation: false });
          await created.connect();
          return created;
        })();
        return producer;
      },
      disconnect: async () => {
        if (producer !== undefined) await (await producer.catch(() => undefined))?.disconnect();
      },
    });
  }
  return [...byKey.values()];
};

/** The error for a mapping whose credentials the cluster refused. */
export const authenticationError = (
  mapping: EventSourceMapping,
  brokers: readonly string[],
  cause: unknown,
): MappingAuthenticationError => {
  const auth = mapping.authentication;
  return new MappingAuthenticationError(
    mapping.functionKey,
    auth === undefined ? 'SASL' : mechanismLabel(auth),
    auth?.secretId ?? '(none)',
    brokers,
    { cause: cause instanceof Error ? cause : new Error(String(cause)) },
  );
};

/** What {@link connectMappings} found. */
export interface ConnectedMappings {
  readonly clusters: readonly Cluster[];
  /** By mapping UUID: the mappings whose credentials the cluster refused. */
  readonly refused: ReadonlyMap<string, MappingAuthenticationError>;
}

/**
 * Reads the mappings' secrets (before any contact with the cluster), builds their clients and
 * checks their topics.
 *
 * @throws {MappingSecretError} when a secret is missing or malformed.
 * @throws {MappingConfigError} when a topic or on-failure destination topic does not exist.
 * @throws {BrokerUnreachableError} when the cluster does not answer within the deadline.
 * @throws {MappingAuthenticationError} when the cluster refuses every mapping's credentials.
 */
export const connectMappings = async (options: {
  readonly mappings: readonly EventSourceMapping[];
  readonly functions: ReadonlyMap<string, FunctionDefinition>;
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly secretsFor: SecretsManagerClientFor;
}): Promise<ConnectedMappings> => {
  const { mappings, brokers } = options;
  const credentials = new Map<string, SaslSettings>();
  for (const mapping of mappings) {
    const fn = options.functions.get(mapping.functionKey);
    if (mapping.authentication === undefined || fn === undefined) continue;
    credentials.set(
      mapping.uuid,
      await readMappingCredentials(
        options.secretsFor(fn.region),
        mapping.functionKey,
        mapping.authentication,
      ),
    );
  }
  const clusters = clustersByCredentials(mappings, credentials, brokers, options.clientId);

  // Under one deadline: a silent broker fails here, naming the brokers, instead of holding the
  // start for kafkajs' retries.
  const refused = new Map<string, MappingAuthenticationError>();
  for (const cluster of clusters) {
    try {
      await withConnectDeadline(assertTopicsExist(cluster.kafka, cluster.mappings), brokers, async () => {});
    } catch (error) {
      if (!(error instanceof KafkaAuthenticationError)) throw error;
      for (const mapping of cluster.mappings) {
        refused.set(mapping.uuid, authenticationError(mapping, brokers, error.cause));
      }
    }
  }
  const first = refused.values().next();
  if (!first.done && refused.size === mappings.length) throw first.value;
  return { clusters, refused };
};
