import { z } from 'zod';
import { type Emulator, startEmulator } from '../../emulators/esm/emulator.ts';
import { resolveServerlessConfig } from '../../emulators/esm/serverless-config.ts';
import type { ToolLog } from '../../tooling/logger.ts';
import { PipelineBenchError } from './errors.ts';

/** The function of serverless.yml the benchmark runs (its memory, timeout, environment, mapping). */
export const FUNCTION_KEY = 'aggregate-events';

/** Bench entry points, named as serverless.yml names handlers. */
export const BenchHandler = {
  /** functions/aggregate-events/handler.ts unchanged, requests counted. */
  Aggregate: 'bench/pipeline/handlers/aggregate-events.handler',
  /** The same wiring with a no-op store. */
  AggregateStubStore: 'bench/pipeline/handlers/aggregate-events-stub-store.handler',
  /** One PutItem per event. */
  NaivePutItem: 'bench/pipeline/handlers/naive-put-item.handler',
} as const;
export type BenchHandler = (typeof BenchHandler)[keyof typeof BenchHandler];

/** What every Lambda scenario of a run shares. */
export interface LambdaRuntime {
  /** `serverless print --format json` of the service, parsed. */
  readonly serverlessConfig: unknown;
  readonly serviceDir: string;
  readonly brokers: readonly string[];
  readonly dynamodbEndpoint: string;
  /** DLQ_TOPIC of the function (no record of the workload is poison, so nothing is written to it). */
  readonly deadLetterTopic: string;
  /** Where the emulator writes its bundles (a temporary directory: dist/ belongs to `npm run build`). */
  readonly bundleDir: string;
  readonly log: ToolLog;
}

/** One Lambda scenario: a handler, a mapping and where it reads and writes. */
export interface LambdaScenario {
  /** Unique per emulator run: consumer group suffix and the key of the invocation reports. */
  readonly scenario: string;
  readonly handler: BenchHandler;
  readonly topic: string;
  readonly table: string;
  readonly batchSize: number;
  /** MaximumBatchingWindowInSeconds; unset keeps Lambda's 500 ms default for Kafka. */
  readonly windowSeconds: number | undefined;
}

const ServiceShape = z.looseObject({
  functions: z.record(
    z.string(),
    z.looseObject({
      events: z.array(z.looseObject({ kafka: z.record(z.string(), z.unknown()).optional() })).optional(),
    }),
  ),
});

/**
 * The resolved serverless configuration reduced to the aggregation function, with its
 * handler replaced by a bench entry point and its `kafka` event pointed at the scenario's
 * topic, batch size and window (everything else — memory, timeout, environment, esbuild
 * options, custom.esm — as deployed).
 *
 * @throws {PipelineBenchError} when serverless.yml has no `kafka` event on the function.
 */
export const scenarioConfig = (runtime: LambdaRuntime, scenario: LambdaScenario): unknown => {
  const service = ServiceShape.parse(runtime.serverlessConfig);
  const fn = service.functions[FUNCTION_KEY];
  const deployed = fn?.events?.find((event) => event.kafka !== undefined)?.kafka;
  if (fn === undefined || deployed === undefined) {
    throw new PipelineBenchError(`serverless.yml: function ${FUNCTION_KEY} has no kafka event`);
  }
  const { maximumBatchingWindow: _deployedWindow, ...kafka } = deployed;
  return {
    ...service,
    functions: {
      [FUNCTION_KEY]: {
        ...fn,
        handler: scenario.handler,
        events: [
          {
            kafka: {
              ...kafka,
              bootstrapServers: [...runtime.brokers],
              topic: scenario.topic,
              consumerGroupId: `bench-${scenario.scenario}`,
              startingPosition: 'TRIM_HORIZON',
              batchSize: scenario.batchSize,
              ...(scenario.windowSeconds === undefined
                ? {}
                : { maximumBatchingWindow: scenario.windowSeconds }),
            },
          },
        ],
      },
    },
  };
};

/** A started Lambda scenario. */
export interface RunningLambda {
  /** performance.now() when the mapping had joined its group and started fetching. */
  readonly startedAt: number;
  /** The same instant, epoch ms (to compare with the invocation reports). */
  readonly startedAtEpoch: number;
  /** The function's configured memory (MB), for the cost. */
  readonly memoryMb: number;
  readonly emulator: Emulator;
  /** Records whose offsets the mapping has committed (the topic is fresh: offsets start at 0). */
  committedRecords(): number;
  /** Throws if an invocation has failed (the figures would not be those of a healthy run). */
  assertHealthy(): void;
}

/**
 * Starts the ESM emulator for one scenario: it bundles the bench handler with the deploy
 * options (serverless/bundle.ts), validates the mapping, joins the consumer group and starts
 * polling. Logs go to WARN and metrics are off in the function: both print on stdout,
 * which the emulator forwards, and would interleave with the report.
 */
export const startLambda = async (
  runtime: LambdaRuntime,
  scenario: LambdaScenario,
): Promise<RunningLambda> => {
  const config = scenarioConfig(runtime, scenario);
  const memoryMb = resolveServerlessConfig(config).functions.get(FUNCTION_KEY)?.memorySize;
  if (memoryMb === undefined) throw new PipelineBenchError(`serverless.yml: no function ${FUNCTION_KEY}`);
  const emulator = await startEmulator({
    config,
    serviceDir: runtime.serviceDir,
    brokers: runtime.brokers,
    bundleDir: runtime.bundleDir,
    log: runtime.log,
    environmentOverrides: {
      KAFKA_BROKERS: runtime.brokers.join(','),
      DYNAMODB_ENDPOINT: runtime.dynamodbEndpoint,
      ANALYTICS_TABLE: scenario.table,
      DLQ_TOPIC: runtime.deadLetterTopic,
      BENCH_SCENARIO: scenario.scenario,
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  });
  const startedAt = performance.now();
  const startedAtEpoch = Date.now();
  const mapping = () => emulator.stats().mappings[0];
  return {
    startedAt,
    startedAtEpoch,
    memoryMb,
    emulator,
    committedRecords: () =>
      Object.values(mapping()?.committedOffsets ?? {}).reduce((sum, offset) => sum + offset, 0),
    assertHealthy: () => {
      const stats = mapping();
      if (stats !== undefined && stats.failed > 0) {
        throw new PipelineBenchError(
          `${scenario.scenario}: ${stats.failed} invocation(s) failed, last: ${stats.lastError ?? 'unknown'}`,
        );
      }
    },
  };
};
