import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ConfigError } from '../../../services/commons/errors.ts';
import type { SaslSettings } from '../../../services/kafka/connection.ts';
import { tracer } from '../observability.ts';

/** The SASL mechanisms whose credentials a secret can hold (MSK IAM needs none). */
export type SecretSaslMechanism = Exclude<SaslSettings['mechanism'], 'aws-msk-iam'>;

/** Where the functions' SASL credentials are: a Secrets Manager secret, read at init. */
export interface KafkaSecretReference {
  /** The secret's full ARN (KAFKA_SASL_SECRET_ARN). */
  readonly arn: string;
  readonly mechanism: SecretSaslMechanism;
}

/** Reads a secret's value by ARN: Secrets Manager in Lambda, a fake in unit tests. */
export type SecretFetcher = (arn: string) => Promise<unknown>;

/**
 * The secret's value: the JSON object the Kafka event source mapping reads too (BASIC_AUTH,
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-configure.html), so that one secret
 * authenticates both the mapping and the functions' producer.
 */
export const KafkaSecretSchema = z.object({
  username: z.string({ error: 'is required but not set' }).min(1, 'must not be empty'),
  password: z.string({ error: 'is required but not set' }).min(1, 'must not be empty'),
});

const SecretValue = z
  .string({ error: 'must be a SecretString (JSON text), not binary or missing' })
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // The value is a credential: it must not reach the error message, not even in part.
      context.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
  })
  .pipe(KafkaSecretSchema);

/**
 * How long a fetched secret stays cached in the instance. The functions read it once, at init;
 * the cache matters only if something reads it again (Powertools' default is 5 s).
 */
export const SECRET_MAX_AGE_SECONDS = 300;

/** The region in a secret's ARN (`arn:aws:secretsmanager:<region>:…`): a secret is read where it lives. */
const regionOf = (arn: string): string => arn.split(':')[3] ?? '';

let provider: SecretsProvider | undefined;

/**
 * The instance's reader of secrets: Powertools Parameters over a Secrets Manager client in the
 * secret's region (traced by X-Ray when tracing is on), built on first use, caching each value
 * for {@link SECRET_MAX_AGE_SECONDS}.
 */
export const fetchFromSecretsManager: SecretFetcher = (arn) => {
  provider ??= new SecretsProvider({
    awsSdkV3Client: tracer.captureAWSv3Client(new SecretsManagerClient({ region: regionOf(arn) })),
  });
  return provider.get(arn, { maxAge: SECRET_MAX_AGE_SECONDS });
};

/**
 * The SASL settings in the secret `reference` names, fetched through `fetch`.
 *
 * @throws {ConfigError} naming the secret and every missing or invalid field (never a value),
 *   or naming the secret when it cannot be read (its cause kept): a missing permission or a
 *   deleted secret is fixed in the configuration, not by a retry.
 */
export const readKafkaSecret = async (
  reference: KafkaSecretReference,
  fetch: SecretFetcher,
): Promise<SaslSettings> => {
  let value: unknown;
  try {
    value = await fetch(reference.arn);
  } catch (error) {
    throw new ConfigError(
      `cannot read the Kafka SASL secret ${reference.arn} (KAFKA_SASL_SECRET_ARN): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const parsed = SecretValue.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? String(issue.path[0]) : 'the value'} ${issue.message}`)
      .join('; ');
    throw new ConfigError(
      `invalid Kafka SASL secret ${reference.arn} (KAFKA_SASL_SECRET_ARN): ${fields}; it must be {"username": "…", "password": "…"}`,
    );
  }
  return { mechanism: reference.mechanism, ...parsed.data };
};
