import { z } from 'zod';
import { brokerList, endpointUrl, readEnv } from '../../services/commons/env.ts';
import { assignmentsFlag, numberFlag, parseCliArgs, wholeFlag } from '../../tooling/cli-args.ts';
import { EsmError } from './errors.ts';

// KAFKA_BROKERS and DYNAMODB_ENDPOINT: tooling/endpoints.ts (resolveEndpoints).
const Env = z.object({
  ESM_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).optional(),
  // Read by the SDK itself (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html);
  // checked here so a typo stops the start, and so the local stand-in gets dummy credentials.
  AWS_ENDPOINT_URL_SECRETS_MANAGER: endpointUrl().optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
});

/** The ESM emulator CLI's environment, read once. */
export interface EsmCliConfig {
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Where the mappings' secrets are read (the local stand-in); otherwise the region's Secrets Manager. */
  readonly secretsManagerEndpoint: string | undefined;
  /** Whether AWS credentials are in the environment (a local endpoint gets dummy ones otherwise). */
  readonly hasAwsCredentials: boolean;
}

/**
 * Reads the emulator CLI's environment variables.
 *
 * @throws {ConfigError} naming every malformed variable.
 */
export const readEsmCliConfig = (env: NodeJS.ProcessEnv = process.env): EsmCliConfig => {
  const parsed = readEnv(Env, env);
  return Object.freeze({
    logLevel: parsed.ESM_LOG_LEVEL ?? 'INFO',
    secretsManagerEndpoint: parsed.AWS_ENDPOINT_URL_SECRETS_MANAGER,
    hasAwsCredentials: parsed.AWS_ACCESS_KEY_ID !== undefined,
  });
};

const seconds = (flag: string, min: 'zero' | 'positive') =>
  min === 'zero'
    ? numberFlag(flag).min(0, `${flag} expects seconds (0 or more)`)
    : numberFlag(flag).positive(`${flag} expects seconds (more than 0)`);

const FlagsSchema = z.object({
  brokers: brokerList().optional(),
  config: z.string().optional(),
  stage: z.string().optional(),
  functions: z.array(z.string()).optional(),
  env: assignmentsFlag('--env'),
  bundleDir: z.string().optional(),
  statsEverySeconds: seconds('--stats-interval', 'zero').default(5),
  // The broker's default group.min.session.timeout.ms is 6000.
  sessionTimeoutMs: wholeFlag('--session-timeout')
    .min(6000, '--session-timeout expects milliseconds, at least 6000')
    .optional(),
  scalingIntervalMs: seconds('--scaling-interval', 'positive')
    .transform((value) => value * 1000)
    .optional(),
  scalingDelayMs: seconds('--scaling-delay', 'positive')
    .transform((value) => value * 1000)
    .optional(),
  metricsFile: z.string().optional(),
  metricsIntervalMs: seconds('--metrics-interval', 'positive')
    .transform((value) => value * 1000)
    .optional(),
  json: z.boolean(),
});

/** The ESM emulator CLI's flags. */
export type EsmCliFlags = z.infer<typeof FlagsSchema>;

/**
 * Reads the emulator CLI's flags.
 *
 * @throws {EsmError} naming every bad flag.
 */
export const parseEsmCliArgs = (
  argv: readonly string[],
): { help: true } | { help: false; options: EsmCliFlags } =>
  parseCliArgs(argv, {
    options: {
      brokers: { type: 'string' },
      config: { type: 'string' },
      stage: { type: 'string' },
      function: { type: 'string', multiple: true },
      env: { type: 'string', multiple: true },
      'bundle-dir': { type: 'string' },
      'stats-interval': { type: 'string' },
      'session-timeout': { type: 'string' },
      'scaling-interval': { type: 'string' },
      'scaling-delay': { type: 'string' },
      'metrics-file': { type: 'string' },
      'metrics-interval': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    toInput: (values) => ({
      brokers: values.brokers,
      config: values.config,
      stage: values.stage,
      functions: values.function,
      env: values.env,
      bundleDir: values['bundle-dir'],
      statsEverySeconds: values['stats-interval'],
      sessionTimeoutMs: values['session-timeout'],
      scalingIntervalMs: values['scaling-interval'],
      scalingDelayMs: values['scaling-delay'],
      metricsFile: values['metrics-file'],
      metricsIntervalMs: values['metrics-interval'],
      json: values.json === true,
    }),
    schema: FlagsSchema,
    makeError: (message, options) => new EsmError(message, options),
  });
