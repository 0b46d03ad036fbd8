/** The kafkajs client the deploy uses to create topics on the target cluster. */
import { type KafkaConfig, logLevel } from 'kafkajs';
import { type MskTokenSigner, mskOauthBearerProvider } from './msk-iam.ts';
import { type DeploySettings, KafkaProvider } from './settings.ts';

/**
 * The kafkajs configuration for the deployment's cluster: TLS always; SASL/PLAIN with the
 * Confluent API key, or SASL/OAUTHBEARER signed for MSK IAM by `signer`.
 */
export const adminKafkaConfig = (settings: DeploySettings, signer?: MskTokenSigner): KafkaConfig => {
  const base = {
    clientId: `clickstream-deploy-${settings.stage}`,
    brokers: [...settings.kafka.bootstrapServers],
    ssl: true,
    logLevel: logLevel.WARN,
  };
  if (settings.kafka.provider === KafkaProvider.Confluent) {
    return {
      ...base,
      sasl: { mechanism: 'plain', username: settings.kafka.apiKey, password: settings.kafka.apiSecret },
    };
  }
  if (signer === undefined) throw new TypeError('an MSK deployment needs an MSK IAM token signer');
  return {
    ...base,
    sasl: { mechanism: 'oauthbearer', oauthBearerProvider: mskOauthBearerProvider(signer, settings.region) },
  };
};
