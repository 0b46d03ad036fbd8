import { z } from 'zod';
import { numberFlag, parseCliArgs, wholeFlag } from '../tooling/cli-args.ts';
import { UsageError } from './errors.ts';
import { DEFAULT_BURST } from './rate-profile.ts';

/** `npm run load -- --help`. */
export const USAGE = `Usage: npm run load -- [options]

Simulated shoppers (and a few bots) browsing a web shop, produced to Kafka as clickstream
events keyed by user id. Connects to the local stack (npm run stack -- up) or to
KAFKA_BROKERS (see docs/load-generator.md for SASL/SSL and the profiles table).

Volume and pace
  --rate <n>           events per second, paced evenly (default 100)
  --burst <n>          events per second during bursts: --burst-seconds at this rate at
                       the end of every --burst-every seconds, --rate in between — the load
                       that makes the event source mapping's pollers scale out and back in
  --burst-seconds <s>  length of a burst (default 60)
  --burst-every <s>    start-to-start distance of two bursts, > --burst-seconds (default 240)
  --duration <s>       send s seconds of events (rate × s without bursts), then stop
  --events <n>         send n events, then stop (default: until Ctrl-C)
  --users <n>          distinct human users, each with a profile (default: enough for
                       the rate and session gap, e.g. 28000 at --rate 2000)
  --bot-share <f>      share of events from crawler bots, 0–0.5 (default 0.05)
  --session-gap <s>    minimum idle seconds between two sessions of a user; keep it at or
                       above the session window gap downstream (default 30)
  --bad-rate <f>       share of deliberately bad records, 0–1, split evenly between
                       malformed JSON, schema-invalid and oversized (default 0)

Reproducibility
  --seed <n>           same seed and flags → same users, sessions and records
                       (default: random, printed in the summary)
  --start-time <t>     simulated time 0, ISO-8601 or epoch ms (default: now). Pin it as
                       well to get byte-identical records, ids and event times included

Kafka
  --topic <name>       (default clickstream-events)
  --partitions <n>     partitions if the topic has to be created (default 6)
  --batch-size <n>     most records per produce request (default 2000)
  --compression <c>    none | gzip (default none)
  --format <f>         json | avro (default json). avro: Avro values in the Confluent wire
                       format, the schema registered under <topic>-value at start in the
                       registry at SCHEMA_REGISTRY_URL (or the local stack's)

User profiles (DynamoDB)
  --seed-profiles      write the users' profiles first; fail if no table is configured
                       (default: write them when a table is configured)
  --skip-profiles      do not write profiles
  --profiles-only      write the profiles and exit without producing events

Output
  --json               print only a one-line JSON summary on stdout (no progress bar)
  -h, --help           show this help

Ends when the events are sent (--events, --duration) or on Ctrl-C; a Kafka that cannot be
reached, or that accepts connections and never answers, ends the run within 20 s (10 s to
connect) with one message naming the brokers.

Exit codes: 0 done, 1 failure (e.g. Kafka unreachable), 2 invalid flags, 130 interrupted.`;

const count = (flag: string) => wholeFlag(flag).positive(`${flag} must be > 0`);
const fraction = (flag: string, max: number) =>
  numberFlag(flag).min(0, `${flag} must be ≥ 0`).max(max, `${flag} must be ≤ ${max}`);

const startTime = z.string().transform((text, ctx) => {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    ctx.addIssue({ code: 'custom', message: '--start-time must be an ISO-8601 date or epoch milliseconds' });
    return z.NEVER;
  }
  return ms;
});

const OptionsSchema = z
  .object({
    rate: z.coerce
      .number({ error: '--rate must be a number' })
      .positive('--rate must be > 0')
      .max(10_000_000, '--rate must be ≤ 10000000')
      .default(100),
    burst: z.coerce
      .number({ error: '--burst must be a number' })
      .positive('--burst must be > 0')
      .max(10_000_000, '--burst must be ≤ 10000000')
      .optional(),
    burstSeconds: numberFlag('--burst-seconds').positive('--burst-seconds must be > 0').optional(),
    burstEvery: numberFlag('--burst-every').positive('--burst-every must be > 0').optional(),
    duration: z.coerce
      .number({ error: '--duration must be a number' })
      .positive('--duration must be > 0')
      .optional(),
    events: count('--events').optional(),
    users: count('--users').max(10_000_000, '--users must be ≤ 10000000').optional(),
    botShare: fraction('--bot-share', 0.5).default(0.05),
    sessionGap: z.coerce
      .number({ error: '--session-gap must be a number' })
      .positive('--session-gap must be > 0')
      .default(30),
    badRate: fraction('--bad-rate', 1).default(0),
    seed: z.coerce
      .number({ error: '--seed must be a number' })
      .int('--seed must be a whole number')
      .min(0, '--seed must be ≥ 0')
      .max(2 ** 32 - 1, '--seed must be < 2^32')
      .optional(),
    startTime: startTime.optional(),
    topic: z
      .string()
      .regex(/^[a-zA-Z0-9._-]{1,249}$/, '--topic must be 1–249 of a-z A-Z 0-9 . _ -')
      .default('clickstream-events'),
    partitions: count('--partitions').max(1000, '--partitions must be ≤ 1000').default(6),
    batchSize: count('--batch-size').max(100_000, '--batch-size must be ≤ 100000').default(2000),
    compression: z.enum(['none', 'gzip'], { error: '--compression must be none or gzip' }).default('none'),
    format: z.enum(['json', 'avro'], { error: '--format must be json or avro' }).default('json'),
    seedProfiles: z.boolean().default(false),
    skipProfiles: z.boolean().default(false),
    profilesOnly: z.boolean().default(false),
    json: z.boolean().default(false),
  })
  .superRefine((options, ctx) => {
    if (options.duration !== undefined && options.events !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give --duration or --events, not both' });
    }
    if (
      options.burst === undefined &&
      (options.burstSeconds !== undefined || options.burstEvery !== undefined)
    ) {
      ctx.addIssue({ code: 'custom', message: '--burst-seconds and --burst-every need --burst <rate>' });
    }
    if (options.burst !== undefined) {
      const seconds = options.burstSeconds ?? DEFAULT_BURST.seconds;
      const every = options.burstEvery ?? DEFAULT_BURST.everySeconds;
      if (seconds >= every) {
        ctx.addIssue({
          code: 'custom',
          message: `--burst-seconds (${seconds}) must be less than --burst-every (${every})`,
        });
      }
    }
    if (options.skipProfiles && (options.seedProfiles || options.profilesOnly)) {
      ctx.addIssue({
        code: 'custom',
        message: '--skip-profiles contradicts --seed-profiles / --profiles-only',
      });
    }
  });

/** The validated command line. */
export type LoadOptions = z.infer<typeof OptionsSchema>;

/** What the command line asks for: help, or a run. */
export type ParsedArgs = { help: true } | { help: false; options: LoadOptions };

/**
 * Parses and validates the flags.
 *
 * @throws {UsageError} naming the offending flag — the CLI exits 2 before sending anything.
 */
export const parseLoadArgs = (argv: readonly string[]): ParsedArgs => {
  return parseCliArgs(argv, {
    options: {
      rate: { type: 'string' },
      burst: { type: 'string' },
      'burst-seconds': { type: 'string' },
      'burst-every': { type: 'string' },
      duration: { type: 'string' },
      events: { type: 'string' },
      users: { type: 'string' },
      'bot-share': { type: 'string' },
      'session-gap': { type: 'string' },
      'bad-rate': { type: 'string' },
      seed: { type: 'string' },
      'start-time': { type: 'string' },
      topic: { type: 'string' },
      partitions: { type: 'string' },
      'batch-size': { type: 'string' },
      compression: { type: 'string' },
      format: { type: 'string' },
      'seed-profiles': { type: 'boolean' },
      'skip-profiles': { type: 'boolean' },
      'profiles-only': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    toInput: (values) => ({
      rate: values.rate,
      burst: values.burst,
      burstSeconds: values['burst-seconds'],
      burstEvery: values['burst-every'],
      duration: values.duration,
      events: values.events,
      users: values.users,
      botShare: values['bot-share'],
      sessionGap: values['session-gap'],
      badRate: values['bad-rate'],
      seed: values.seed,
      startTime: values['start-time'],
      topic: values.topic,
      partitions: values.partitions,
      batchSize: values['batch-size'],
      compression: values.compression,
      format: values.format,
      seedProfiles: values['seed-profiles'],
      skipProfiles: values['skip-profiles'],
      profilesOnly: values['profiles-only'],
      json: values.json,
    }),
    schema: OptionsSchema,
    makeError: (message, options) => new UsageError(message, options),
  });
};
