/**
 * MetricsConfig: the metrics an event source mapping publishes, free of I/O. The poller's
 * figures go in (cumulative counters, the offset lag per partition, the pollers), a CloudWatch
 * embedded metric format (EMF) document comes out per interval: counts since the previous
 * document, gauges as they are now, for the groups the mapping asked for
 * (https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingMetricsConfig.html:
 * `EventCount | ErrorCount | KafkaMetrics`, 0–3 of them;
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics).
 *
 * EMF: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * — one JSON object, `_aws.CloudWatchMetrics` naming the namespace, dimension sets and
 * metrics, the values as top-level members.
 */

/** The metric groups of MetricsConfig.Metrics. */
export const MetricGroup = {
  EventCount: 'EventCount',
  ErrorCount: 'ErrorCount',
  KafkaMetrics: 'KafkaMetrics',
} as const;
export type MetricGroup = (typeof MetricGroup)[keyof typeof MetricGroup];

/** Lambda's namespace: the mapping's metrics sit next to the function's. */
export const METRICS_NAMESPACE = 'AWS/Lambda';

/** Cumulative figures a mapping keeps (the poller's counters). */
export interface MappingCounters {
  /** Records read from the topic. */
  readonly polled: number;
  readonly filtered: number;
  /** Records carried by invocations, every attempt counted. */
  readonly invoked: number;
  /** Records carried by invocations that failed (or were named in a partial batch response). */
  readonly failedInvoke: number;
  /** Records given up on: retries exhausted, too old, failed schema validation. */
  readonly dropped: number;
  readonly toDestination: number;
  /** Records whose offsets were committed. */
  readonly committed: number;
  /** Invocations that failed: threw, timed out, runtime exit, invalid response, too large. */
  readonly functionErrors: number;
  readonly timeouts: number;
  readonly schemaValidationErrors: number;
  readonly schemaRegistryErrors: number;
  readonly destinationErrors: number;
  /** The consumer crashed or an offset commit failed. */
  readonly kafkaConsumerErrors: number;
}

/** Metric name → where its value comes from, per group. */
const COUNTS: Readonly<Record<'EventCount' | 'ErrorCount', ReadonlyArray<[string, keyof MappingCounters]>>> =
  {
    // The names Lambda gives its event source mapping event counts.
    EventCount: [
      ['PolledEventCount', 'polled'],
      ['FilteredOutEventCount', 'filtered'],
      ['InvokedEventCount', 'invoked'],
      ['FailedInvokeEventCount', 'failedInvoke'],
      ['DroppedEventCount', 'dropped'],
      ['OnFailureDestinationDeliveredEventCount', 'toDestination'],
      ['CommittedEventCount', 'committed'],
    ],
    // Errors by kind. The names are the emulator's (docs/esm-emulator.md, "Metrics").
    ErrorCount: [
      ['FunctionErrorCount', 'functionErrors'],
      ['FunctionTimeoutErrorCount', 'timeouts'],
      ['SchemaValidationErrorCount', 'schemaValidationErrors'],
      ['SchemaRegistryErrorCount', 'schemaRegistryErrors'],
      ['OnFailureDestinationErrorCount', 'destinationErrors'],
      ['KafkaConsumerErrorCount', 'kafkaConsumerErrors'],
    ],
  };

/** Every metric name the emulator publishes, per group (for docs, tests and the dashboard). */
export const METRIC_NAMES: Readonly<Record<MetricGroup, readonly string[]>> = {
  EventCount: COUNTS.EventCount.map(([name]) => name),
  ErrorCount: COUNTS.ErrorCount.map(([name]) => name),
  KafkaMetrics: ['OffsetLag', 'MaxOffsetLag', 'ProvisionedPollers'],
};

/** What one interval's document is built from. */
export interface MetricsInput {
  readonly timestamp: number;
  readonly uuid: string;
  readonly functionName: string;
  readonly groups: readonly MetricGroup[];
  readonly current: MappingCounters;
  /** The counters at the previous document (all zero for the first). */
  readonly previous: MappingCounters;
  readonly lagByPartition: Readonly<Record<string, number>>;
  /** Provisioned mode: the pollers now; undefined on demand (Lambda reports none then). */
  readonly provisionedPollers: number | undefined;
}

/** One EMF document: `_aws` plus the dimension and metric values at the top level. */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: ReadonlyArray<{
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: ReadonlyArray<{ readonly Name: string; readonly Unit: 'Count' }>;
    }>;
  };
  readonly EventSourceMappingUUID: string;
  readonly FunctionName: string;
  readonly [metric: string]: unknown;
}

/** All-zero counters: the baseline of the first interval. */
export const ZERO_COUNTERS: MappingCounters = {
  polled: 0,
  filtered: 0,
  invoked: 0,
  failedInvoke: 0,
  dropped: 0,
  toDestination: 0,
  committed: 0,
  functionErrors: 0,
  timeouts: 0,
  schemaValidationErrors: 0,
  schemaRegistryErrors: 0,
  destinationErrors: 0,
  kafkaConsumerErrors: 0,
};

/**
 * The EMF document of one interval, or undefined when the mapping asked for no metrics.
 * Counts are the interval's (current − previous), published even when 0 so that a stopped
 * mapping is told from an idle one by absence; lag and pollers are gauges.
 */
export const metricsDocument = (input: MetricsInput): EmfDocument | undefined => {
  const values: Record<string, number> = {};
  for (const group of input.groups) {
    if (group === MetricGroup.KafkaMetrics) {
      const lags = Object.values(input.lagByPartition);
      values.OffsetLag = lags.reduce((sum, lag) => sum + lag, 0);
      values.MaxOffsetLag = lags.reduce((max, lag) => Math.max(max, lag), 0);
      if (input.provisionedPollers !== undefined) values.ProvisionedPollers = input.provisionedPollers;
      continue;
    }
    for (const [name, field] of COUNTS[group]) {
      values[name] = Math.max(0, input.current[field] - input.previous[field]);
    }
  }
  const names = Object.keys(values);
  if (names.length === 0) return undefined;
  return {
    _aws: {
      Timestamp: input.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['EventSourceMappingUUID'], ['FunctionName']],
          Metrics: names.map((name) => ({ Name: name, Unit: 'Count' as const })),
        },
      ],
    },
    EventSourceMappingUUID: input.uuid,
    FunctionName: input.functionName,
    ...values,
  };
};
