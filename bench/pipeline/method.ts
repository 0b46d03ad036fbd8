import type { BenchMethod } from '../common/method.ts';
import type { PipelineBenchConfig } from './config.ts';
import { describePrices } from './cost.ts';
import type { DeployedBatching } from './sections.ts';

/** The method, printed before any figure. */
export const pipelineMethod = (config: PipelineBenchConfig, mapping: DeployedBatching): BenchMethod => ({
  title: `Pipeline benchmark (npm run bench:pipeline${config.quick ? ' -- --quick' : ''})`,
  steps: [
    `Workload: load-generator records (its simulation core in-process: seed 20250601, ${config.workloadRate} simulated events/s, 5 % bots, no bad records), keyed by user id, produced with acks=all to a fresh ${config.partitions}-partition topic per scenario. Throughput runs consume the same pre-produced records (a backlog).`,
    `Serverless path: the ESM emulator (local/esm, startEmulator) with the configuration \`serverless print\` resolves, reduced to the aggregate-events function (its memory, timeout, environment and esbuild options as deployed) and pointed at the scenario's topic. The handler is a bench entry point under bench/pipeline/handlers/, bundled by scripts/build.ts like the real one and run in the emulator's warm worker-thread environments: the real handler unchanged (DynamoDB), or the same wiring with a no-op AggregateStore (stubbed). Each invocation reports its duration, its records' Kafka timestamps and its DynamoDB requests on a BroadcastChannel.`,
    'Server-based path: one kafkajs consumer-group member in the benchmark process, running the same `aggregateBatch` and store on each fetched batch (kafkajs default fetch sizes, all partitions concurrently) and committing after each batch.',
    `(a) Throughput = events / time from the consumer's start (group joined, fetching; bundling is done before) to the moment every offset is committed. Mapping as deployed: batch size ${mapping.batchSize}, window ${mapping.windowSeconds} s. ${config.rounds} round(s); in each, the two paths of a variant run back to back, in alternating order; the ratio is the median of per-round ratios. Cold starts of the function's environments are inside the measured time. Targets: ≥ 0.9× stubbed, ≥ 0.8× with DynamoDB. "Counts conserved": the table's funnel \`events\` counters sum to the events produced.`,
    `(b) Write requests are counted by a middleware on each function's DynamoDB document client (which also asks for ReturnConsumedCapacity=TOTAL to get write request units). The naive handler does one PutItem per event (${config.naiveEvents.toLocaleString('en-US')} events) through the same emulator and mapping. GSI write units are not reported by DynamoDB per request nor modelled by dynalite; they are estimated as an upper bound (an update that moves the index sort key is a delete plus a put on the index: 2 × the table's units).`,
    `(c) For each batch size × window, one emulator run: a ${config.sweep.backlogEvents.toLocaleString('en-US')}-event backlog gives the throughput; then ${config.sweep.pacedRate} events/s for ${config.sweep.pacedSeconds} s on the load generator's even schedule gives latency (each record's Kafka timestamp, stamped when handed to the producer, to the end of the invocation that wrote its aggregates) and the steady-state cost. Cost per million events = Σ handler durations rounded up to 1 ms × memory (GB-s) × price + invocations × request price + (table + estimated GSI) write units × WRU price, scaled to 1M events. Cold-start init is not billed in the figure (amortised over a long-running mapping).`,
    describePrices(),
  ],
  caveats: [
    "A laptop is not AWS: the emulator runs function environments as worker threads sharing the machine's cores with the broker, dynalite and the consumer, where Lambda would give each environment its own vCPU share (1024 MB ≈ 0.58 vCPU). Handler durations, hence GB-s, are those of this machine.",
    "dynalite (in its own process) stands in for DynamoDB; its per-request latency differs from DynamoDB's (single-digit ms in-region).",
    'The machine is shared with other work: see the load average below and at the end; figures are noisy, which is why (a) alternates and takes medians.',
    'Functions log at WARN and emit no EMF metrics here (both print to stdout, which the emulator forwards into this report); on AWS each batch would also write one log line and one metrics line.',
  ],
});
