import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { KafkaConnection } from '../../services/kafka/connection.ts';
import { parseCliArgs, wholeFlag } from '../../tooling/cli-args.ts';
import { resolveEndpoints } from '../../tooling/endpoints.ts';
import { BenchUsageError } from './errors.ts';

/** `npm run bench:pipeline -- --help`. */
export const USAGE = `Usage: npm run bench:pipeline -- [options]

The serverless path (ESM emulator + the bundled aggregation Lambda) against a server-based
kafkajs consumer running the same aggregation, on the same load-generator workload:
  (a) throughput, DynamoDB writes stubbed and real (dynalite)
  (b) DynamoDB write units per 10k events against a per-event PutItem handler, at 200
      and 2,000 events/s, with the ratio and the cost per 1M events (Lambda + DynamoDB)
  (c) batch size × batching window sweep: throughput, p99 event-to-DynamoDB latency, cost
Prints its method first, then markdown tables (stdout); progress goes to stderr.

Options
  --quick            smoke run: small workload, one round, a 2 × 2 sweep (about 3 min)
  --only <list>      sections to run, comma-separated from a, b, c (default a,b,c)
  --events <n>       backlog events per throughput run, stubbed and dynalite alike
                     (default 60000; quick 10000)
  --partitions <n>   partitions of the topics of (a) and (b): one function environment per
                     partition (default: this machine's cores, ${availableParallelism()}; on AWS each
                     environment has its own CPU, here they share the cores — try 6, the stack's)
  --rounds <n>       rounds of (a); each round runs every variant once (default 3; quick 1)
  --rate <n>         steady events/s in the sweep's latency phase, on one partition
                     (default 50: what dynalite absorbs on a busy 2-core machine)
  -h, --help         show this help

Environment
  KAFKA_BROKERS      host:port[,…] of a running broker; otherwise one is launched for the run
  DYNAMODB_ENDPOINT  a running DynamoDB endpoint; otherwise dynalite runs in a child process`;

/** Sections of the benchmark. */
export const Section = { Throughput: 'a', WriteRequests: 'b', Sweep: 'c' } as const;
export type Section = (typeof Section)[keyof typeof Section];

/** Everything a run needs to know, validated. */
export interface PipelineBenchConfig {
  readonly quick: boolean;
  readonly sections: ReadonlySet<Section>;
  /** Backlog of the stubbed throughput runs. */
  readonly events: number;
  /**
   * Backlog of the throughput runs writing to dynalite: the same as the stubbed runs'. A batch
   * writes its minute's counter items once whatever its size (docs/data-model.md), so dynalite
   * no longer limits the backlog; and a backlog under BatchSize (10,000 as deployed) would
   * measure the 5 s batching window, not the path (a batch goes at BatchSize, 6 MB or the window).
   */
  readonly dynamoDbEvents: number;
  readonly rounds: number;
  readonly naiveEvents: number;
  /** Events of each (b) run of ours (at 200 and at 2,000 events/s). */
  readonly wruEvents: number;
  readonly partitions: number;
  readonly sweep: {
    readonly batchSizes: readonly number[];
    /** `undefined`: MaximumBatchingWindowInSeconds unset, Lambda's 500 ms Kafka default. */
    readonly windowsSeconds: readonly (number | undefined)[];
    readonly backlogEvents: number;
    /**
     * One partition: dynalite absorbs only 100–200 writes/s on a busy 2-core machine,
     * which caps the steady rate at about 50 events/s; on one partition that rate still
     * fills a batch of 100 within the 5 s window, while the shorter windows cut batches
     * before any size. A saturated pipeline would measure its queue, not the mapping.
     */
    readonly partitions: number;
    readonly pacedRate: number;
    readonly pacedSeconds: number;
  };
  /** Simulated events/s of the backlog workload (how much traffic a minute of it holds). */
  readonly workloadRate: number;
  /** KAFKA_BROKERS; otherwise the bench launches a broker of its own. */
  readonly kafka: KafkaConnection | undefined;
  readonly dynamodbEndpoint: string | undefined;
}

const positive = (flag: string) => wholeFlag(flag).positive(`${flag} must be > 0`);

const Flags = z.object({
  quick: z.boolean().default(false),
  only: z
    .string()
    .default('a,b,c')
    .transform((list) => list.split(','))
    .pipe(
      z.array(z.enum(Section, { error: '--only must list sections among a, b, c, comma-separated' })).min(1),
    ),
  events: positive('--events').max(2_000_000, '--events must be ≤ 2000000').optional(),
  rounds: positive('--rounds').max(10, '--rounds must be ≤ 10').optional(),
  rate: positive('--rate').max(50_000, '--rate must be ≤ 50000').optional(),
  partitions: positive('--partitions').max(64, '--partitions must be ≤ 64').default(availableParallelism()),
});

/** What {@link readConfig} returns: a config to run with, or the request for help. */
export type ParsedConfig =
  | { readonly help: true }
  | { readonly help: false; readonly config: PipelineBenchConfig };

/**
 * Reads the command line and the environment once.
 *
 * @throws {BenchUsageError} naming the flag or variable that is wrong.
 */
export const readConfig = (
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): ParsedConfig => {
  const parsed = parseCliArgs(argv, {
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      events: { type: 'string' },
      rounds: { type: 'string' },
      rate: { type: 'string' },
      partitions: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    toInput: (values) => values,
    schema: Flags,
    makeError: (message, options) => new BenchUsageError(message, options),
  });
  if (parsed.help) return { help: true };
  const flags = parsed.options;
  // The environment only: a running stack's consumers would load the broker the bench measures.
  const environment = resolveEndpoints(
    env,
    undefined,
    (message, options) => new BenchUsageError(message, options),
  );
  const { quick } = flags;
  return {
    help: false,
    config: Object.freeze({
      quick,
      sections: new Set(flags.only),
      events: flags.events ?? (quick ? 10_000 : 60_000),
      dynamoDbEvents: flags.events ?? (quick ? 10_000 : 60_000),
      rounds: flags.rounds ?? (quick ? 1 : 3),
      naiveEvents: quick ? 2_000 : 5_000,
      wruEvents: quick ? 10_000 : 30_000,
      partitions: flags.partitions,
      sweep: {
        // The first design's mapping (500, 1 s) next to the deployed one (10,000, 5 s), the
        // default window and the previous deployed one (10 s).
        batchSizes: quick ? [500, 10_000] : [100, 500, 10_000],
        windowsSeconds: quick ? [1, 5] : [undefined, 1, 5, 10],
        backlogEvents: quick ? 1_000 : 1_500,
        partitions: 1,
        pacedRate: flags.rate ?? 50,
        // Long enough for three 10 s windows.
        pacedSeconds: quick ? 20 : 30,
      },
      workloadRate: 2000,
      kafka: environment.kafka,
      dynamodbEndpoint: environment.dynamodbEndpoint,
    }),
  };
};
