/**
 * PollerGroupName: provisioned mappings that name the same group share their event pollers
 * ("group multiple ESMs within the event source's VPC to share Event Poller Unit (EPU)
 * capacity … up to 100 ESMs per poller group and aggregate maximum pollers across all ESMs in
 * a group cannot exceed 2000": https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html).
 * Free of I/O: each member's scaler asks how many pollers the group leaves it, then reports
 * what it runs; the group's pollers never pass its maximum, and its figures (pollers, members)
 * are what its EPUs are billed on.
 */
import { POLLER_LIMITS } from './scaler.ts';

/** One group's figures, as `stats()` reports them. */
export interface PollerGroupStats {
  readonly name: string;
  /** Event source mappings in the group. */
  readonly mappings: number;
  /** Pollers the members run now, together. */
  readonly pollers: number;
  readonly maximumPollers: number;
}

/** The poller groups of one emulator: who is in which, and what each member runs. */
export class PollerGroups {
  readonly #maximum: number;
  readonly #members = new Map<string, Map<string, number>>();
  readonly #groupOf = new Map<string, string>();

  constructor(maximumPollers: number = POLLER_LIMITS.maxPollersPerGroup) {
    this.#maximum = maximumPollers;
  }

  /** Adds mapping `uuid` to group `name`, running `pollers` (its MinimumPollers) to start. */
  join(name: string, uuid: string, pollers: number): void {
    const members = this.#members.get(name) ?? new Map<string, number>();
    members.set(uuid, pollers);
    this.#members.set(name, members);
    this.#groupOf.set(uuid, name);
  }

  /** Pollers member `uuid` may run: the group's maximum less what the other members run. */
  available(uuid: string): number {
    const name = this.#groupOf.get(uuid);
    const members = name === undefined ? undefined : this.#members.get(name);
    if (members === undefined) return Number.POSITIVE_INFINITY;
    let others = 0;
    for (const [member, pollers] of members) if (member !== uuid) others += pollers;
    return Math.max(0, this.#maximum - others);
  }

  /** Member `uuid` now runs `pollers`. */
  report(uuid: string, pollers: number): void {
    const name = this.#groupOf.get(uuid);
    if (name !== undefined) this.#members.get(name)?.set(uuid, pollers);
  }

  /** The group of member `uuid`, if any. */
  statsOf(uuid: string): PollerGroupStats | undefined {
    const name = this.#groupOf.get(uuid);
    return name === undefined ? undefined : this.#stats(name);
  }

  stats(): PollerGroupStats[] {
    return [...this.#members.keys()].map((name) => this.#stats(name));
  }

  #stats(name: string): PollerGroupStats {
    const members = this.#members.get(name) ?? new Map<string, number>();
    let pollers = 0;
    for (const count of members.values()) pollers += count;
    return { name, mappings: members.size, pollers, maximumPollers: this.#maximum };
  }
}
