/**
 * `npm run bench:pipeline`: the serverless path (Kafka → ESM emulator → the bundled
 * aggregation Lambda → DynamoDB) against a server-based kafkajs consumer running the same
 * aggregation code, on the same load-generator workload. `--help` for the options; the
 * method is printed first (see bench/pipeline/method.ts), then markdown tables on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveServerlessConfig } from '../emulators/esm/serverless-config.ts';
import { useOrLaunchKafka } from '../local/kafka/use-or-launch.ts';
import { localDynamoClient } from '../local/stack/stack.ts';
import { loadServerlessConfig } from '../serverless/print.ts';
import { createKafkaClient } from '../services/kafka/client.ts';
import { createToolLogger, silentLogger } from '../tooling/logger.ts';
import { formatMethod, machineLine } from './common/method.ts';
import { type BenchContext, createScenarioTopic } from './pipeline/bench-context.ts';
import { readConfig, Section, USAGE } from './pipeline/config.ts';
import { BenchUsageError, PipelineBenchError } from './pipeline/errors.ts';
import { InvocationRecorder } from './pipeline/invocation-recorder.ts';
import { FUNCTION_KEY } from './pipeline/lambda-pipeline.ts';
import { startDynaliteProcess } from './pipeline/local-dynamo.ts';
import { pipelineMethod } from './pipeline/method.ts';
import { runThroughput, runWriteRequests, warmUp } from './pipeline/sections.ts';
import { runSweep } from './pipeline/sweep.ts';
import { generateBacklog } from './pipeline/workload.ts';

/** Events of the unreported warm-up drain of each path. */
const WARM_UP_EVENTS = 2000;

const SERVICE_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

const progress = (line: string): void => {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
};

/** The emulator's own warnings and errors, on stderr. */
const esmLog = createToolLogger('esm-emulator', { logLevel: 'WARN' });

const main = async (): Promise<void> => {
  const parsed = readConfig();
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { config } = parsed;
  const started = performance.now();

  progress('resolving serverless.yml (serverless print)…');
  const serverlessConfig = await loadServerlessConfig({ serviceDir: SERVICE_DIR });
  const resolved = resolveServerlessConfig(serverlessConfig);
  const deployed = resolved.mappings.find((m) => m.functionKey === FUNCTION_KEY);
  if (deployed === undefined)
    throw new PipelineBenchError(`serverless.yml: no Kafka mapping on ${FUNCTION_KEY}`);
  const memoryMb = resolved.functions.get(FUNCTION_KEY)?.memorySize ?? 0;
  const mapping = {
    batchSize: deployed.batchSize,
    windowSeconds: deployed.maximumBatchingWindowMs / 1000,
    memoryMb,
  };

  process.stdout.write(`${formatMethod(pipelineMethod(config, mapping))}\n`);

  const stops: Array<() => Promise<void>> = [];
  const bundleDir = mkdtempSync(join(tmpdir(), 'bench-pipeline-bundles-'));
  stops.push(async () => rmSync(bundleDir, { recursive: true, force: true }));
  const recorder = new InvocationRecorder();
  stops.push(async () => recorder.close());
  try {
    if (config.kafka === undefined) progress('starting a Kafka broker…');
    const cluster = await useOrLaunchKafka(config.kafka, { log: (line) => progress(`kafka: ${line}`) });
    stops.push(() => cluster.stop());
    const brokers = cluster.connection.brokers;
    let dynamodbEndpoint = config.dynamodbEndpoint;
    if (dynamodbEndpoint === undefined) {
      const dynamo = await startDynaliteProcess();
      stops.push(() => dynamo.stop());
      dynamodbEndpoint = dynamo.endpoint;
    }
    progress(`Kafka ${brokers.join(',')}, DynamoDB ${dynamodbEndpoint}`);

    const runId = Date.now().toString(36);
    const kafka = createKafkaClient(cluster.connection, {
      clientId: 'bench-pipeline',
      log: silentLogger,
    });
    const dynamo = localDynamoClient(dynamodbEndpoint);
    stops.push(async () => dynamo.destroy());
    const deadLetterTopic = `bench-pipeline-${runId}-dlq`;

    const context: BenchContext = {
      runId,
      brokers,
      kafka,
      dynamo,
      recorder,
      partitions: config.partitions,
      progress,
      lambda: {
        serverlessConfig,
        serviceDir: SERVICE_DIR,
        brokers,
        dynamodbEndpoint,
        deadLetterTopic,
        bundleDir,
        log: esmLog,
      },
    };

    await createScenarioTopic(context, 'dlq');

    const backlog = generateBacklog(
      Math.max(config.events, config.naiveEvents, config.sweep.backlogEvents),
      config.workloadRate,
      Date.now(),
    );
    progress('warming up (broker group coordinator, both paths once; not reported)…');
    await warmUp(context, config, mapping, backlog.slice(0, WARM_UP_EVENTS));
    if (config.sections.has(Section.Throughput)) {
      const throughput = await runThroughput(context, config, mapping, backlog);
      process.stdout.write(`${throughput.markdown}\n\n`);
    }
    if (config.sections.has(Section.WriteRequests)) {
      const writes = await runWriteRequests(context, config, mapping);
      process.stdout.write(`${writes.markdown}\n\n`);
    }
    if (config.sections.has(Section.Sweep)) {
      const sweep = await runSweep(context, config, backlog.slice(0, config.sweep.backlogEvents));
      process.stdout.write(`${sweep.markdown}\n\n`);
    }
    process.stdout.write(
      `Total run time ${((performance.now() - started) / 1000).toFixed(0)} s. At the end: ${machineLine()}\n`,
    );
  } finally {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => progress(`cleanup: ${String(error)}`));
  }
};

main().catch((error: unknown) => {
  if (error instanceof BenchUsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(
    `bench:pipeline failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  if (error instanceof Error && error.cause !== undefined)
    process.stderr.write(`  cause: ${String(error.cause)}\n`);
  process.exitCode = 1;
});
