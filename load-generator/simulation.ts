import { type ClickstreamEvent, SCHEMA_VERSION } from '../services/clickstream/index.ts';
import { BAD_RECORD_KINDS, corruptEvent, RecordKind } from './bad-records.ts';
import { MEAN_BOT_EVENTS, type PlannedEvent, SEGMENT_PROPENSITY, SessionPlanner } from './funnel.ts';
import { MinHeap } from './min-heap.ts';
import { buildPools, type Pools, type TrafficSource } from './pools.ts';
import { hashSeed, Random, WeightedPicker, Zipf } from './random.ts';
import { botUserId, humanUserId, syntheticProfile } from './synthetic-profiles.ts';

/** What shapes a simulated event stream. Equal options give an identical stream. */
export interface SimulationOptions {
  /** Seeds every random choice. */
  seed: number;
  /** Epoch ms of simulated time 0: `eventTime = startTime + offset`. */
  startTime: number;
  /** Records per simulated second: the stream's clock, and the pace it is meant to be sent at. */
  rate: number;
  /** Distinct human users (each with a profile); bots come on top. */
  users: number;
  /** Share of events from bots, in [0, 1). */
  botShare: number;
  /** Share of records made bad on purpose, in [0, 1]. */
  badRate: number;
  /** Minimum idle time between two sessions of one user, so session windows close. */
  sessionGapMs: number;
}

/** One record to produce: the Kafka key, value and timestamp, and what it is. */
export interface GeneratedRecord {
  key: string;
  value: Buffer;
  /** Epoch ms; the record's Kafka timestamp and, for valid records, its `eventTime`. */
  timestamp: number;
  kind: RecordKind;
}

/**
 * Think times between two events of one session (ms): a floor plus an exponential tail.
 * Humans read for seconds; bots fire every few tens of milliseconds.
 */
export const THINK_TIME = {
  humanMinMs: 400,
  humanMeanExtraMs: 2600,
  botMinMs: 20,
  botMeanExtraMs: 60,
  /** Mean delay before a freed slot starts its next visitor's session. */
  arrivalMeanMs: 1000,
} as const;

const MEAN_HUMAN_THINK_MS = THINK_TIME.humanMinMs + THINK_TIME.humanMeanExtraMs;
const MEAN_BOT_THINK_MS = THINK_TIME.botMinMs + THINK_TIME.botMeanExtraMs;
// More concurrent crawlers would make bots, not shoppers, the bulk of a very fast run.
const MAX_BOT_SLOTS = 100;

interface Session {
  bot: boolean;
  userIndex: number;
  userId: string;
  sessionId: string;
  userAgent: string;
  ip: string;
  utm: TrafficSource['utm'];
  events: PlannedEvent[];
  next: number;
}

interface Population {
  /** Sessions waiting to start, one per free slot, by due time. */
  starts: MinHeap<true>;
  /** Idle users, by the time their gap is over. */
  idle: MinHeap<number>;
}

/** Counts about the simulation itself, for the run summary. */
export interface SimulationStats {
  humanSessions: number;
  botSessions: number;
  /** Simulated ms the clock had to skip because every user was still in its session gap. */
  slippedMs: number;
}

/**
 * The load generator's pure core: simulated users browsing a shop, as an endless stream
 * of Kafka records. No I/O and no clock: everything follows from the options.
 *
 * The stream is clocked by `rate`: record k belongs to simulated time k / rate. A fixed
 * number of session slots (enough for `rate` at realistic think times) share those
 * ticks; each tick goes to the slot whose next event is due first, so think times hold
 * on average while the rate holds exactly. A user starts a new session only after
 * `sessionGapMs` of idleness (measured on the records' own times), which is what lets a
 * session window downstream close; if no user is free the clock skips ahead instead.
 */
export class ClickstreamSimulation {
  readonly #options: SimulationOptions;
  readonly #pools: Pools;
  readonly #planner: SessionPlanner;
  readonly #behaviour: Random;
  readonly #ids: Random;
  readonly #badness: Random;
  readonly #sources: WeightedPicker<TrafficSource>;
  readonly #deviceRank: Zipf;
  readonly #steps = new MinHeap<Session>();
  readonly #humans: Population = { starts: new MinHeap(), idle: new MinHeap() };
  readonly #bots: Population = { starts: new MinHeap(), idle: new MinHeap() };
  readonly #tickMs: number;
  #tick = 0;
  #stats: SimulationStats = { humanSessions: 0, botSessions: 0, slippedMs: 0 };

  constructor(options: SimulationOptions, pools: Pools = buildPools(options.seed)) {
    this.#options = options;
    this.#pools = pools;
    this.#planner = new SessionPlanner(pools);
    this.#behaviour = new Random(hashSeed(options.seed, 'behaviour'));
    // Ids also depend on the start time, so two live runs of one seed never share an
    // event or session id (consumers de-duplicate on them), while a pinned start time
    // reproduces them exactly.
    this.#ids = new Random(hashSeed(options.seed, 'ids', options.startTime));
    this.#badness = new Random(hashSeed(options.seed, 'bad'));
    this.#sources = new WeightedPicker(pools.trafficSources);
    this.#deviceRank = new Zipf(pools.browserUserAgents.length, 1.0);
    this.#tickMs = 1000 / options.rate;

    const humanSlots = Math.max(
      1,
      Math.min(
        options.users,
        Math.round(((1 - options.botShare) * options.rate * MEAN_HUMAN_THINK_MS) / 1000),
      ),
    );
    const botSlots =
      options.botShare > 0
        ? Math.min(
            MAX_BOT_SLOTS,
            Math.max(1, Math.round((options.botShare * options.rate * MEAN_BOT_THINK_MS) / 1000)),
          )
        : 0;
    // Enough crawlers that a free slot always finds one whose gap is over.
    const meanBotVisitMs = MEAN_BOT_EVENTS * MEAN_BOT_THINK_MS;
    const botUsers = botSlots * (1 + Math.ceil((1.25 * options.sessionGapMs) / meanBotVisitMs));

    const humanOrder = this.#behaviour.shuffle(Array.from({ length: options.users }, (_, i) => i));
    for (const index of humanOrder) this.#humans.idle.push(Number.NEGATIVE_INFINITY, index);
    for (let i = 0; i < botUsers; i++) this.#bots.idle.push(Number.NEGATIVE_INFINITY, i);
    // Start in steady state: every slot holds a visit already under way, at a random step,
    // rather than a burst of landing pages at time 0.
    this.#warmUp(humanSlots, false, MEAN_HUMAN_THINK_MS);
    this.#warmUp(botSlots, true, MEAN_BOT_THINK_MS);
  }

  /** Counts so far. */
  get stats(): Readonly<SimulationStats> {
    return { ...this.#stats };
  }

  /** The next record of the stream (the stream never ends). */
  next(): GeneratedRecord {
    let now = this.#stats.slippedMs + this.#tick * this.#tickMs;
    this.#tick++;
    let session: Session | undefined;
    while (session === undefined) {
      const stepDue = this.#steps.peekPriority() ?? Number.POSITIVE_INFINITY;
      const humanDue = this.#startDue(this.#humans, now);
      const botDue = this.#startDue(this.#bots, now);
      const best = Math.min(stepDue, humanDue, botDue);
      if (best === Number.POSITIVE_INFINITY) {
        const resume = Math.min(this.#resumeAt(this.#humans), this.#resumeAt(this.#bots));
        this.#stats.slippedMs += resume - now;
        now = resume;
      } else if (best === stepDue) session = this.#steps.pop();
      else session = this.#startSession(best !== humanDue);
    }
    return this.#emit(session, now);
  }

  /** The next `count` records. */
  take(count: number): GeneratedRecord[] {
    return Array.from({ length: count }, () => this.next());
  }

  #warmUp(slots: number, bot: boolean, meanThinkMs: number): void {
    for (let i = 0; i < slots; i++) {
      const session = this.#startSession(bot);
      session.next = this.#behaviour.int(session.events.length);
      this.#steps.push(this.#behaviour.next() * meanThinkMs, session);
    }
  }

  /** When a session could start now, its slot's due time; otherwise +∞. */
  #startDue(population: Population, now: number): number {
    const due = population.starts.peekPriority();
    const free = population.idle.peekPriority();
    return due !== undefined && free !== undefined && free <= now ? due : Number.POSITIVE_INFINITY;
  }

  #resumeAt(population: Population): number {
    const due = population.starts.peekPriority();
    const free = population.idle.peekPriority();
    return due === undefined || free === undefined ? Number.POSITIVE_INFINITY : Math.max(due, free);
  }

  #startSession(bot: boolean): Session {
    const population = bot ? this.#bots : this.#humans;
    population.starts.pop();
    const userIndex = population.idle.pop() as number;
    const { seed } = this.#options;
    const random = this.#behaviour;
    if (bot) {
      this.#stats.botSessions++;
      return {
        bot,
        userIndex,
        userId: botUserId(userIndex),
        sessionId: this.#ids.uuid(),
        userAgent: random.pick(this.#pools.botUserAgents),
        ip: random.pick(this.#pools.ips),
        utm: { source: null, medium: null, campaign: null },
        events: this.#planner.bot(random),
        next: 0,
      };
    }
    this.#stats.humanSessions++;
    // A user keeps one device and home IP across sessions.
    const device = new Random(hashSeed(seed, 'device', userIndex));
    const source = this.#sources.pick(random);
    const propensity = SEGMENT_PROPENSITY[syntheticProfile(seed, userIndex).segment];
    return {
      bot,
      userIndex,
      userId: humanUserId(userIndex),
      sessionId: this.#ids.uuid(),
      userAgent: this.#pools.browserUserAgents[this.#deviceRank.sample(device)] as string,
      ip: device.pick(this.#pools.ips),
      utm: source.utm,
      events: this.#planner.human(random, source.referrer, propensity),
      next: 0,
    };
  }

  #emit(session: Session, now: number): GeneratedRecord {
    const planned = session.events[session.next] as PlannedEvent;
    session.next++;
    const random = this.#behaviour;
    if (session.next < session.events.length) {
      const think = session.bot
        ? THINK_TIME.botMinMs + random.exponential(THINK_TIME.botMeanExtraMs)
        : THINK_TIME.humanMinMs + random.exponential(THINK_TIME.humanMeanExtraMs);
      this.#steps.push(now + think, session);
    } else {
      const population = session.bot ? this.#bots : this.#humans;
      const gap = this.#options.sessionGapMs;
      population.idle.push(now + gap + random.exponential(gap / 4), session.userIndex);
      population.starts.push(now + random.exponential(THINK_TIME.arrivalMeanMs), true);
    }

    const timestamp = this.#options.startTime + Math.floor(now);
    const event: ClickstreamEvent = {
      schemaVersion: SCHEMA_VERSION,
      eventId: this.#ids.uuid(),
      type: planned.type,
      userId: session.userId,
      sessionId: session.sessionId,
      eventTime: timestamp,
      page: planned.page,
      product: planned.product,
      query: planned.query,
      userAgent: session.userAgent,
      ip: session.ip,
      utm: session.utm,
    };
    if (this.#options.badRate > 0 && this.#badness.chance(this.#options.badRate)) {
      const kind = this.#badness.pick(BAD_RECORD_KINDS);
      return { key: session.userId, value: corruptEvent(event, kind, this.#badness), timestamp, kind };
    }
    return {
      key: session.userId,
      value: Buffer.from(JSON.stringify(event), 'utf8'),
      timestamp,
      kind: RecordKind.Valid,
    };
  }
}
