/** The connection the deploy uses to create topics on the target cluster. */
import type { KafkaConnection } from '../services/kafka/connection.ts';
import { type DeploySettings, KafkaProvider } from './settings.ts';

/**
 * The deployment's cluster as a connection: TLS always; SASL/PLAIN with the Confluent API
 * key, or MSK IAM (the deployer's AWS credentials sign) for Amazon MSK.
 */
export const deployConnection = (settings: DeploySettings): KafkaConnection => ({
  brokers: settings.kafka.bootstrapServers,
  ssl: true,
  sasl:
    settings.kafka.provider === KafkaProvider.Confluent
      ? { mechanism: 'plain', username: settings.kafka.apiKey, password: settings.kafka.apiSecret }
      : { mechanism: 'aws-msk-iam', region: settings.region },
});
