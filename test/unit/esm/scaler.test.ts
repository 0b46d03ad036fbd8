import { describe, expect, it } from 'vitest';
import { PollerGroups } from '../../../emulators/esm/poller-groups.ts';
import { PollerScaler, ScalingMode, ThroughputBudget } from '../../../emulators/esm/scaler.ts';

const MINUTE = 60_000;

const onDemand = (overrides: Partial<ConstructorParameters<typeof PollerScaler>[0]> = {}): PollerScaler =>
  new PollerScaler({
    mode: ScalingMode.OnDemand,
    minimumPollers: 1,
    maximumPollers: Number.POSITIVE_INFINITY,
    batchSize: 10,
    scalingDelayMs: MINUTE,
    ...overrides,
  });

describe('PollerScaler, on-demand', () => {
  it('starts with one poller of five invocation slots, capped by the partitions once known', () => {
    const scaler = onDemand();
    expect(scaler.pollers).toBe(1);
    expect(scaler.capacity().maxConcurrency).toBe(5);
    scaler.evaluate({ now: 0, lag: 0, partitions: 2, throttled: false });
    expect(scaler.capacity()).toEqual({
      pollers: 1,
      maxConcurrency: 2,
      bytesPerSecond: Number.POSITIVE_INFINITY,
    });
  });

  it('adds one poller per evaluation while the lag is high, each after the scaling delay', () => {
    const scaler = onDemand();
    const high = { lag: 10_000, partitions: 32, throttled: false };
    const first = scaler.evaluate({ now: 0, ...high });
    expect(first).toMatchObject({ pollers: 1, pending: 2, reason: 'lag-high' });
    // Not before the delay has passed.
    expect(scaler.evaluate({ now: MINUTE / 2, ...high })).toMatchObject({ pollers: 1, pending: 2 });
    const second = scaler.evaluate({ now: MINUTE, ...high });
    expect(second).toMatchObject({ pollers: 2, pending: 3, changed: true });
    expect(scaler.capacity().maxConcurrency).toBe(10);
  });

  it('never runs more pollers than partitions', () => {
    const scaler = onDemand();
    for (let minute = 0; minute < 10; minute += 1) {
      scaler.evaluate({ now: minute * MINUTE, lag: 1_000_000, partitions: 3, throttled: false });
    }
    expect(scaler.pollers).toBe(3);
    // A topic that shrinks in the cap (fewer partitions seen) sheds the surplus at once.
    expect(
      scaler.evaluate({ now: 11 * MINUTE, lag: 1_000_000, partitions: 2, throttled: false }),
    ).toMatchObject({
      pollers: 2,
      reason: 'partitions',
    });
  });

  it('removes pollers when the lag is low, never below one', () => {
    const scaler = onDemand();
    for (let minute = 0; minute < 4; minute += 1) {
      scaler.evaluate({ now: minute * MINUTE, lag: 100_000, partitions: 8, throttled: false });
    }
    expect(scaler.pollers).toBe(4);
    for (let minute = 4; minute < 12; minute += 1) {
      scaler.evaluate({ now: minute * MINUTE, lag: 0, partitions: 8, throttled: false });
    }
    expect(scaler.pollers).toBe(1);
  });

  it('removes a poller when the function was throttled, and caps concurrency at its reserved concurrency', () => {
    const scaler = onDemand({ reservedConcurrency: 3 });
    for (let minute = 0; minute < 3; minute += 1) {
      scaler.evaluate({ now: minute * MINUTE, lag: 100_000, partitions: 16, throttled: false });
    }
    expect(scaler.pollers).toBe(3);
    expect(scaler.capacity().maxConcurrency).toBe(3);
    expect(scaler.throttles(4)).toBe(true);
    expect(scaler.throttles(3)).toBe(false);
    const decision = scaler.evaluate({ now: 3 * MINUTE, lag: 100_000, partitions: 16, throttled: true });
    expect(decision).toMatchObject({ reason: 'throttled', pending: 3 });
  });
});

describe('PollerScaler, provisioned', () => {
  const provisioned = (minimumPollers: number, maximumPollers: number): PollerScaler =>
    new PollerScaler({ mode: ScalingMode.Provisioned, minimumPollers, maximumPollers, batchSize: 10 });

  it('starts at MinimumPollers and scales at the evaluation itself, straight to what the lag needs', () => {
    const scaler = provisioned(2, 6);
    expect(scaler.pollers).toBe(2);
    // 200 waiting records need 200 / (10 × 5) = 4 pollers.
    expect(scaler.evaluate({ now: 0, lag: 200, partitions: 12, throttled: false })).toMatchObject({
      pollers: 4,
      pending: undefined,
      changed: true,
    });
    expect(scaler.evaluate({ now: 1, lag: 1_000_000, partitions: 12, throttled: false }).pollers).toBe(6);
    for (let i = 0; i < 10; i += 1) scaler.evaluate({ now: 2 + i, lag: 0, partitions: 12, throttled: false });
    expect(scaler.pollers).toBe(2);
  });

  it('caps MaximumPollers, and MinimumPollers, at the partition count', () => {
    const scaler = provisioned(4, 10);
    expect(scaler.evaluate({ now: 0, lag: 1_000_000, partitions: 3, throttled: false }).pollers).toBe(3);
    expect(scaler.capacity().maxConcurrency).toBe(3);
  });

  it('holds still when MinimumPollers equals MaximumPollers (autoscaling off)', () => {
    const scaler = provisioned(2, 2);
    for (const lag of [0, 1_000_000, 0]) scaler.evaluate({ now: 0, lag, partitions: 8, throttled: false });
    expect(scaler.pollers).toBe(2);
  });
});

describe('ThroughputBudget', () => {
  it('lets a batch start while budget remains, and delays the next until the overdraft is refilled', () => {
    const budget = new ThroughputBudget(1000, 0);
    expect(budget.readyAt(0)).toBe(0);
    budget.spend(1500, 0);
    expect(budget.readyAt(0)).toBe(500);
    expect(budget.readyAt(500)).toBe(500);
  });

  it('never holds a batch back without a rate (on-demand pollers)', () => {
    const budget = new ThroughputBudget(Number.POSITIVE_INFINITY, 0);
    budget.spend(50 * 1024 * 1024, 0);
    expect(budget.readyAt(0)).toBe(0);
  });
});

describe('PollerScaler in a poller group', () => {
  it('scales within the pollers the group leaves it, and gives them back when the lag drops', () => {
    // Prepare: two provisioned mappings share a group of 6 pollers; each could run 5 alone.
    const groups = new PollerGroups(6);
    const a = new PollerScaler({
      mode: ScalingMode.Provisioned,
      minimumPollers: 1,
      maximumPollers: 5,
      batchSize: 10,
    });
    const b = new PollerScaler({
      mode: ScalingMode.Provisioned,
      minimumPollers: 1,
      maximumPollers: 5,
      batchSize: 10,
    });
    groups.join('shared', 'a', a.pollers);
    groups.join('shared', 'b', b.pollers);
    const evaluate = (uuid: string, scaler: PollerScaler, lag: number): void => {
      scaler.evaluate({ now: 0, lag, partitions: 8, throttled: false, available: groups.available(uuid) });
      groups.report(uuid, scaler.pollers);
    };

    // Act / Assert: a takes what the group has, b is left the rest, a gives back on a low lag.
    evaluate('a', a, 1_000);
    expect(a.pollers).toBe(5);
    evaluate('b', b, 1_000);
    expect(b.pollers).toBe(1);
    expect(groups.statsOf('a')).toEqual({ name: 'shared', mappings: 2, pollers: 6, maximumPollers: 6 });
    evaluate('a', a, 0);
    evaluate('b', b, 1_000);
    expect([a.pollers, b.pollers]).toEqual([4, 2]);
  });
});
