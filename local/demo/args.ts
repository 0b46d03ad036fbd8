import { z } from 'zod';
import {
  DEFAULT_BURST,
  type RateProfileSpec,
  rateProfile,
  rateProfileSpecOf,
  recordsIn,
} from '../../load-generator/rate-profile.ts';
import { AppError } from '../../services/commons/errors.ts';
import { numberFlag, parseCliArgs, portFlag } from '../../tooling/cli-args.ts';
import { STATE_ENGINES } from '../stack/state-engine.ts';

/** `npm run demo -- --help`. */
export const USAGE = `Usage: npm run demo -- [options]

The whole pipeline on this machine, for real: starts a Kafka broker and dynalite, runs the
ksql migrations on the embedded engine, starts the event source mapping emulator with the
bundled Lambda functions from serverless.yml and the dashboard, drives it all with the load
generator, waits for the pipeline to drain and checks that nothing was lost or counted twice.

  --duration <s>      seconds of load (default 60)
  --rate <n>          events per second (default 200)
  --burst <n>         events per second during bursts (load generator --burst): --burst-seconds
                      at this rate at the end of every --burst-every seconds
  --burst-seconds <s> length of a burst (default 60)
  --burst-every <s>   start-to-start distance of two bursts (default 240)
  --scaling-interval <s>  how often the event source mappings evaluate their offset lag to
                      scale event pollers, and how long an on-demand change takes (default 60,
                      as on AWS); e.g. 2 to see a burst scale the pollers out within a short run
  --seed <n>          load generator seed: same seed, same shoppers (default 1)
  --bad-rate <f>      share of bad records (malformed, schema-invalid, oversized), 0–0.5 (default 0.01)
  --state <engine>    where the windows run: ksql (the embedded ksql engine, default) or
                      flink (flink/ on a local Apache Flink, jars from Maven Central)
  --session-gap <s>   ksql session window gap in seconds; the generator idles longer (default 10)
  --drain-timeout <s> longest wait for the pipeline to catch up after the load (default 120)
  --format <f>        json | avro (default json). avro: the load generator writes Avro in the
                      Confluent wire format (schema in the stack's registry) and the
                      aggregation mapping runs in provisioned mode with a SchemaRegistryConfig
                      (EventRecordFormat JSON, VALUE validated, failures to
                      clickstream-esm-failures); bad records then fail validation there
  --port <n>          dashboard port (default: any free port)
  --no-dashboard      do not start the dashboard
  --json              end with a one-line JSON summary on stdout (progress goes to stderr)
  -h, --help          this text

Environment: KAFKA_BROKERS and DYNAMODB_ENDPOINT use existing services instead of launching
them (the demo then creates its topics and tables there).
Exit codes: 0 conserved, 1 not conserved or failed, 2 invalid flags, 130 interrupted.`;

const positive = (flag: string) => numberFlag(flag).positive(`${flag} must be > 0`);

const DemoOptionsSchema = z
  .object({
    duration: positive('--duration').max(3600, '--duration must be ≤ 3600'),
    rate: positive('--rate').max(20_000, '--rate must be ≤ 20000'),
    burst: positive('--burst').max(20_000, '--burst must be ≤ 20000').optional(),
    burstSeconds: positive('--burst-seconds').optional(),
    burstEvery: positive('--burst-every').optional(),
    scalingInterval: positive('--scaling-interval').max(600, '--scaling-interval must be ≤ 600'),
    seed: z.coerce.number({ error: '--seed must be a number' }).int('--seed must be a whole number'),
    badRate: z.coerce
      .number({ error: '--bad-rate must be a number' })
      .min(0, '--bad-rate must be ≥ 0')
      .max(0.5, '--bad-rate must be ≤ 0.5'),
    sessionGap: positive('--session-gap').int('--session-gap must be whole seconds').max(3600),
    drainTimeout: positive('--drain-timeout'),
    format: z.enum(['json', 'avro'], { error: '--format must be json or avro' }),
    state: z.enum(STATE_ENGINES, { error: '--state must be ksql or flink' }),
    port: portFlag('--port').optional(),
    dashboard: z.boolean(),
    json: z.boolean(),
  })
  .refine((options) => options.rate * options.duration >= 1, {
    message: '--rate × --duration must be at least 1 event: a run that produces nothing checks nothing',
  })
  .refine(
    (options) => options.burst !== undefined || (options.burstSeconds ?? options.burstEvery) === undefined,
    {
      message: '--burst-seconds and --burst-every need --burst <rate>',
    },
  )
  .refine(
    (options) =>
      (options.burstSeconds ?? DEFAULT_BURST.seconds) < (options.burstEvery ?? DEFAULT_BURST.everySeconds),
    {
      message: '--burst-seconds must be less than --burst-every',
    },
  );
export type DemoOptions = z.infer<typeof DemoOptionsSchema>;

/** The load shape of the run (the load generator's, from the same flags). */
export const demoRateProfile = (options: DemoOptions): RateProfileSpec => rateProfileSpecOf(options);

/** Events the run produces (valid and bad). */
export const demoEvents = (options: DemoOptions): number =>
  recordsIn(rateProfile(demoRateProfile(options)), options.duration * 1000);

/** Invalid flags: the CLI prints the message with the usage and exits 2. */
export class DemoUsageError extends AppError {
  readonly code: string = 'DEMO_USAGE';
}

/**
 * Parses the demo's flags.
 *
 * @throws {DemoUsageError} naming the flag.
 */
export const parseDemoArgs = (
  argv: readonly string[],
): { help: true } | { help: false; options: DemoOptions } => {
  return parseCliArgs(argv, {
    options: {
      duration: { type: 'string', default: '60' },
      rate: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      burst: { type: 'string' },
      'burst-seconds': { type: 'string' },
      'burst-every': { type: 'string' },
      'scaling-interval': { type: 'string', default: '60' },
      'bad-rate': { type: 'string', default: '0.01' },
      'session-gap': { type: 'string', default: '10' },
      'drain-timeout': { type: 'string', default: '120' },
      format: { type: 'string', default: 'json' },
      state: { type: 'string', default: 'ksql' },
      port: { type: 'string' },
      'no-dashboard': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    toInput: (values) => ({
      duration: values.duration,
      rate: values.rate,
      seed: values.seed,
      burst: values.burst,
      burstSeconds: values['burst-seconds'],
      burstEvery: values['burst-every'],
      scalingInterval: values['scaling-interval'],
      badRate: values['bad-rate'],
      sessionGap: values['session-gap'],
      drainTimeout: values['drain-timeout'],
      format: values.format,
      state: values.state,
      port: values.port,
      dashboard: values['no-dashboard'] !== true,
      json: values.json === true,
    }),
    schema: DemoOptionsSchema,
    makeError: (message, options) => new DemoUsageError(message, options),
  });
};
