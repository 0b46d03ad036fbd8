/**
 * A mapping's SourceAccessConfigurations: read from osls's `kafka` event
 * (`accessConfigurations: { saslPlainAuth: [arn], … }`), its `msk` event (`saslScram512: arn`)
 * or custom.esm (`sourceAccessConfigurations: [{ Type, URI }]`, CloudFormation's shape), and
 * validated as Lambda's CreateEventSourceMapping validates them
 * (https://docs.aws.amazon.com/lambda/latest/api/API_SourceAccessConfiguration.html).
 */
import type { SaslSettings } from '../../services/kafka/connection.ts';
import { MappingConfigError } from './errors.ts';

/** Every Type the API accepts. */
export const SourceAccessType = {
  BasicAuth: 'BASIC_AUTH',
  VpcSubnet: 'VPC_SUBNET',
  VpcSecurityGroup: 'VPC_SECURITY_GROUP',
  SaslScram512: 'SASL_SCRAM_512_AUTH',
  SaslScram256: 'SASL_SCRAM_256_AUTH',
  VirtualHost: 'VIRTUAL_HOST',
  ClientCertificateTls: 'CLIENT_CERTIFICATE_TLS_AUTH',
  ServerRootCaCertificate: 'SERVER_ROOT_CA_CERTIFICATE',
} as const;
export type SourceAccessType = (typeof SourceAccessType)[keyof typeof SourceAccessType];

/** One entry, as CloudFormation and the API write it. */
export interface SourceAccessConfiguration {
  readonly Type: SourceAccessType;
  readonly URI: string;
}

/** The SASL mechanisms a secret-backed authentication type stands for. */
const SASL_MECHANISM = {
  BASIC_AUTH: 'plain',
  SASL_SCRAM_512_AUTH: 'scram-sha-512',
  SASL_SCRAM_256_AUTH: 'scram-sha-256',
} as const satisfies Partial<Record<SourceAccessType, SaslSettings['mechanism']>>;

type SaslAccessType = keyof typeof SASL_MECHANISM;

/** How a mapping authenticates to its cluster: a SASL mechanism with the credentials in a secret. */
export interface MappingAuthentication {
  readonly type: SaslAccessType;
  readonly mechanism: (typeof SASL_MECHANISM)[SaslAccessType];
  /** The Secrets Manager secret (ARN or name) holding `{"username", "password"}`. */
  readonly secretId: string;
}

/** osls's `kafka.accessConfigurations` keys and the Type each compiles to (its events/kafka.js). */
const OSLS_KAFKA_KEYS: Readonly<Record<string, SourceAccessType>> = {
  vpcSubnet: SourceAccessType.VpcSubnet,
  vpcSecurityGroup: SourceAccessType.VpcSecurityGroup,
  saslPlainAuth: SourceAccessType.BasicAuth,
  saslScram256Auth: SourceAccessType.SaslScram256,
  saslScram512Auth: SourceAccessType.SaslScram512,
  clientCertificateTlsAuth: SourceAccessType.ClientCertificateTls,
  serverRootCaCertificate: SourceAccessType.ServerRootCaCertificate,
};
/** osls prefixes VPC entries' URIs as the API expects them. */
const OSLS_URI_PREFIX: Partial<Record<SourceAccessType, string>> = {
  VPC_SUBNET: 'subnet:',
  VPC_SECURITY_GROUP: 'security_group:',
};

const SETTING = 'SourceAccessConfigurations';
/** The API's URI constraints: 1–200 characters of this set. */
const URI_PATTERN = /^[a-zA-Z0-9\-/*:_+=.@]{1,200}$/;
const isType = (value: unknown): value is SourceAccessType =>
  (Object.values(SourceAccessType) as unknown[]).includes(value);

/**
 * The entries osls compiles a `kafka` event's `accessConfigurations` to, one per ARN/id, in
 * CloudFormation's shape (not yet validated).
 */
export const fromKafkaAccessConfigurations = (
  fnKey: string,
  accessConfigurations: Readonly<Record<string, unknown>>,
): Array<Record<string, unknown>> =>
  Object.entries(accessConfigurations).flatMap(([key, values]) => {
    const type = OSLS_KAFKA_KEYS[key];
    if (type === undefined) {
      throw new MappingConfigError(
        fnKey,
        `accessConfigurations.${key}`,
        `is not an access configuration (one of ${Object.keys(OSLS_KAFKA_KEYS).join(', ')})`,
      );
    }
    if (!Array.isArray(values) || values.length === 0) {
      throw new MappingConfigError(
        fnKey,
        `accessConfigurations.${key}`,
        'must be a list of at least one value',
      );
    }
    return values.map((value: unknown) => ({
      Type: type,
      URI: typeof value === 'string' ? `${OSLS_URI_PREFIX[type] ?? ''}${value}` : value,
    }));
  });

/**
 * Validates a mapping's SourceAccessConfigurations and returns its authentication, if any.
 *
 * @param kind `aws:kafka` (MSK) accepts SASL/SCRAM-512 and mTLS only; self-managed Kafka also
 *   BASIC_AUTH (SASL/PLAIN) and SASL/SCRAM-256.
 * @throws {MappingConfigError} naming the entry: an unknown Type, a missing or malformed URI,
 *   more than one authentication, or one the emulator cannot honour (mTLS: the laptop broker has
 *   no TLS listener).
 */
export const resolveSourceAccess = (
  fnKey: string,
  kind: 'SelfManagedKafka' | 'aws:kafka',
  entries: readonly unknown[],
): MappingAuthentication | undefined => {
  const valid: SourceAccessConfiguration[] = [];
  for (const [index, entry] of entries.entries()) {
    const at = `${SETTING}[${index}]`;
    if (typeof entry !== 'object' || entry === null) {
      throw new MappingConfigError(fnKey, at, 'must be an object { Type, URI }');
    }
    const type: unknown = Reflect.get(entry, 'Type');
    const uri: unknown = Reflect.get(entry, 'URI');
    if (!isType(type)) {
      throw new MappingConfigError(
        fnKey,
        `${at}.Type`,
        `must be one of ${Object.values(SourceAccessType).join(', ')}, got ${JSON.stringify(type)}`,
      );
    }
    if (uri === undefined || uri === '')
      throw new MappingConfigError(fnKey, `${at}.URI`, `is required for ${type}`);
    if (typeof uri !== 'string' || !URI_PATTERN.test(uri)) {
      throw new MappingConfigError(
        fnKey,
        `${at}.URI`,
        `must be 1–200 characters of [a-zA-Z0-9-/*:_+=.@], got ${JSON.stringify(uri)}`,
      );
    }
    valid.push({ Type: type, URI: uri });
  }

  const supported: readonly SourceAccessType[] =
    kind === 'aws:kafka'
      ? [SourceAccessType.SaslScram512, SourceAccessType.ClientCertificateTls]
      : [
          SourceAccessType.BasicAuth,
          SourceAccessType.SaslScram512,
          SourceAccessType.SaslScram256,
          SourceAccessType.ClientCertificateTls,
          SourceAccessType.ServerRootCaCertificate,
          SourceAccessType.VpcSubnet,
          SourceAccessType.VpcSecurityGroup,
        ];
  for (const [index, entry] of valid.entries()) {
    if (!supported.includes(entry.Type)) {
      throw new MappingConfigError(
        fnKey,
        `${SETTING}[${index}].Type`,
        `${entry.Type} is not accepted for ${kind === 'aws:kafka' ? 'Amazon MSK' : 'self-managed Apache Kafka'} (accepted: ${supported.join(', ')})`,
      );
    }
  }

  const authentications = valid.filter(
    (entry) => entry.Type in SASL_MECHANISM || entry.Type === SourceAccessType.ClientCertificateTls,
  );
  if (authentications.length > 1) {
    throw new MappingConfigError(
      fnKey,
      SETTING,
      `names ${authentications.length} authentications (${authentications.map((entry) => entry.Type).join(', ')}); a mapping authenticates one way`,
    );
  }
  for (const entry of valid) {
    if (
      entry.Type === SourceAccessType.ClientCertificateTls ||
      entry.Type === SourceAccessType.ServerRootCaCertificate
    ) {
      throw new MappingConfigError(
        fnKey,
        SETTING,
        `${entry.Type} is not emulated: the laptop broker has no TLS listener (SASL_PLAINTEXT only)`,
      );
    }
  }
  // VPC_SUBNET and VPC_SECURITY_GROUP place the pollers' network interfaces; the laptop has no VPC.
  const auth = authentications[0];
  if (auth === undefined || !(auth.Type in SASL_MECHANISM)) return undefined;
  const type = auth.Type as SaslAccessType;
  return { type, mechanism: SASL_MECHANISM[type], secretId: auth.URI };
};

/** How logs and errors name a mechanism: `SASL/PLAIN`, `SASL/SCRAM-SHA-512`. */
export const mechanismLabel = (auth: MappingAuthentication): string => `SASL/${auth.mechanism.toUpperCase()}`;
