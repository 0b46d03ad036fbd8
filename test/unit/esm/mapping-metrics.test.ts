import { describe, expect, it } from 'vitest';
import {
  type MappingCounters,
  METRIC_NAMES,
  MetricGroup,
  metricsDocument,
  ZERO_COUNTERS,
} from '../../../emulators/esm/mapping-metrics.ts';

const counters = (overrides: Partial<MappingCounters>): MappingCounters => ({
  ...ZERO_COUNTERS,
  ...overrides,
});

const input = {
  timestamp: 1_700_000_000_000,
  uuid: '0b5c6e3e-1111-5222-a333-444455556666',
  functionName: 'clickstream-dev-aggregate-events',
  lagByPartition: { 'clicks-0': 7, 'clicks-1': 3 },
  provisionedPollers: 2,
};

describe('metricsDocument', () => {
  it('publishes the interval counts of EventCount as CloudWatch EMF, per mapping UUID', () => {
    // Act
    const document = metricsDocument({
      ...input,
      groups: [MetricGroup.EventCount],
      previous: counters({ polled: 100, invoked: 90, committed: 90 }),
      current: counters({ polled: 250, filtered: 10, invoked: 230, failedInvoke: 20, committed: 220 }),
    });

    // Assert
    expect(document?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'AWS/Lambda',
        Dimensions: [['EventSourceMappingUUID'], ['FunctionName']],
        Metrics: METRIC_NAMES.EventCount.map((Name) => ({ Name, Unit: 'Count' })),
      },
    ]);
    expect(document).toMatchObject({
      EventSourceMappingUUID: input.uuid,
      FunctionName: input.functionName,
      PolledEventCount: 150,
      FilteredOutEventCount: 10,
      InvokedEventCount: 140,
      FailedInvokeEventCount: 20,
      DroppedEventCount: 0,
      CommittedEventCount: 130,
    });
    expect(document).not.toHaveProperty('OffsetLag');
  });

  it('publishes the offset lag (sum and largest partition) and the provisioned pollers as gauges', () => {
    // Act
    const document = metricsDocument({
      ...input,
      groups: [MetricGroup.KafkaMetrics, MetricGroup.ErrorCount],
      previous: ZERO_COUNTERS,
      current: counters({ functionErrors: 3, timeouts: 1 }),
    });

    // Assert
    expect(document).toMatchObject({
      OffsetLag: 10,
      MaxOffsetLag: 7,
      ProvisionedPollers: 2,
      FunctionErrorCount: 3,
      FunctionTimeoutErrorCount: 1,
    });
    expect(document).not.toHaveProperty('PolledEventCount');
  });

  it('publishes nothing for a mapping without MetricsConfig, and no pollers on demand', () => {
    const none = metricsDocument({ ...input, groups: [], previous: ZERO_COUNTERS, current: ZERO_COUNTERS });
    const onDemand = metricsDocument({
      ...input,
      provisionedPollers: undefined,
      groups: [MetricGroup.KafkaMetrics],
      previous: ZERO_COUNTERS,
      current: ZERO_COUNTERS,
    });

    expect(none).toBeUndefined();
    expect(onDemand).not.toHaveProperty('ProvisionedPollers');
  });
});
