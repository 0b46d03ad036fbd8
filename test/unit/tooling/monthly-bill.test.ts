import { describe, expect, it } from 'vitest';
import { LIST_PRICES } from '../../../tooling/aws-prices.ts';
import {
  allBills,
  billOf,
  cheapest,
  epusFor,
  HOURS_PER_MONTH,
  type Workload,
} from '../../../tooling/monthly-bill.ts';

const workload = (eventsPerSecond: number, overrides: Partial<Workload> = {}): Workload => ({
  eventsPerSecond,
  kafkaBytesPerEvent: 600,
  partitions: 36,
  readers: 2,
  retentionDays: 7,
  pollersPerMapping: [1, 1, 1],
  mappingMbPerSecond: [(eventsPerSecond * 600) / 1e6, 0.1, 0.01],
  statements: 5,
  lambdaUsdPerSecond: 0,
  dynamoUsdPerSecond: 0,
  ...overrides,
});

describe('epusFor', () => {
  it('bills nothing on demand, an EPU per mapping when provisioned, one shared EPU in a group', () => {
    const w = workload(1000);
    expect(epusFor('on-demand', w)).toBe(0);
    expect(epusFor('provisioned', w)).toBe(3);
    expect(epusFor('poller group', w)).toBe(1);
  });

  it('adds EPUs past 20 MB/s or 10 pollers', () => {
    const w = workload(1000, { pollersPerMapping: [17, 1, 1], mappingMbPerSecond: [61, 1, 0] });
    expect(epusFor('poller group', w)).toBe(Math.max(Math.ceil(19 / 10), Math.ceil(62 / 20)));
  });
});

describe('billOf', () => {
  it('prices provisioned pollers around the clock whatever the rate', () => {
    const bill = billOf(workload(1), 'provisioned', 'MSK Serverless', 'Managed Flink (AWS)');
    expect(bill?.lines.pollers.monthlyUsd).toBeCloseTo(3 * HOURS_PER_MONTH * LIST_PRICES.epuHour.usd);
  });

  it('does not pair ksqlDB with MSK or with a Confluent Enterprise cluster', () => {
    expect(billOf(workload(1000), 'on-demand', 'MSK Serverless', 'ksqlDB (Confluent)')).toBeUndefined();
    expect(billOf(workload(1000), 'on-demand', 'Confluent Enterprise', 'ksqlDB (Confluent)')).toBeUndefined();
    expect(billOf(workload(1000), 'on-demand', 'Confluent Standard', 'ksqlDB (Confluent)')).toBeDefined();
  });

  it('refuses a cluster past its ceiling (MSK Serverless: 200 MB/s in)', () => {
    expect(billOf(workload(400_000), 'on-demand', 'MSK Serverless', 'Managed Flink (AWS)')).toBeUndefined();
  });

  it('adds MSK brokers, three at a time, past 1,000 partition replicas each', () => {
    const few = billOf(workload(1000), 'on-demand', 'MSK provisioned', 'Managed Flink (AWS)');
    const many = billOf(
      workload(1000, { partitions: 2000 }),
      'on-demand',
      'MSK provisioned',
      'Managed Flink (AWS)',
    );
    expect(few?.lines.kafka.units).toMatch(/^3 × kafka\.m7g\.large/);
    expect(many?.lines.kafka.units).toMatch(/^6 × kafka\.m7g\.large/);
  });

  it('sums its lines and divides by the month’s events', () => {
    const bill = billOf(
      workload(1000, { lambdaUsdPerSecond: 1e-5 }),
      'on-demand',
      'Confluent Standard',
      'Flink (Confluent)',
    );
    expect(bill).toBeDefined();
    if (bill === undefined) return;
    const sum = Object.values(bill.lines).reduce((a, line) => a + line.monthlyUsd, 0);
    expect(bill.monthlyUsd).toBeCloseTo(sum);
    expect(bill.usdPerMillionEvents).toBeCloseTo(bill.monthlyUsd / ((1000 * HOURS_PER_MONTH * 3600) / 1e6));
  });
});

describe('cheapest', () => {
  it('leaves Basic out and names a provisioned configuration', () => {
    const best = cheapest(workload(200));
    expect(best.overall?.kafka).not.toBe('Confluent Basic');
    expect(best.provisioned?.pollers).not.toBe('on-demand');
    const sorted = allBills(workload(200)).map((b) => b.monthlyUsd);
    expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
  });
});
