/**
 * How many event pollers a Kafka event source mapping runs, free of I/O: the poller shell
 * (poller.ts) calls {@link PollerScaler.evaluate} on a cadence with the offset lag it
 * measured and applies {@link PollerScaler.capacity} — concurrent invocations and bytes per
 * second — to its batch planner.
 *
 * Rules matched (https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html):
 * - on-demand (the default): Lambda "allocates a default number of event pollers" — one
 *   here — and "in one-minute intervals ... evaluates the offset lag of all the partitions";
 *   it adds or removes pollers "within three minutes of evaluation", and "if your target
 *   Lambda function is throttled, Lambda reduces the number of event pollers";
 * - provisioned: MinimumPollers 1–200 (default 1), MaximumPollers 1–2,000 (default 200,
 *   ≥ MinimumPollers); "to maintain ordered processing within partitions, Lambda caps the
 *   MaximumPollers to the number of partitions in the topic"; scaling between the two is
 *   "responsive" (here: at the evaluation itself, straight to the pollers the lag needs);
 * - an event poller "allocates up to 5 MB/s throughput" and "supports up to 5 concurrent
 *   Lambda invocations" (https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-low-latency.html).
 *   AWS documents these figures for provisioned pollers. On-demand pollers get the 5
 *   invocation slots here but no byte budget: AWS states no throughput per on-demand poller,
 *   and a backlog is drained as fast as batches fill (BatchSize or 6 MB, whatever the
 *   window: invocation-eventsourcemapping.html#invocation-eventsourcemapping-batching).
 *
 * What counts as an offset lag "too high" is not documented. Here: more than one full batch
 * waiting per poller-invocation slot is too high (add pollers); less than one batch waiting
 * is low (remove one).
 */

/** The event poller scaling mode of a mapping. */
export const ScalingMode = {
  OnDemand: 'on-demand',
  Provisioned: 'provisioned',
} as const;
export type ScalingMode = (typeof ScalingMode)[keyof typeof ScalingMode];

/** Documented limits of event pollers (kafka-scaling-modes.html, API_ProvisionedPollerConfig). */
export const POLLER_LIMITS = {
  minMinimumPollers: 1,
  maxMinimumPollers: 200,
  minMaximumPollers: 1,
  maxMaximumPollers: 2000,
  defaultMinimumPollers: 1,
  defaultMaximumPollers: 200,
  /** "Each event poller supports up to 5 concurrent Lambda invocations." */
  invocationsPerPoller: 5,
  /** "allocates up to 5 MB/s throughput" */
  bytesPerSecondPerPoller: 5 * 1024 * 1024,
  /** PollerGroupName: "up to 100 ESMs per poller group" (API_ProvisionedPollerConfig). */
  maxMappingsPerGroup: 100,
  /** "aggregate maximum pollers across all ESMs in a group cannot exceed 2000". */
  maxPollersPerGroup: 2000,
  /** On-demand: one-minute evaluation intervals. */
  evaluationIntervalMs: 60_000,
  /** On-demand: pollers are added or removed "within three minutes of evaluation"; one minute here. */
  onDemandScalingDelayMs: 60_000,
} as const;

export interface PollerScalerOptions {
  readonly mode: ScalingMode;
  /** Provisioned: MinimumPollers. On-demand: 1. */
  readonly minimumPollers: number;
  /** Provisioned: MaximumPollers. On-demand: unbounded (the partitions cap it). */
  readonly maximumPollers: number;
  readonly batchSize: number;
  /** The function's reserved concurrency, if any: invocations beyond it are throttled. */
  readonly reservedConcurrency?: number | undefined;
  /** Delay between an on-demand decision and its effect; provisioned applies at once. */
  readonly scalingDelayMs?: number;
}

/** What one evaluation saw. */
export interface ScalingInput {
  readonly now: number;
  /** Σ offset lag over the topic's partitions. */
  readonly lag: number;
  /** Partitions of the topic (the pollers' cap). */
  readonly partitions: number;
  /** Whether an invocation was throttled (held back by reserved concurrency) since the last evaluation. */
  readonly throttled: boolean;
  /** PollerGroupName: the pollers the group leaves this mapping (emulators/esm/poller-groups.ts). */
  readonly available?: number;
}

/** A scaling decision, for the log and the stats. */
export interface ScalingDecision {
  readonly pollers: number;
  /** The count being moved to, when a change is pending (on-demand's delay). */
  readonly pending: number | undefined;
  readonly changed: boolean;
  readonly reason: 'lag-high' | 'lag-low' | 'throttled' | 'partitions' | 'steady';
}

/** What the pollers allow at a time. */
export interface PollerCapacity {
  readonly pollers: number;
  readonly maxConcurrency: number;
  /** Provisioned: pollers × 5 MB/s. On-demand: unbounded (`Infinity`), AWS documents no figure. */
  readonly bytesPerSecond: number;
}

/** Decides the number of event pollers of one mapping. */
export class PollerScaler {
  readonly #options: Required<Omit<PollerScalerOptions, 'reservedConcurrency'>> & {
    reservedConcurrency: number | undefined;
  };
  #pollers: number;
  #pending: { readonly pollers: number; readonly at: number } | undefined;
  #partitions: number | undefined;

  constructor(options: PollerScalerOptions) {
    this.#options = {
      scalingDelayMs: POLLER_LIMITS.onDemandScalingDelayMs,
      ...options,
      reservedConcurrency: options.reservedConcurrency,
    };
    this.#pollers = options.mode === ScalingMode.OnDemand ? 1 : options.minimumPollers;
  }

  get pollers(): number {
    return this.#pollers;
  }

  get pending(): number | undefined {
    return this.#pending?.pollers;
  }

  /** Concurrency and throughput the current pollers allow. */
  capacity(): PollerCapacity {
    let maxConcurrency = this.#pollers * POLLER_LIMITS.invocationsPerPoller;
    if (this.#partitions !== undefined) maxConcurrency = Math.min(maxConcurrency, this.#partitions);
    if (this.#options.reservedConcurrency !== undefined) {
      maxConcurrency = Math.min(maxConcurrency, this.#options.reservedConcurrency);
    }
    return {
      pollers: this.#pollers,
      maxConcurrency: Math.max(1, maxConcurrency),
      bytesPerSecond:
        this.#options.mode === ScalingMode.Provisioned
          ? this.#pollers * POLLER_LIMITS.bytesPerSecondPerPoller
          : Number.POSITIVE_INFINITY,
    };
  }

  /** True when `wanted` concurrent invocations exceed the function's reserved concurrency (a throttle on AWS). */
  throttles(wanted: number): boolean {
    const reserved = this.#options.reservedConcurrency;
    return reserved !== undefined && wanted > reserved;
  }

  /** One evaluation of the offset lag. */
  evaluate(input: ScalingInput): ScalingDecision {
    const { mode, batchSize } = this.#options;
    this.#partitions = Math.max(1, input.partitions);
    const ceiling = Math.max(
      1,
      Math.min(this.#options.maximumPollers, this.#partitions, input.available ?? Number.POSITIVE_INFINITY),
    );
    const floor = Math.min(this.#options.minimumPollers, ceiling);
    const decision = (changed: boolean, reason: ScalingDecision['reason']): ScalingDecision => ({
      pollers: this.#pollers,
      pending: this.#pending?.pollers,
      changed,
      reason,
    });

    let changed = false;
    if (this.#pending !== undefined && input.now >= this.#pending.at) {
      changed = this.#pending.pollers !== this.#pollers;
      this.#pollers = this.#pending.pollers;
      this.#pending = undefined;
    }
    if (this.#pollers > ceiling) {
      // Never more pollers than partitions: the surplus goes at once.
      this.#pollers = ceiling;
      this.#pending = undefined;
      return decision(true, 'partitions');
    }

    // Decisions are taken against the pollers running now; a pending one is kept, not stacked.
    const current = this.#pollers;
    let target = current;
    let reason: ScalingDecision['reason'] = 'steady';
    if (input.throttled) {
      target = current - 1;
      reason = 'throttled';
    } else if (input.lag > current * POLLER_LIMITS.invocationsPerPoller * batchSize) {
      target =
        mode === ScalingMode.Provisioned
          ? Math.ceil(input.lag / (batchSize * POLLER_LIMITS.invocationsPerPoller))
          : current + 1;
      reason = 'lag-high';
    } else if (input.lag < batchSize) {
      target = current - 1;
      reason = 'lag-low';
    }
    const bounded = Math.max(floor, Math.min(ceiling, target));
    if (bounded === current) {
      this.#pending = undefined;
      return decision(changed, 'steady');
    }
    if (mode === ScalingMode.Provisioned) {
      this.#pollers = bounded;
      return decision(true, reason);
    }
    if (this.#pending?.pollers !== bounded) {
      this.#pending = { pollers: bounded, at: input.now + this.#options.scalingDelayMs };
    }
    return decision(changed, reason);
  }
}

/**
 * A poller's byte budget: spending past it makes {@link readyAt} lie in the future, so the
 * shell starts no new batch until the budget refills (up to one second of throughput banked).
 */
export class ThroughputBudget {
  #available: number;
  #at: number;
  #rate: number;

  constructor(bytesPerSecond: number, now: number) {
    this.#rate = bytesPerSecond;
    this.#available = bytesPerSecond;
    this.#at = now;
  }

  set bytesPerSecond(rate: number) {
    this.#rate = rate;
  }

  #refill(now: number): void {
    if (!Number.isFinite(this.#rate)) return;
    this.#available = Math.min(this.#rate, this.#available + ((now - this.#at) * this.#rate) / 1000);
    this.#at = now;
  }

  spend(bytes: number, now: number): void {
    if (!Number.isFinite(this.#rate)) return;
    this.#refill(now);
    this.#available -= bytes;
  }

  /** When a new batch may start: `now` unless the budget is overdrawn. */
  readyAt(now: number): number {
    if (!Number.isFinite(this.#rate)) return now;
    this.#refill(now);
    return this.#available >= 0 ? now : now + Math.ceil((-this.#available * 1000) / this.#rate);
  }
}
