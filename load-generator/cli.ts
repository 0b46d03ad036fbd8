#!/usr/bin/env -S npx tsx
/**
 * `npm run load -- [options]`: the clickstream load generator's command line. Parses the
 * flags, reads the configuration, builds the clients once, then hands over to
 * {@link produceLoad}. `--help` lists the flags; docs/load-generator.md explains the model.
 */
import { randomInt } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Producer } from 'kafkajs';
import { DynamoDbProfileStore } from '../services/profiles/index.ts';
import { createSchemaRegistryClient } from '../services/schema-registry/client.ts';
import { createToolLogger, type ToolLog } from '../tooling/logger.ts';
import { type LoadOptions, parseLoadArgs, USAGE } from './args.ts';
import {
  type KafkaSettings,
  type LoadGeneratorConfig,
  loadConfig,
  NO_KAFKA_MESSAGE,
  NO_REGISTRY_MESSAGE,
  type ProfilesTarget,
} from './config.ts';
import { ConfigError, LoadGeneratorError, UsageError } from './errors.ts';
import { connectProducer, createKafka, ensureTopic } from './kafka-client.ts';
import { produceLoad } from './produce-load.ts';
import { type Progress, type ProgressMode, startProgress } from './progress.ts';
import {
  type RateProfile,
  type RateProfileSpec,
  rateProfile,
  rateProfileSpecOf,
  recordsIn,
} from './rate-profile.ts';
import { seedProfiles } from './seed-profiles.ts';
import { recommendedUsers } from './simulation.ts';
import { registerAvroEncoder, type ValueEncoder, valueSubject } from './value-format.ts';

const EXIT_INTERRUPTED = 130;

/** The flags, or the exit code when there is nothing to run (help, or a usage error). */
const parseOptions = (argv: readonly string[]): LoadOptions | number => {
  try {
    const parsed = parseLoadArgs(argv);
    if (!parsed.help) return parsed.options;
    process.stdout.write(`${USAGE}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`load-generator: ${error.message}\nRun with --help for the options.\n`);
    return error.exitCode;
  }
};

/** Users for the peak rate: a burst must not find every user resting in a session gap. */
const usersFor = (options: LoadOptions, profile: RateProfile, logger: ToolLog): number => {
  const recommended = recommendedUsers(profile.peakRate, options.botShare, options.sessionGap * 1000);
  const users = options.users ?? recommended;
  if (users < recommended) {
    logger.warn(
      'fewer users than the rate needs: visits will be faster than people browse (gaps still hold)',
      {
        users,
        recommended,
      },
    );
  }
  return users;
};

/** With `--format avro`, the value schema registered and its encoder; JSON otherwise. */
const valueEncoder = async (
  options: LoadOptions,
  config: LoadGeneratorConfig,
  logger: ToolLog,
): Promise<ValueEncoder | undefined> => {
  if (options.format !== 'avro') return undefined;
  if (config.schemaRegistryUrl === undefined) throw new ConfigError(NO_REGISTRY_MESSAGE);
  const registry = createSchemaRegistryClient({
    url: config.schemaRegistryUrl,
    ...(config.schemaRegistryBasicAuth === undefined ? {} : { basicAuth: config.schemaRegistryBasicAuth }),
  });
  const avro = await registerAvroEncoder(registry, options.topic);
  logger.info('value schema registered', {
    registry: registry.url,
    subject: valueSubject(options.topic),
    schemaId: avro.schemaId,
  });
  return avro.encode;
};

/** The topic ensured and the producer connected, with the run's settings logged once. */
const openProducer = async (
  kafka: KafkaSettings,
  options: LoadOptions,
  run: { seed: number; startTime: number; burst: RateProfileSpec['burst'] },
  logger: ToolLog,
): Promise<Producer> => {
  const client = createKafka(kafka, logger);
  const topic = await ensureTopic(client, kafka.brokers, options.topic, options.partitions);
  logger.info('producing', {
    brokers: kafka.brokers,
    brokersFrom: kafka.source,
    topic: options.topic,
    partitions: topic.partitions,
    topicCreated: topic.created,
    rate: options.rate,
    ...(run.burst === undefined ? {} : { burst: run.burst }),
    seed: run.seed,
    startTime: new Date(run.startTime).toISOString(),
  });
  return connectProducer(client, kafka.brokers);
};

/** Ctrl-C (or SIGTERM) stops the run after a flush; a second one quits at once. */
const interruptOnSignals = (logger: ToolLog): { signal: AbortSignal; release: () => void } => {
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(EXIT_INTERRUPTED);
    logger.warn('interrupted: stopping, flushing what was sent (Ctrl-C again to quit at once)');
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return {
    signal: interrupt.signal,
    release: () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    },
  };
};

const main = async (argv: readonly string[]): Promise<number> => {
  const logger = createToolLogger('load-generator');
  const options = parseOptions(argv);
  if (typeof options === 'number') return options;

  const config = loadConfig();
  const seed = options.seed ?? randomInt(2 ** 32 - 1);
  const startTime = options.startTime ?? Date.now();
  const mode: ProgressMode = options.json ? 'off' : process.stderr.isTTY ? 'bar' : 'log';
  const kafka = options.profilesOnly ? undefined : requireKafka(config);
  const spec = rateProfileSpecOf(options);
  const profile = rateProfile(spec);
  const users = usersFor(options, profile, logger);

  const profilesTarget = profilesToWrite(options, config);
  const profilesWritten =
    profilesTarget === undefined ? 0 : await writeProfiles(profilesTarget, seed, users, mode, logger);
  if (options.profilesOnly) {
    report(options.json, { profilesWritten, seed, table: profilesTarget?.tableName ?? null });
    return 0;
  }
  if (kafka === undefined) throw new ConfigError(NO_KAFKA_MESSAGE);

  const encode = await valueEncoder(options, config, logger);
  const producer = await openProducer(kafka, options, { seed, startTime, burst: spec.burst }, logger);
  const interrupt = interruptOnSignals(logger);
  const total =
    options.events ??
    (options.duration !== undefined ? recordsIn(profile, options.duration * 1000) : Infinity);
  try {
    return await sendLoad(producer, {
      options,
      simulation: { seed, startTime, burst: spec.burst, users },
      total,
      encode,
      signal: interrupt.signal,
      mode,
      profilesWritten,
      logger,
    });
  } finally {
    interrupt.release();
    await disconnect(producer);
  }
};

/** Produces the load, shows its progress, reports the summary; the exit code. */
const sendLoad = async (
  producer: Producer,
  run: {
    options: LoadOptions;
    simulation: { seed: number; startTime: number; burst: RateProfileSpec['burst']; users: number };
    total: number;
    encode: ValueEncoder | undefined;
    signal: AbortSignal;
    mode: ProgressMode;
    profilesWritten: number;
    logger: ToolLog;
  },
): Promise<number> => {
  const { options, logger } = run;
  let progress: Progress | undefined;
  try {
    const result = await produceLoad(producer, {
      simulation: {
        ...run.simulation,
        rate: options.rate,
        botShare: options.botShare,
        badRate: options.badRate,
        sessionGapMs: options.sessionGap * 1000,
      },
      topic: options.topic,
      total: run.total,
      batchSize: options.batchSize,
      compression: options.compression,
      ...(run.encode === undefined ? {} : { encode: run.encode }),
      signal: run.signal,
      onSendError: (error) => logger.error('send failed: stopping', { error: describe(error) }),
      onStart: (stats) => {
        progress = startProgress(run.mode, run.total, stats, logger);
      },
    });
    progress?.stop();
    if (result.simulation.slippedMs > 0) {
      logger.warn('every user was resting at times: the simulated clock skipped ahead (raise --users)', {
        skippedSeconds: Math.round(result.simulation.slippedMs / 1000),
      });
    }
    const { sent, acked, valid, bad, errors } = result.stats;
    report(options.json, {
      sent,
      acked,
      valid,
      bad,
      errors,
      durationMs: Math.round(result.durationMs),
      rate: Math.round((acked * 1000) / Math.max(1, result.durationMs)),
      topic: options.topic,
      format: options.format,
      seed: run.simulation.seed,
      startTime: run.simulation.startTime,
      interrupted: result.interrupted,
      profilesWritten: run.profilesWritten,
    });
    if (errors > 0) return 1;
    return result.interrupted ? EXIT_INTERRUPTED : 0;
  } finally {
    progress?.stop();
  }
};

const requireKafka = (config: LoadGeneratorConfig) => {
  if (config.kafka === undefined) throw new ConfigError(NO_KAFKA_MESSAGE);
  return config.kafka;
};

/** Profiles are written when asked, or by default when a table is configured. */
const profilesToWrite = (options: LoadOptions, config: LoadGeneratorConfig): ProfilesTarget | undefined => {
  if (options.skipProfiles) return undefined;
  if ((options.seedProfiles || options.profilesOnly) && config.profiles === undefined) {
    throw new ConfigError(
      'no user-profiles table: set USER_PROFILES_TABLE (and DYNAMODB_ENDPOINT for an emulator), or start the local stack with `npm run stack -- up`',
    );
  }
  return config.profiles;
};

const writeProfiles = async (
  target: ProfilesTarget,
  seed: number,
  users: number,
  mode: ProgressMode,
  logger: ToolLog,
): Promise<number> => {
  const client = new DynamoDBClient({
    ...(target.endpoint !== undefined ? { endpoint: target.endpoint } : {}),
    // An emulator ignores the region, but the SDK insists on one.
    ...(target.region !== undefined
      ? { region: target.region }
      : target.endpoint !== undefined
        ? { region: 'us-east-1' }
        : {}),
    ...(target.emulatorCredentials
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  const store = new DynamoDbProfileStore(DynamoDBDocumentClient.from(client), target.tableName);
  logger.info('seeding user profiles', { table: target.tableName, tableFrom: target.source, users, seed });
  let written = 0;
  let progress: Progress | undefined;
  try {
    const result = await seedProfiles(store, seed, users, (done) => {
      progress ??= startProgress(mode, users, () => profileStats(written), logger, 'profiles');
      written = done;
    });
    if (result.written === 0)
      logger.info('user profiles already in place', { table: target.tableName, users });
    return result.written;
  } finally {
    progress?.stop();
    client.destroy();
  }
};

const profileStats = (written: number) => ({
  sent: written,
  acked: written,
  valid: written,
  bad: { malformedJson: 0, schemaInvalid: 0, oversized: 0 },
  errors: 0,
  bytes: 0,
});

const report = (json: boolean, summary: Record<string, unknown>) => {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const lines = Object.entries(summary).map(
    ([key, value]) =>
      `  ${key.padEnd(16)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
  );
  process.stdout.write(`load generator summary\n${lines.join('\n')}\n`);
};

const disconnect = async (producer: Producer) => {
  await producer.disconnect().catch(() => {});
};

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

// Exit explicitly once main settles: a kafkajs client that gave up on a silent broker can
// leave sockets and retry timers behind that would keep the process alive for good.
const exit = (code: number) =>
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  const code = error instanceof LoadGeneratorError ? error.exitCode : 1;
  process.stderr.write(`load-generator: ${describe(error)}\n`);
  exit(code);
});
