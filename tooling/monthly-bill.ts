/**
 * The whole monthly bill of the architecture at a steady event rate: event poller units, the
 * Kafka cluster, the stream processor, Lambda and DynamoDB, for every configuration the
 * deployment offers, priced with tooling/aws-prices.ts. Pure: the caller supplies the
 * workload (bytes per event, partitions, what Lambda and DynamoDB cost per second, measured
 * or modelled), so the scale plan and the demo price the same way.
 */
import { type ListPrice, LIST_PRICES as P } from './aws-prices.ts';

/** A month, as AWS and Confluent bill hourly resources: 730 hours. */
export const HOURS_PER_MONTH = 730;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const MB = 1_000_000;
/** Confluent and MSK bill binary gigabytes (https://docs.confluent.io/cloud/current/billing/billing-dimensions.html). */
const GIB = 2 ** 30;

/** What the architecture moves and runs at one rate. */
export interface Workload {
  readonly eventsPerSecond: number;
  /** Bytes one event takes in Kafka (key, value, record overhead). */
  readonly kafkaBytesPerEvent: number;
  /** Topic partitions across the pipeline's topics. */
  readonly partitions: number;
  /** Consumers reading every event: the mappings and the stream processor. */
  readonly readers: number;
  /** Days Kafka keeps the events (deploy/topics.ts: a week). */
  readonly retentionDays: number;
  /** Event pollers each mapping needs (≤ 5 MB/s each), one entry per mapping. */
  readonly pollersPerMapping: readonly number[];
  /** MB/s each mapping reads, same order. */
  readonly mappingMbPerSecond: readonly number[];
  /** Persistent streaming statements (ksql/V*.sql; the Flink port runs the same set). */
  readonly statements: number;
  /** Lambda duration and requests, dollars per second. */
  readonly lambdaUsdPerSecond: number;
  /** DynamoDB request units, dollars per second. */
  readonly dynamoUsdPerSecond: number;
}

/** How the mappings' pollers are billed. */
export const POLLER_MODES = ['on-demand', 'provisioned', 'poller group'] as const;
export type PollerMode = (typeof POLLER_MODES)[number];

/** Where Kafka runs. */
export const KAFKA_OPTIONS = [
  'Confluent Basic',
  'Confluent Standard',
  'Confluent Enterprise',
  'Confluent Dedicated',
  'MSK Serverless',
  'MSK provisioned',
] as const;
export type KafkaOption = (typeof KAFKA_OPTIONS)[number];

/** What runs the streaming statements. */
export const PROCESSOR_OPTIONS = ['ksqlDB (Confluent)', 'Flink (Confluent)', 'Managed Flink (AWS)'] as const;
export type ProcessorOption = (typeof PROCESSOR_OPTIONS)[number];

/** One priced line, with the units behind it. */
export interface BillLine {
  readonly monthlyUsd: number;
  /** The billed units, e.g. "2 EPU × 730 h". */
  readonly units: string;
}

/** A configuration's monthly bill by component. */
export interface Bill {
  readonly pollers: PollerMode;
  readonly kafka: KafkaOption;
  readonly processor: ProcessorOption;
  readonly lines: {
    readonly pollers: BillLine;
    readonly kafka: BillLine;
    readonly processor: BillLine;
    readonly lambda: BillLine;
    readonly dynamoDb: BillLine;
  };
  readonly monthlyUsd: number;
  readonly usdPerMillionEvents: number;
  /** Why this configuration is not for production, if it is not. */
  readonly caveat?: string;
}

/**
 * EPUs: each carries up to 20 MB/s and 10 pollers; without a group every mapping in
 * provisioned mode takes at least one of its own.
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html#kafka-cost-optimization
 */
export const epusFor = (mode: PollerMode, workload: Workload): number => {
  const epus = (pollers: number, mbPerSecond: number): number =>
    Math.max(1, Math.ceil(pollers / 10), Math.ceil(mbPerSecond / 20));
  if (mode === 'on-demand') return 0;
  if (mode === 'provisioned')
    return workload.pollersPerMapping.reduce(
      (sum, p, i) => sum + epus(p, workload.mappingMbPerSecond[i] ?? 0),
      0,
    );
  const pollers = workload.pollersPerMapping.reduce((a, b) => a + b, 0);
  return epus(
    pollers,
    workload.mappingMbPerSecond.reduce((a, b) => a + b, 0),
  );
};

const pollerLine = (mode: PollerMode, workload: Workload): BillLine => {
  const epus = epusFor(mode, workload);
  return mode === 'on-demand'
    ? { monthlyUsd: 0, units: 'on-demand pollers are not billed' }
    : { monthlyUsd: epus * HOURS_PER_MONTH * P.epuHour.usd, units: `${epus} EPU × ${HOURS_PER_MONTH} h` };
};

interface Traffic {
  readonly inMbps: number;
  readonly outMbps: number;
  readonly inGibMonth: number;
  readonly outGibMonth: number;
  readonly storedGib: number;
}

const trafficOf = (w: Workload): Traffic => {
  const inBytes = w.eventsPerSecond * w.kafkaBytesPerEvent;
  return {
    inMbps: inBytes / MB,
    outMbps: (inBytes * w.readers) / MB,
    inGibMonth: (inBytes * SECONDS_PER_MONTH) / GIB,
    outGibMonth: (inBytes * w.readers * SECONDS_PER_MONTH) / GIB,
    storedGib: (inBytes * w.retentionDays * 86_400) / GIB,
  };
};

/**
 * Elastic clusters: eCKUs by ingress and egress. Per eCKU 25 MB/s in and 75 MB/s out for Basic
 * and Standard (ceiling 250 and 750 MB/s), 60 and 180 for Enterprise (600 and 1,800); a
 * Dedicated CKU 60 and 180, at least 2 CKU for multiple zones.
 * https://docs.confluent.io/cloud/current/clusters/cluster-types.html
 */
const CONFLUENT_SIZING = {
  'Confluent Basic': { inPerUnit: 25, outPerUnit: 75, maxUnits: 10, minUnits: 1 },
  'Confluent Standard': { inPerUnit: 25, outPerUnit: 75, maxUnits: 10, minUnits: 1 },
  'Confluent Enterprise': { inPerUnit: 60, outPerUnit: 180, maxUnits: 10, minUnits: 1 },
  'Confluent Dedicated': { inPerUnit: 60, outPerUnit: 180, maxUnits: 152, minUnits: 2 },
} as const;

const CONFLUENT_PRICES: Record<keyof typeof CONFLUENT_SIZING, readonly [ListPrice, ListPrice, ListPrice]> = {
  'Confluent Basic': [P.confluentBasicEckuHour, P.confluentBasicNetworkGb, P.confluentBasicStorageGbMonth],
  'Confluent Standard': [
    P.confluentStandardEckuHour,
    P.confluentStandardNetworkGb,
    P.confluentStandardStorageGbMonth,
  ],
  'Confluent Enterprise': [
    P.confluentEnterpriseEckuHour,
    P.confluentEnterpriseNetworkGb,
    P.confluentEnterpriseStorageGbMonth,
  ],
  'Confluent Dedicated': [
    P.confluentDedicatedCkuHour,
    P.confluentDedicatedNetworkGb,
    P.confluentDedicatedStorageGbMonth,
  ],
};

const confluentLine = (kafka: keyof typeof CONFLUENT_SIZING, t: Traffic): BillLine | undefined => {
  const sizing = CONFLUENT_SIZING[kafka];
  const units = Math.max(
    sizing.minUnits,
    Math.ceil(t.inMbps / sizing.inPerUnit),
    Math.ceil(t.outMbps / sizing.outPerUnit),
  );
  if (units > sizing.maxUnits) return undefined;
  const [unitHour, network, storage] = CONFLUENT_PRICES[kafka];
  const billedUnits = kafka === 'Confluent Basic' ? units - 1 : units;
  const monthlyUsd =
    billedUnits * HOURS_PER_MONTH * unitHour.usd +
    (t.inGibMonth + t.outGibMonth) * network.usd +
    t.storedGib * storage.usd;
  const unit = kafka === 'Confluent Dedicated' ? 'CKU' : 'eCKU';
  return {
    monthlyUsd,
    units: `${units} ${unit}${kafka === 'Confluent Basic' ? ' (first free)' : ''}, ${fmtGib(t.inGibMonth + t.outGibMonth)} moved, ${fmtGib(t.storedGib)} stored`,
  };
};

const fmtGib = (gib: number): string =>
  gib >= 1024 ? `${(gib / 1024).toFixed(1)} TiB` : `${gib.toFixed(0)} GiB`;

/**
 * MSK Serverless: cluster-hours, partition-hours, GB in and out, storage; a cluster takes up to
 * 200 MB/s in and 400 MB/s out (https://docs.aws.amazon.com/msk/latest/developerguide/limits.html).
 * MSK provisioned: three kafka.m7g.large brokers (one per zone) per 30 MB/s of ingress at
 * replication factor 3 (an assumption to load-test: MSK publishes no MB/s per broker), and at
 * most 1,000 partition replicas per kafka.m7g.large, as MSK recommends
 * (https://docs.aws.amazon.com/msk/latest/developerguide/bestpractices.html#partitions-per-broker);
 * every replica's storage.
 */
/** Partition replicas MSK recommends per kafka.m7g.large at most (bestpractices.html). */
const M7G_LARGE_REPLICAS = 1000;

const mskLine = (
  kafka: 'MSK Serverless' | 'MSK provisioned',
  w: Workload,
  t: Traffic,
): BillLine | undefined => {
  if (kafka === 'MSK Serverless') {
    if (t.inMbps > 200 || t.outMbps > 400) return undefined;
    const monthlyUsd =
      HOURS_PER_MONTH * (P.mskServerlessClusterHour.usd + w.partitions * P.mskServerlessPartitionHour.usd) +
      t.inGibMonth * P.mskServerlessInGb.usd +
      t.outGibMonth * P.mskServerlessOutGb.usd +
      t.storedGib * P.mskServerlessStorageGbMonth.usd;
    return {
      monthlyUsd,
      units: `1 cluster, ${w.partitions} partitions, ${fmtGib(t.inGibMonth)} in, ${fmtGib(t.storedGib)} stored`,
    };
  }
  const brokers =
    3 * Math.max(1, Math.ceil(t.inMbps / 30), Math.ceil((w.partitions * 3) / (M7G_LARGE_REPLICAS * 3)));
  const monthlyUsd =
    brokers * HOURS_PER_MONTH * P.mskM7gLargeBrokerHour.usd + 3 * t.storedGib * 1.1 * P.mskStorageGbMonth.usd;
  return {
    monthlyUsd,
    units: `${brokers} × kafka.m7g.large, ${fmtGib(3 * t.storedGib * 1.1)} EBS (3 replicas, 10 % headroom)`,
  };
};

const kafkaLine = (kafka: KafkaOption, w: Workload): BillLine | undefined => {
  const t = trafficOf(w);
  return kafka === 'MSK Serverless' || kafka === 'MSK provisioned'
    ? mskLine(kafka, w, t)
    : confluentLine(kafka, t);
};

/**
 * Stream processor capacity is not published per MB/s; the plan assumes 4 MB/s of input per
 * ksqlDB CSU and per Managed Flink KPU and 5 MB/s per Confluent Flink CFU, with one unit per
 * statement at the least. Sizes to check under load before buying.
 * Confluent documents no MB/s per CSU, only that throughput grows linearly with CSUs. A ksqlDB
 * cluster has 1, 2, 4, 8 or 12 CSUs (12 the maximum; 8 and 12 are highly available); past 12 the
 * plan adds clusters of 12 (https://docs.confluent.io/cloud/current/ksqldb/index.html).
 */
const KSQL_SIZES = [1, 2, 4, 8, 12] as const;

const processorLine = (processor: ProcessorOption, kafka: KafkaOption, w: Workload): BillLine | undefined => {
  const inMbps = (w.eventsPerSecond * w.kafkaBytesPerEvent) / MB;
  if (processor === 'ksqlDB (Confluent)') {
    // ksqlDB runs next to Basic, Standard and Dedicated clusters only (cluster-types.html).
    if (!kafka.startsWith('Confluent') || kafka === 'Confluent Enterprise') return undefined;
    const needed = Math.ceil(inMbps / 4);
    const csus = KSQL_SIZES.find((size) => size >= needed) ?? Math.ceil(needed / 12) * 12;
    return {
      monthlyUsd: csus * HOURS_PER_MONTH * P.ksqlCsuHour.usd,
      units: `${csus} CSU × ${HOURS_PER_MONTH} h`,
    };
  }
  if (processor === 'Flink (Confluent)') {
    // Confluent's Flink reads Confluent Cloud clusters only.
    if (!kafka.startsWith('Confluent')) return undefined;
    const cfus = Math.max(w.statements, Math.ceil(inMbps / 5));
    return {
      monthlyUsd: cfus * HOURS_PER_MONTH * P.confluentFlinkCfuHour.usd,
      units: `${cfus} CFU × ${HOURS_PER_MONTH} h`,
    };
  }
  // One application: its KPUs, one orchestration KPU, 50 GB running storage per KPU.
  const kpus = Math.max(1, Math.ceil(inMbps / 4));
  const monthlyUsd =
    (kpus + 1) * HOURS_PER_MONTH * P.managedFlinkKpuHour.usd + kpus * 50 * P.managedFlinkStorageGbMonth.usd;
  return { monthlyUsd, units: `${kpus} + 1 KPU × ${HOURS_PER_MONTH} h, ${kpus * 50} GB state` };
};

/** The bill of one configuration, or undefined when the combination cannot carry the rate or does not exist. */
export const billOf = (
  w: Workload,
  pollers: PollerMode,
  kafka: KafkaOption,
  processor: ProcessorOption,
): Bill | undefined => {
  const kafkaBill = kafkaLine(kafka, w);
  const processorBill = processorLine(processor, kafka, w);
  if (kafkaBill === undefined || processorBill === undefined) return undefined;
  const lines = {
    pollers: pollerLine(pollers, w),
    kafka: kafkaBill,
    processor: processorBill,
    lambda: { monthlyUsd: w.lambdaUsdPerSecond * SECONDS_PER_MONTH, units: 'GB-s and requests' },
    dynamoDb: { monthlyUsd: w.dynamoUsdPerSecond * SECONDS_PER_MONTH, units: 'read and write request units' },
  };
  const monthlyUsd = Object.values(lines).reduce((sum, line) => sum + line.monthlyUsd, 0);
  return {
    pollers,
    kafka,
    processor,
    lines,
    monthlyUsd,
    usdPerMillionEvents: monthlyUsd / ((w.eventsPerSecond * SECONDS_PER_MONTH) / 1e6),
    ...(kafka === 'Confluent Basic' ? { caveat: 'Basic: 99.5 % SLA, single zone; for development' } : {}),
  };
};

/** Every configuration that can carry the workload, cheapest first. */
export const allBills = (w: Workload): Bill[] =>
  POLLER_MODES.flatMap((pollers) =>
    KAFKA_OPTIONS.flatMap((kafka) =>
      PROCESSOR_OPTIONS.map((processor) => billOf(w, pollers, kafka, processor)).filter(
        (bill): bill is Bill => bill !== undefined,
      ),
    ),
  ).sort((a, b) => a.monthlyUsd - b.monthlyUsd);

/**
 * The cheapest production configuration (not Basic), and the cheapest one in provisioned
 * mode: schema registry integration, the Kafka on-failure destination, ESM metrics and system
 * logs need provisioned mode (https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html).
 */
export const cheapest = (w: Workload): { overall: Bill | undefined; provisioned: Bill | undefined } => {
  const production = allBills(w).filter((bill) => bill.caveat === undefined);
  return { overall: production[0], provisioned: production.find((bill) => bill.pollers !== 'on-demand') };
};

/** A configuration's name, for tables and the chart. */
export const nameOf = (bill: Pick<Bill, 'pollers' | 'kafka' | 'processor'>): string =>
  `${bill.kafka} + ${bill.processor}, ${bill.pollers} pollers`;

/** What a run measured, per million events, and its rate: enough to price the whole month. */
export interface MeasuredRun {
  readonly eventsPerSecond: number;
  readonly kafkaBytesPerEvent: number;
  /** Lambda and DynamoDB per million events, as the run billed them. */
  readonly lambdaUsdPerMillion: number;
  readonly dynamoUsdPerMillion: number;
}

/**
 * The local stack's shape at a measured run's rate: the events topic and five smaller topics
 * at 6 partitions each, three mappings at one poller each, the aggregation mapping and the
 * stream processor reading every event, a week of retention, the five ksql statements.
 */
export const workloadOfRun = (run: MeasuredRun): Workload => {
  const mb = (run.eventsPerSecond * run.kafkaBytesPerEvent) / MB;
  return {
    eventsPerSecond: run.eventsPerSecond,
    kafkaBytesPerEvent: run.kafkaBytesPerEvent,
    partitions: 6 * 6,
    readers: 2,
    retentionDays: 7,
    pollersPerMapping: [Math.max(1, Math.ceil(mb / 5)), 1, 1],
    mappingMbPerSecond: [mb, mb / 4, 0.01],
    statements: 5,
    lambdaUsdPerSecond: (run.lambdaUsdPerMillion * run.eventsPerSecond) / 1e6,
    dynamoUsdPerSecond: (run.dynamoUsdPerMillion * run.eventsPerSecond) / 1e6,
  };
};
