import {
  Kafka,
  type KafkaConfig,
  type LogEntry,
  logLevel,
  type RetryOptions,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaConnection, SaslSettings } from './connection.ts';
import { mskIamSasl } from './msk-iam.ts';

/** The part of a structured logger the client writes to; Powertools' Logger fits. */
export interface KafkaClientLog {
  debug(message: string, ...fields: Record<string, unknown>[]): void;
  warn(message: string, ...fields: Record<string, unknown>[]): void;
  error(message: string, ...fields: Record<string, unknown>[]): void;
}

/** What a caller tunes about the client besides where the cluster is. */
export interface KafkaClientOptions {
  readonly clientId: string;
  /** kafkajs' own log lines go here, as structured fields. */
  readonly log: KafkaClientLog;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly retry?: RetryOptions;
  /**
   * kafkajs logs at ERROR what it retries and recovers from (a connection dropped, a leader
   * that moved). Lines starting with one of these prefixes are logged at DEBUG instead: the
   * caller reports the failure once if the retries do not recover.
   */
  readonly quiet?: readonly string[];
}

/** kafkajs' SASL options for the project's settings; MSK IAM signs a token per (re)authentication. */
export const saslOptions = (sasl: SaslSettings): SASLOptions =>
  sasl.mechanism === 'aws-msk-iam'
    ? mskIamSasl(sasl.region)
    : { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };

let negativeTimeoutsSilenced = false;

/**
 * kafkajs 2.2.4 schedules its request queue's next check with a negative delay
 * (`throttledUntil - Date.now()` while nothing is throttled), and Node 24 warns about every such
 * timer (TimeoutNegativeWarning) before running it after 1 ms, as it always did
 * (https://github.com/tulios/kafkajs/issues/1751, unfixed upstream). Harmless, and printed by
 * every tool: dropped here, once per process, the other warnings untouched.
 */
const silenceNegativeTimeoutWarnings = (): void => {
  if (negativeTimeoutsSilenced) return;
  negativeTimeoutsSilenced = true;
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const [typeOrOptions] = rest;
    const type =
      typeof typeOrOptions === 'string'
        ? typeOrOptions
        : typeof typeOrOptions === 'object' && typeOrOptions !== null && 'type' in typeOrOptions
          ? typeOrOptions.type
          : typeof warning === 'object'
            ? warning.name
            : undefined;
    if (type === 'TimeoutNegativeWarning') return;
    (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
};

/**
 * The one place a kafkajs client is built: TLS and SASL from the connection settings, kafkajs'
 * log routed to the structured logger. Everything else in the project speaks through ports
 * built on this client, so a change of Kafka client touches the adapters only.
 */
export const createKafkaClient = (connection: KafkaConnection, options: KafkaClientOptions): Kafka => {
  silenceNegativeTimeoutWarnings();
  const quiet = options.quiet ?? [];
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...connection.brokers],
    ssl: connection.ssl,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        // `timestamp` and `logger` are keys the structured logger keeps for itself.
        const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
        const entry = { kafkajsLevel: logLevel[level], ...fields };
        if (quiet.some((prefix) => message.startsWith(prefix)))
          options.log.debug(`kafkajs: ${message}`, entry);
        else if (level === logLevel.ERROR) options.log.error(`kafkajs: ${message}`, entry);
        else options.log.warn(`kafkajs: ${message}`, entry);
      },
  };
  if (connection.sasl !== undefined) config.sasl = saslOptions(connection.sasl);
  if (options.connectionTimeoutMs !== undefined) config.connectionTimeout = options.connectionTimeoutMs;
  if (options.requestTimeoutMs !== undefined) config.requestTimeout = options.requestTimeoutMs;
  if (options.retry !== undefined) config.retry = options.retry;
  return new Kafka(config);
};
