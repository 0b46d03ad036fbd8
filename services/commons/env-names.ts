/**
 * The names of the environment variables that say where the pipeline's parts are, in one
 * place (as Powertools keeps its own in packages/commons/src/constants.ts). The functions, the
 * tools and the stack read and write them under these names only; each variable's rules live
 * in the one schema that reads it (services/kafka/connection.ts for Kafka,
 * tooling/endpoints.ts for the rest).
 */
export const EnvName = {
  /** Kafka bootstrap servers, `host:port[,host:port…]`. */
  KAFKA_BROKERS: 'KAFKA_BROKERS',
  /** `true` to reach Kafka over TLS. */
  KAFKA_SSL: 'KAFKA_SSL',
  /** plain, scram-sha-256, scram-sha-512 or aws-msk-iam. */
  KAFKA_SASL_MECHANISM: 'KAFKA_SASL_MECHANISM',
  KAFKA_SASL_USERNAME: 'KAFKA_SASL_USERNAME',
  KAFKA_SASL_PASSWORD: 'KAFKA_SASL_PASSWORD',
  /** The region (MSK IAM signs for it; DynamoDB and Secrets Manager clients use it). */
  AWS_REGION: 'AWS_REGION',
  /** A DynamoDB-compatible endpoint (dynalite); AWS itself when unset. */
  DYNAMODB_ENDPOINT: 'DYNAMODB_ENDPOINT',
  /** A Confluent-compatible schema registry. */
  SCHEMA_REGISTRY_URL: 'SCHEMA_REGISTRY_URL',
  ANALYTICS_TABLE: 'ANALYTICS_TABLE',
  USER_PROFILES_TABLE: 'USER_PROFILES_TABLE',
  /**
   * Deployed Kafka event source mappings, `function:uuid:topic[:group]` comma-separated: the
   * dashboard reads their CloudWatch metrics (dashboard/config.ts holds the rules).
   */
  EVENT_SOURCE_MAPPINGS: 'EVENT_SOURCE_MAPPINGS',
} as const;
export type EnvName = (typeof EnvName)[keyof typeof EnvName];
