import { type ClickstreamEvent, SCHEMA_VERSION } from '../services/clickstream/index.ts';
import { PriorityQueue } from '../tooling/min-heap.ts';
import { BAD_RECORD_KINDS, corruptEvent, RecordKind } from './bad-records.ts';
import { MEAN_BOT_EVENTS, type PlannedEvent, SEGMENT_PROPENSITY, SessionPlanner } from './funnel.ts';
import { buildPools, type Pools, type TrafficSource } from './pools.ts';
import { hashSeed, Random, WeightedPicker, Zipf } from './random.ts';
import { type BurstSpec, rateProfile } from './rate-profile.ts';
import { botUserId, humanUserId, syntheticProfile } from './synthetic-profiles.ts';

/** What shapes a simulated event stream. Equal options give an identical stream. */
export interface SimulationOptions {
  /** Seeds every random choice. */
  seed: number;
  /** Epoch ms of simulated time 0: `eventTime = startTime + offset`. */
  startTime: number;
  /** Records per simulated second: the stream's clock, and the pace it is meant to be sent at. */
  rate: number;
  /**
   * Periodic bursts on top of `rate` (`--burst`): record k then belongs to the simulated
   * time the burst profile gives it (rate-profile.ts), so event times follow the load.
   */
  burst?: BurstSpec | undefined;
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

/** A {@link GeneratedRecord} whose value is still text (UTF-8 encoding is left to the caller). */
export interface GeneratedText {
  key: string;
  text: string;
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
} as const;

const MEAN_HUMAN_THINK_MS = THINK_TIME.humanMinMs + THINK_TIME.humanMeanExtraMs;
const MEAN_BOT_THINK_MS = THINK_TIME.botMinMs + THINK_TIME.botMeanExtraMs;
// More concurrent crawlers would make bots, not shoppers, the bulk of a very fast run.
const MAX_BOT_SLOTS = 100;
// Slots are sized a little under the rate's demand, so the clock (not a backlog of overdue
// events) sets the pace: an event is then at most pulled slightly early, never delayed
// behind a queue, and humans cannot crowd bots out (or the other way round).
const SLOT_HEADROOM = 0.9;

// Measured mean length of a human visit under the funnel (bounces included).
const MEAN_HUMAN_EVENTS = 4;

/**
 * How many distinct users a run needs so that each can rest for the session gap between
 * visits without the simulation running short: the users in a visit (rate × think time)
 * plus those resting (visits per second × the mean rest), with 20 % to spare. Fewer users
 * still work — gaps are still honoured — but visits get faster than a human would browse.
 */
export const recommendedUsers = (rate: number, botShare: number, sessionGapMs: number): number => {
  const humanRate = (1 - botShare) * rate;
  const browsing = (SLOT_HEADROOM * humanRate * MEAN_HUMAN_THINK_MS) / 1000;
  const resting = ((humanRate / MEAN_HUMAN_EVENTS) * 1.25 * sessionGapMs) / 1000;
  return Math.max(1000, Math.ceil(((browsing + resting) * 1.2) / 1000) * 1000);
};

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
  /** `"userId":…,"sessionId":…` — serialised once per session, not per event. */
  idsJson: string;
  /** `"userAgent":…,"ip":…,"utm":{…}` — likewise. */
  tailJson: string;
}

interface Population {
  /** Sessions under way, by the due time of their next event. */
  steps: PriorityQueue<Session>;
  /** Sessions waiting to start, one per free slot, by due time. */
  starts: PriorityQueue<true>;
  /** Idle users, by the time their gap is over. */
  idle: PriorityQueue<number>;
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
 * The stream is clocked by `rate`: record k belongs to simulated time k / rate (or to the
 * burst profile's time for k, see `burst`). A fixed number of session slots (enough for
 * `rate` at realistic think times) share those ticks; each tick goes to the slot whose next event is due first, so think times hold
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
  // JSON of every pooled value, serialised once per run rather than once per session.
  readonly #json: {
    browsers: string[];
    bots: string[];
    ips: string[];
    utm: Map<TrafficSource['utm'], string>;
  };
  readonly #humans: Population = {
    steps: new PriorityQueue(),
    starts: new PriorityQueue(),
    idle: new PriorityQueue(),
  };
  readonly #bots: Population = {
    steps: new PriorityQueue(),
    starts: new PriorityQueue(),
    idle: new PriorityQueue(),
  };
  /** Simulated time of tick k, before any skip-ahead. */
  readonly #clock: (tick: number) => number;
  // Per-user facts, computed on a user's first session and kept.
  readonly #propensity: Float64Array;
  readonly #device: Int32Array;
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
    this.#json = {
      browsers: pools.browserUserAgents.map((agent) => JSON.stringify(agent)),
      bots: pools.botUserAgents.map((agent) => JSON.stringify(agent)),
      ips: pools.ips.map((ip) => JSON.stringify(ip)),
      utm: new Map(
        [NO_UTM, ...pools.trafficSources.map(([source]) => source.utm)].map((utm) => [
          utm,
          JSON.stringify(utm),
        ]),
      ),
    };
    const tickMs = 1000 / options.rate;
    const profile = options.burst === undefined ? undefined : rateProfile(options);
    this.#clock = profile === undefined ? (tick) => tick * tickMs : (tick) => profile.timeOf(tick);
    this.#propensity = new Float64Array(options.users).fill(Number.NaN);
    this.#device = new Int32Array(options.users * 2).fill(-1);

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
    const { key, text, timestamp, kind } = this.nextText();
    return { key, value: Buffer.from(text, 'utf8'), timestamp, kind };
  }

  /** The next record, its value as text: lets a caller encode many into one buffer. */
  nextText(): GeneratedText {
    let now = this.#stats.slippedMs + this.#clock(this.#tick);
    this.#tick++;
    for (;;) {
      const humanDue = this.#due(this.#humans, now);
      const botDue = this.#due(this.#bots, now);
      if (humanDue === Number.POSITIVE_INFINITY && botDue === Number.POSITIVE_INFINITY) {
        // Every user is in its session gap: skip the clock to the first one back.
        const resume = Math.min(this.#resumeAt(this.#humans), this.#resumeAt(this.#bots));
        this.#stats.slippedMs += resume - now;
        now = resume;
        continue;
      }
      let population: Population;
      if (Math.min(humanDue, botDue) <= now) population = humanDue <= botDue ? this.#humans : this.#bots;
      else if (humanDue === Number.POSITIVE_INFINITY) population = this.#bots;
      else if (botDue === Number.POSITIVE_INFINITY) population = this.#humans;
      else {
        // Nothing is due yet: the tick goes early to one of the two populations in the
        // proportion asked for, so whichever thinks faster (bots) does not take every
        // spare tick.
        population = this.#behaviour.chance(this.#options.botShare) ? this.#bots : this.#humans;
      }
      const stepDue = population.steps.peekPriority() ?? Number.POSITIVE_INFINITY;
      const session =
        stepDue <= this.#startDue(population, now)
          ? (population.steps.pop() as Session)
          : this.#startSession(population === this.#bots);
      return this.#emit(session, now);
    }
  }

  /** The next `count` records. */
  take(count: number): GeneratedRecord[] {
    return Array.from({ length: count }, () => this.next());
  }

  #warmUp(slots: number, bot: boolean, meanThinkMs: number): void {
    for (let i = 0; i < slots; i++) {
      const session = this.#startSession(bot);
      session.next = this.#behaviour.int(session.events.length);
      // Joined between its checkout and its purchase, a session rewinds to the checkout: the
      // stream holds no purchase without the checkout that paid for it.
      const types = session.events.map((event) => event.type);
      if (types.indexOf('purchase', session.next) >= 0 && types.indexOf('checkout', session.next) < 0) {
        session.next = types.indexOf('checkout');
      }
      (bot ? this.#bots : this.#humans).steps.push(this.#behaviour.next() * meanThinkMs, session);
    }
  }

  /** When the population's next event is due: a step, or a start that has a free user. */
  #due(population: Population, now: number): number {
    return Math.min(
      population.steps.peekPriority() ?? Number.POSITIVE_INFINITY,
      this.#startDue(population, now),
    );
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
    const sessionId = this.#ids.uuid();
    const pools = this.#pools;
    const json = this.#json;
    if (bot) {
      this.#stats.botSessions++;
      const agent = random.int(pools.botUserAgents.length);
      const ip = random.int(pools.ips.length);
      return {
        bot,
        userIndex,
        userId: botUserId(userIndex),
        sessionId,
        userAgent: pools.botUserAgents[agent] as string,
        ip: pools.ips[ip] as string,
        utm: NO_UTM,
        events: this.#planner.bot(random),
        next: 0,
        idsJson: `"userId":"${botUserId(userIndex)}","sessionId":"${sessionId}"`,
        tailJson: `"userAgent":${json.bots[agent]},"ip":${json.ips[ip]},"utm":${json.utm.get(NO_UTM)}`,
      };
    }
    this.#stats.humanSessions++;
    // A user keeps one device and home IP across sessions.
    if (this.#device[2 * userIndex] === -1) {
      const device = new Random(hashSeed(seed, 'device', userIndex));
      this.#device[2 * userIndex] = this.#deviceRank.sample(device);
      this.#device[2 * userIndex + 1] = device.int(pools.ips.length);
      this.#propensity[userIndex] = SEGMENT_PROPENSITY[syntheticProfile(seed, userIndex).segment];
    }
    const agent = this.#device[2 * userIndex] as number;
    const ip = this.#device[2 * userIndex + 1] as number;
    const source = this.#sources.pick(random);
    const userId = humanUserId(userIndex);
    return {
      bot,
      userIndex,
      userId,
      sessionId,
      userAgent: pools.browserUserAgents[agent] as string,
      ip: pools.ips[ip] as string,
      utm: source.utm,
      events: this.#planner.human(random, source.referrer, this.#propensity[userIndex] as number),
      next: 0,
      // Ids are [a-z0-9-] only: no escaping needed.
      idsJson: `"userId":"${userId}","sessionId":"${sessionId}"`,
      tailJson: `"userAgent":${json.browsers[agent]},"ip":${json.ips[ip]},"utm":${json.utm.get(source.utm)}`,
    };
  }

  #emit(session: Session, now: number): GeneratedText {
    const planned = session.events[session.next] as PlannedEvent;
    // A bad record does not take the place of the event it garbles: the shopper sends the
    // event itself one think time later. A checkout lost to the dead-letter topic would
    // otherwise leave its purchase without one (purchases ≤ checkouts must hold downstream).
    const bad = this.#options.badRate > 0 && this.#badness.chance(this.#options.badRate);
    if (!bad) session.next++;
    const random = this.#behaviour;
    // A freed slot also waits one think time before its next visitor arrives, so every
    // event costs its slot one think time and `slots / mean think` is the slot's rate.
    const think = session.bot
      ? THINK_TIME.botMinMs + random.exponential(THINK_TIME.botMeanExtraMs)
      : THINK_TIME.humanMinMs + random.exponential(THINK_TIME.humanMeanExtraMs);
    const population = session.bot ? this.#bots : this.#humans;
    if (session.next < session.events.length) {
      population.steps.push(now + think, session);
    } else {
      const gap = this.#options.sessionGapMs;
      population.idle.push(now + gap + random.exponential(gap / 4), session.userIndex);
      population.starts.push(now + think, true);
    }

    const timestamp = this.#options.startTime + Math.floor(now);
    const eventId = this.#ids.uuid();
    if (bad) {
      const kind = this.#badness.pick(BAD_RECORD_KINDS);
      const event: ClickstreamEvent = {
        schemaVersion: SCHEMA_VERSION,
        eventId,
        type: planned.type,
        userId: session.userId,
        sessionId: session.sessionId,
        eventTime: timestamp,
        page: planned.page,
        product: planned.product,
        order: planned.order,
        query: planned.query,
        userAgent: session.userAgent,
        ip: session.ip,
        utm: session.utm,
      };
      return { key: session.userId, text: corruptEvent(event, kind, this.#badness), timestamp, kind };
    }
    // Byte for byte what `encodeEvent` (JSON.stringify of a ClickstreamEvent, fields in
    // schema order) gives — a unit test holds the two together — assembled from parts
    // serialised once per session: the generator must cost far less than the producer.
    const json =
      `{"schemaVersion":${SCHEMA_VERSION},"eventId":"${eventId}","type":"${planned.type}",${session.idsJson},` +
      `"eventTime":${timestamp},"page":${JSON.stringify(planned.page)},` +
      `"product":${planned.product === null ? 'null' : JSON.stringify(planned.product)},` +
      `"order":${planned.order === null ? 'null' : JSON.stringify(planned.order)},` +
      `"query":${planned.query === null ? 'null' : JSON.stringify(planned.query)},${session.tailJson}}`;
    return { key: session.userId, text: json, timestamp, kind: RecordKind.Valid };
  }
}

const NO_UTM: TrafficSource['utm'] = { source: null, medium: null, campaign: null };
